"""What each command takes: its arguments and the branches of the config tree it reads. The parser is
generated from these (`sagent.cli_config`), so every flag is a field here or in a settings class."""

from __future__ import annotations

from typing import Literal

from sagent.agent.eval_run import EvalSettings
from sagent.agent.planner_settings import ModelSettings, PlannerSettings
from sagent.memory.cache import CacheSettings
from sagent.service.serve_settings import ServeSettings
from sagent.settings import Settings, knob
from sagent.tools.pipeline.settings import PerceptionSettings


def _json(what: str) -> bool:
    return knob(False, what, flag="--json")


class Verbosity(Settings):
    verbose: bool = knob(False, "also say what each stage of the build does (and, for ask, print the program); "
                                "libraries' own logs too", cli=True, short="-v")
    quiet: bool = knob(False, "errors only: no warnings, no progress bars", cli=True, short="-q")


class _BuildsScenes(Settings):
    """What every command that builds scenes reads besides its own arguments."""

    perception: PerceptionSettings = knob(default_factory=PerceptionSettings, description="how scenes are built")
    cache: CacheSettings = knob(default_factory=CacheSettings, description="the scene cache")
    log: Verbosity = knob(default_factory=Verbosity, description="what is said on stderr")


class AskCommand(_BuildsScenes):
    words: list[str] = knob(..., "the input (posed frames: frames.json or a Redwood/TUM/ScanNet/7-Scenes folder; a "
                            "video or image folder; a photo, or several of one scene; a scene memory .npz; a layout "
                            "META.json:SCENE) and the question", positional=True, nargs="+", metavar="INPUT QUESTION")
    layout: str | None = knob(None, "a VSI-Bench meta_info layout and scene name", cli=True, metavar="META.json:SCENE")
    option: list[str] | None = knob(None, "a multiple-choice option (repeat)", cli=True, metavar="'A. text'")
    session: str | None = knob(None, "a session name (or a .jsonl path): steps are kept, later questions can refer "
                                     "to earlier answers", cli=True)
    json_output: bool = _json("print answer, unit, program, trace and evidence as JSON")
    show: str | None = knob(None, "save the evidence picture (bird's-eye view with the evidence objects, the views "
                                  "that saw them) and print its path; default sagent-evidence-QUESTION.png here",
                            cli=True, nargs="?", const="", metavar="OUT.png")
    rrd: str | None = knob(None, "save a rerun recording of the scene and the answer here", cli=True,
                           metavar="OUT.rrd")
    planner: PlannerSettings = knob(default_factory=PlannerSettings, description="how the question becomes programs")


class EvalCommand(Settings):
    questions: str | None = knob(None, "questions: VSI-Bench's parquet or JSONL, or sagent's JSONL", positional=True,
                                 nargs="?")
    videos: str | None = knob(None, "scene inputs in VSI-Bench's layout: DIR/{dataset}/{scene}.mp4 (detections "
                                    "sidecar beside it), an image folder, or DIR/{dataset}/{scene}/frames.json",
                              cli=True, metavar="DIR")
    compare: list[str] | None = knob(None, "per-task table of two prediction files and the gain", cli=True, nargs=2,
                                     metavar=("PRED.jsonl", "BASE.jsonl"))
    layouts: list[str] | None = knob(None, "meta_info layout file(s) holding the scenes (repeat)", cli=True,
                                     metavar="META.json")
    out: str | None = knob(None, "append one prediction a line here as they come; a run with the same --out skips "
                                 "the questions already there", cli=True, metavar="PRED.jsonl")
    baseline: Literal["vlm"] | None = knob(None, "vlm: frames and question straight to --model", cli=True)
    json_output: bool = _json("print the table as JSON")
    planner: PlannerSettings = knob(default_factory=PlannerSettings, description="how questions become programs")
    eval: EvalSettings = knob(default_factory=EvalSettings, description="how scenes are built, cached and spread")
    log: Verbosity = knob(default_factory=Verbosity, description="what is said on stderr")


class InspectCommand(_BuildsScenes):
    input: str = knob(..., "posed frames, a scene memory .npz or META.json:SCENE", positional=True)
    bev: str | None = knob(None, "write a bird's-eye view here (with --view: the observer)", cli=True, metavar="OUT.png")
    ego: str | None = knob(None, "write the ego view from --view N here", cli=True, metavar="OUT.png")
    view: int | None = knob(None, "the input view to look from (0 is the first)", cli=True, metavar="N")
    rerun: bool = knob(False, "show the build in a rerun viewer (sagent[viewer])", cli=True)
    rrd: str | None = knob(None, "save a rerun recording of the build here", cli=True, metavar="OUT.rrd")
    ply: str | None = knob(None, "write the fused point cloud here (PLY: metres, RGB)", cli=True, metavar="OUT.ply")
    mesh: str | None = knob(None, "posed RGB-D input: fuse every frame's depth and colour into a TSDF (2 cm) and "
                                  "write its triangle mesh here (PLY: metres, RGB)", cli=True, metavar="OUT.ply")
    json_output: bool = _json("print what the scene holds as JSON")
    model: ModelSettings = knob(default_factory=ModelSettings, description="the model, for the vlm detector")


class McpCommand(_BuildsScenes):
    http: int | None = knob(None, "serve streamable HTTP on this port of 127.0.0.1 instead of stdio", cli=True,
                            metavar="PORT", ge=1, le=65535)


class ServeCommand(_BuildsScenes):
    serve: ServeSettings = knob(default_factory=ServeSettings, description="how the server listens")
    planner: PlannerSettings = knob(default_factory=PlannerSettings, description="how questions become programs")


class CacheInfoCommand(Settings):
    json_output: bool = _json("print the cache's state as JSON")
    cache: CacheSettings = knob(default_factory=CacheSettings, description="the cache to look at", only=("dir",))


class CacheClearCommand(Settings):
    cache: CacheSettings = knob(default_factory=CacheSettings, description="the cache to empty", only=("dir",))


class ModelsListCommand(Settings):
    json_output: bool = _json("print the catalogue as JSON")
    perception: PerceptionSettings = knob(default_factory=PerceptionSettings, description="where weights are kept",
                                          only=("models_dir",))


class ModelsFetchCommand(Settings):
    names: list[str] = knob([], "catalogue names (`sagent models list`)", positional=True, nargs="*", metavar="NAME")
    all: bool = knob(False, "every model in the catalogue", cli=True)
    perception: PerceptionSettings = knob(default_factory=PerceptionSettings, description="where weights are kept",
                                          only=("models_dir",))


class DslCheckCommand(Settings):
    file: str = knob(..., "the program file", positional=True)
    layout: str | None = knob(None, "also check labels against this scene", cli=True, metavar="META.json:SCENE")


class DslRunCommand(Settings):
    file: str = knob(..., "the program file", positional=True)
    layout: str = knob(..., "the scene to run against", cli=True, metavar="META.json:SCENE")
    json_output: bool = _json("print value, unit and trace as JSON")


class DslReferenceCommand(Settings):
    pass
