"""Planners, answers and evaluation."""

from sagent.agent.answer import Answer
from sagent.agent.ask import Planner, ask
from sagent.agent.rules_planner import Plan, PlanningError, RulesPlanner

__all__ = ["Answer", "Plan", "Planner", "PlanningError", "RulesPlanner", "ask"]
