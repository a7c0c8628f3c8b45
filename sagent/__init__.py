"""sagent: answers spatial questions about real scenes.

A planner writes a short program in a typed spatial DSL (`sagent.dsl`); the program runs
against a 3D scene memory (`sagent.memory`) measured by geometry tools (`sagent.tools`);
`sagent.agent` holds the planners, answers and evaluation.
"""

__version__ = "0.1.0"


def __getattr__(name):
    # `from sagent import Agent` without importing the agent stack for every `import sagent.x`.
    if name == "Agent":
        from sagent.agent.agent import Agent

        return Agent
    raise AttributeError(name)
