"""`sagent mcp`: sagent's scene memory and DSL as Model Context Protocol tools, so any agent with tool
calling can be sagent's planner (or ask sagent whole questions). stdio by default; streamable HTTP on
loopback with --http PORT.

Tool inputs are typed by the config tree (`PlannerSettings`, `PerceptionSettings`) and answers are the
`Answer` model: the SDK makes their JSON schemas from the same fields the CLI's flags come from. The op
reference is the registry's own (`dsl_reference`, and the resource sagent://dsl/reference). Failures come
back as tool errors a model can act on: one line for input problems, a program's errors with their
place and caret, as the planner gets them in its repair loop.
"""

from __future__ import annotations

from mcp.server.mcpserver import Image, MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from sagent.agent.answer import Answer
from sagent.agent.ask import ask as ask_scene
from sagent.agent.planner_settings import PlannerSettings
from sagent.agent.planners import make_planner, with_detector_model
from sagent.dsl import REGISTRY, DslError, ExecContext, check, op_reference, parse
from sagent.dsl import run_program as run_dsl
from sagent.errors import SagentError
from sagent.service.scenes import SceneStore
from sagent.service.views import execution_json, objects_json
from sagent.tools.render.bev import render_bev
from sagent.tools.pipeline.settings import PerceptionSettings

REFERENCE_URI = "sagent://dsl/reference"


def _errors_for_the_model(call):
    """The call's result; sagent's errors as tool errors (a program's with place and caret)."""
    try:
        return call()
    except DslError as error:
        raise ToolError(f"the program is invalid:\n{error.render()}") from None
    except SagentError as error:
        raise ToolError(f"{type(error).__name__}: {error}") from None


def build_server(store: SceneStore | None = None, perception: PerceptionSettings | None = None) -> MCPServer:
    """The MCP server over `store` (a new, empty one by default); `perception`: how scenes are built when a
    call does not say (the server's flags)."""
    store = store or SceneStore()
    default_perception = perception or PerceptionSettings()
    server = MCPServer("sagent", instructions=(
        "sagent answers spatial questions about real scenes (distances, sizes, counts, directions, routes) "
        "from a 3D scene memory built from posed RGB-D frames, videos, photos or layouts. Either call `ask` "
        "with a question, or plan yourself: `load` an input, read `dsl_reference`, then `check_program` and "
        "`run_program` DSL programs against the scene."))

    @server.tool()
    def load(input: str, name: str | None = None, perception: PerceptionSettings | None = None) -> dict:
        """Build (or fetch from the cache) the scene memory of an input and keep it under a name for later
        calls. input: posed frames (frames.json or a dataset folder), a video or image folder, a photo, a
        scene memory .npz, or a layout META.json:SCENE, as a path on the server. Returns the scene's name,
        its objects by label and its number of views."""
        key, scene = _errors_for_the_model(
            lambda: store.load(input, name, with_detector_model(perception or default_perception, PlannerSettings())))
        return {"scene": key, "objects": scene.label_counts(), "views": len(scene.cameras)}

    @server.tool()
    def ask(question: str, scene: str | None = None, input: str | None = None, options: list[str] | None = None,
            planner: PlannerSettings | None = None, perception: PerceptionSettings | None = None) -> Answer:
        """Answer a spatial question in your own words about a loaded scene (or an input, loaded first): the
        whole pipeline, as `sagent ask` runs it. Returns the answer: value, unit, text, the program run, the
        objects and frames it rests on, its confidence and uncertainty."""
        def answer() -> Answer:
            if (scene is None) == (input is None):
                raise ToolError("give either scene (a loaded scene's name) or input (a path to load)")
            memory = store.get(scene) if scene is not None else \
                store.load(input, None, with_detector_model(perception or default_perception, planner or PlannerSettings()), question)[1]
            return ask_scene(memory, question, make_planner(planner or PlannerSettings()), options)
        return _errors_for_the_model(answer)

    @server.tool()
    def objects(scene: str) -> list[dict]:
        """The objects a loaded scene holds: id, label, box centre and sides (metres, the scene's frame, z up
        unless the scene says otherwise) and confidence."""
        return objects_json(_errors_for_the_model(lambda: store.get(scene)))

    @server.tool()
    def scene_facts(scene: str) -> dict:
        """What a loaded scene is built from and how far to trust its metres: source, up direction, floor
        area, views, metric scale (where it came from and its uncertainty) and, for videos, coverage."""
        memory = _errors_for_the_model(lambda: store.get(scene))
        record = memory.record
        return {"scene": memory.name, "source": record.source, "up": list(record.up), "views": len(memory.cameras),
                "room_floor_area_m2": memory.room.floor_area, "scale": memory.scale.model_dump(),
                "coverage": record.coverage.model_dump() if record.coverage is not None else None}

    @server.tool()
    def dsl_reference() -> str:
        """The DSL's op reference, as sagent's own planner reads it: every op with its signature, arguments and
        examples, generated from the op registry."""
        return op_reference()

    @server.tool()
    def check_program(program: str, scene: str | None = None) -> str:
        """Check a DSL program (against a loaded scene's labels when one is named) without running it. Returns
        the answer's type; a tool error lists each problem with its line, column and caret."""
        def checked() -> str:
            memory = store.get(scene) if scene is not None else None
            return f"ok: answers {check(parse(program), memory).type}"
        return _errors_for_the_model(checked)

    @server.tool()
    def run_program(program: str, scene: str) -> dict:
        """Run a DSL program against a loaded scene. Returns its value, unit and trace (each op with its
        inputs, output and time); a tool error says what failed, with place and caret."""
        return _errors_for_the_model(lambda: execution_json(run_dsl(program, ExecContext(store.get(scene)))))

    @server.tool(description=f"{REGISTRY['render_view'].summary} The observer stands at input view `view` "
                             "(0 is the first) of a loaded scene. Returns a PNG.")
    def render_view(scene: str, view: int) -> Image:
        return _errors_for_the_model(lambda: _png(run_dsl(f"answer render_view(view({view}))",
                                                          ExecContext(store.get(scene))).value.png))

    @server.tool(description=f"{REGISTRY['render_map'].summary} The observer stands at input view `view`; without "
                             "one, the plain bird's-eye view (object footprints, cameras, a metre scale). Returns a PNG.")
    def render_map(scene: str, view: int | None = None) -> Image:
        def drawn() -> Image:
            memory = store.get(scene)
            if view is None:
                return _png(render_bev(memory))
            return _png(run_dsl(f"answer render_map(view({view}))", ExecContext(memory)).value.png)
        return _errors_for_the_model(drawn)

    @server.resource(REFERENCE_URI, name="dsl_reference", mime_type="text/markdown",
                     description="The DSL's op reference, generated from the op registry.")
    def reference() -> str:
        return op_reference()

    return server


def _png(data: bytes) -> Image:
    return Image(data=data, format="png")
