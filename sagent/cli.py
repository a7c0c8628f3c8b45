"""The `sagent` command line.

Exit codes: 0 answered; 1 bad input or setup, or no answer (one line saying why); 2 `dsl check` found
an invalid program, or the command line did not parse; 3 the model provider could not be used;
130 interrupted. The error bases in `sagent.errors` carry their exit codes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

from sagent.agent.agent_memory import AgentMemory
from sagent.agent.answer import plain_value
from sagent.agent.ask import ask
from sagent.agent.baseline import VlmBaseline
from sagent.agent.eval_run import EvalSettings, run_evaluation
from sagent.agent.evaluate import (
    BaselineAnswerer,
    InputFolderScenes,
    LayoutScenes,
    PlannerAnswerer,
    compare_tables,
    read_predictions,
    table_of,
)
from sagent.agent.llm_planner import FORMS
from sagent.agent.model import CONSTRAIN_MODES
from sagent.agent.planners import PlannerSettings, make_model, make_planner
from sagent.agent.question_sets import read_questions
from sagent.cli_cache import cmd_cache_clear, cmd_cache_info, scene_cache
from sagent.cli_models import add_models_commands
from sagent.dsl import DslError, ExecContext, check, op_reference, parse, run_program
from sagent.errors import InputError, InternalError, ProviderError, SagentError
from sagent.memory.cache import SceneCache, default_cache_dir, max_cache_bytes
from sagent.memory.storage import atomic_write_bytes
from sagent.tools.pipeline.inputs import load_input
from sagent.tools.pipeline.mesh import fuse_mesh, mesh_input
from sagent.tools.pipeline.plain_video import VideoSettings
from sagent.tools.pipeline.settings import PerceptionSettings
from sagent.tools.reconstruction.vggt import VggtSettings
from sagent.tools.render.bev import render_bev
from sagent.tools.render.ply import checked_ply_path, write_mesh_ply, write_ply
from sagent.tools.render.recording import Recording, record_answer, record_scene


def _settings(args) -> PlannerSettings:
    return PlannerSettings(kind=args.planner, model=args.model, api_base=args.api_base, images=args.images,
                           max_repairs=args.max_repairs, max_steps=args.max_steps, timeout=args.timeout,
                           constrain=args.constrain, max_tokens=args.max_tokens, temperature=args.temperature,
                           votes=args.votes, form=args.form)


def _perception(args) -> PerceptionSettings:
    settings = _settings(args)
    model = make_model(settings) if args.detector == "vlm" or (args.detector == "auto" and settings.model_name()) else None
    video = VideoSettings(backend=args.backend, scale=args.scale, max_frames=args.max_frames,
                          vggt=VggtSettings(weights=args.vggt_weights, device=args.device))
    return PerceptionSettings(detector=args.detector, detector_weights=args.detector_weights,
                              confidence=args.confidence, model=model, video=video, depth_model=args.depth_model,
                              device=args.device or "cpu", offline=args.offline or None, models_dir=args.models_dir)


def _interactive(args) -> bool:
    """Progress bars only for a person at a terminal, never with --json."""
    return not getattr(args, "json", False) and sys.stderr.isatty()


def _cache(args) -> SceneCache | None:
    return None if args.no_cache else scene_cache(args.cache_dir)


def writable_output(name: str | None, flag: str) -> Path | None:
    """The path of an output file, checked before any work starts: its folder exists (or can be made)
    and takes files, and the path itself is not a folder. Work is never lost to a bad output path."""
    if not name:
        return None
    path = Path(name).expanduser()
    if path.is_dir():
        raise InputError(f"{flag} {name}: is a folder; give a file path")
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"{flag} {name}: cannot create its folder {folder} ({error.strerror or error})") from None
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InputError(f"{flag} {name}: not writable")
    return path


def _session(args) -> AgentMemory | None:
    if not args.session:
        return None
    if args.session.endswith(".jsonl"):
        path = args.session
    else:
        if not args.session.strip() or "/" in args.session or args.session in (".", ".."):
            raise InputError(f"--session {args.session!r}: a session name is a plain word (or give a path ending in .jsonl)")
        base = Path(args.cache_dir) if args.cache_dir else default_cache_dir()
        path = str(base / "sessions" / f"{args.session}.jsonl")
    return AgentMemory(writable_output(path, "--session"))


def _input_and_question(args) -> tuple[str | list[str], str]:
    if len(args.words) == 1 and args.layout:
        return args.layout, args.words[0]
    if len(args.words) == 2 and not args.layout:
        return args.words[0], args.words[1]
    if len(args.words) > 2 and not args.layout:  # several photos of one scene
        return args.words[:-1], args.words[-1]
    raise InputError('usage: sagent ask INPUT "question"   (or: sagent ask --layout META.json:SCENE "question")')


def _evidence_path(args, question: str) -> Path | None:
    if args.show is None:
        return None
    if args.show:
        return writable_output(args.show, "--show")
    slug = "-".join(re.findall(r"[a-z0-9]+", question.lower())[:8]) or "answer"
    return writable_output(f"sagent-evidence-{slug}.png", "--show")


def _open_recording(path: str | None, spawn: bool) -> Recording | None:
    if not path and not spawn:
        return None
    return Recording.open(writable_output(path, "--rrd") if path else None, spawn=spawn)


def cmd_ask(args) -> int:
    spec, question = _input_and_question(args)
    # Every option and output is checked before perception starts: a bad flag costs no reconstruction.
    planner, perception, session = make_planner(_settings(args)), _perception(args), _session(args)
    evidence = _evidence_path(args, question)
    recording = _open_recording(args.rrd, spawn=False)
    scene = load_input(spec, _cache(args), perception, question, progress=_interactive(args), recorder=recording)
    answer = ask(scene, question, planner, args.option or None, session)
    if recording is not None:
        if not recording.frames_logged:
            record_scene(recording, scene)
        record_answer(recording, scene, question, answer.program, answer.trace, answer.objects, answer.summary())
        recording.close()
    if evidence is not None:
        answer.save(evidence)
    if args.json:
        print(json.dumps({**answer.model_dump(), **({"evidence": str(evidence)} if evidence else {})}, indent=2))
        return 0
    print(answer.summary())
    coverage = scene.record.coverage
    if coverage is not None and (args.verbose or not coverage.complete):
        print(f"built from: {coverage.describe()}")
    if args.verbose:
        print(f"\nprogram ({answer.planner}{', ' + answer.model if answer.model else ''}, "
              f"{answer.attempts} attempt(s)):\n{answer.program}\n\nobjects: {', '.join(answer.objects)}")
    if evidence is not None:
        print(f"evidence: {evidence}")
    return 0


def _scene_lines(reports) -> list[str]:
    built = [r for r in reports if r.seconds > 0 or r.error]
    if not built:
        return []
    width = max(len(r.key) for r in built)
    lines = ["", f"{'scene'.ljust(width)}  {'questions':>9}  {'build s':>8}  {'peak MiB':>8}"]
    for r in built:
        lines.append(f"{r.key.ljust(width)}  {r.questions:9d}  {r.seconds:8.1f}  {r.peak_mib:8.0f}"
                     + (f"  {r.error}" if r.error else ""))
    return lines


def cmd_eval(args) -> int:
    if args.compare:
        ours, theirs = (read_predictions(path) for path in args.compare)
        print(compare_tables(ours, theirs, (Path(args.compare[0]).stem, Path(args.compare[1]).stem)))
        return 0
    if not args.questions:
        raise InputError("usage: sagent eval QUESTIONS (--layouts META.json | --videos DIR) [--out PRED.jsonl], "
                         "or sagent eval --compare PRED.jsonl BASE.jsonl")
    if bool(args.layouts) == bool(args.videos):
        raise InputError("give the scenes either as --layouts META.json (ground-truth layouts) or as --videos DIR "
                         "(videos, image folders or posed frames in VSI-Bench's layout), not both")
    out = writable_output(args.out, "--out")
    if not args.no_cache:
        max_cache_bytes()  # a malformed SAGENT_CACHE_MAX_GB fails now, not in every build
    settings = _settings(args)
    answerer = BaselineAnswerer(VlmBaseline(make_model(settings))) if args.baseline == "vlm" else \
        PlannerAnswerer(make_planner(settings))
    run_settings = EvalSettings(perception=_perception(args), workers=args.workers, use_ray=args.ray is not None,
                                ray_address=args.ray or None,
                                cache_dir=None if args.no_cache else str(args.cache_dir or default_cache_dir()))
    if run_settings.workers < 1:
        raise InputError(f"--workers must be 1 or more, got {args.workers}")
    questions = read_questions(args.questions)
    source = LayoutScenes(args.layouts) if args.layouts else InputFolderScenes(args.videos)
    started = time.perf_counter()
    run = run_evaluation(questions, source, answerer, out, run_settings, progress=_interactive(args))
    seconds = time.perf_counter() - started
    predictions = run.predictions
    table = table_of(predictions)
    failed = sum(p.error is not None for p in predictions)
    if args.json:
        print(json.dumps({**table.to_dict(), "questions": len(predictions), "failed": failed, "seconds": seconds,
                          "resumed": run.resumed, "scenes": [r.__dict__ for r in run.scenes]}))
    else:
        print(table.render())
        for line in _scene_lines(run.scenes):
            print(line)
        answered = len(predictions) - run.resumed
        print(f"\n{answered} questions in {seconds:.2f} s ({answered / max(seconds, 1e-9):.0f}/s); "
              f"{failed} could not be answered" + (f"; {run.resumed} done in an earlier run" if run.resumed else "")
              + (f"; predictions in {args.out}" if args.out else ""))
    return 0


def cmd_inspect(args) -> int:
    observer = f"view({args.view})" if args.view is not None else None
    if args.ego and observer is None:
        raise InputError("--ego needs --view N: the input view to look from")
    if args.view is not None and args.view < 0:
        raise InputError(f"--view {args.view}: views are numbered from 0")
    mesh_frames = mesh_input(args.input) if args.mesh else None  # before any folder is made or any work done
    bev, ego = writable_output(args.bev, "--bev"), writable_output(args.ego, "--ego")
    ply = checked_ply_path(writable_output(args.ply, "--ply")) if args.ply else None
    mesh_path = checked_ply_path(writable_output(args.mesh, "--mesh")) if args.mesh else None
    recording = _open_recording(args.rrd, spawn=args.rerun)
    scene = load_input(args.input, _cache(args), _perception(args), progress=_interactive(args), recorder=recording)
    if recording is not None:
        if not recording.frames_logged:  # a cached or loaded memory: its cameras, sightings and objects
            record_scene(recording, scene)
        recording.close()
    triangles = None
    if mesh_path:  # first: a frame set with too little depth to mesh fails before any file is written
        mesh = fuse_mesh(mesh_frames, progress=_interactive(args))
        write_mesh_ply(mesh_path, mesh)
        triangles = len(mesh.triangles)
    context = ExecContext(scene)
    if bev:
        png = run_program(f"answer render_map({observer})", context).value.png if observer else render_bev(scene)
        atomic_write_bytes(bev, png)
    if ego:
        atomic_write_bytes(ego, run_program(f"answer render_view({observer})", context).value.png)
    if ply:
        write_ply(ply, scene)
    summary = {
        "scene": scene.name, "source": scene.record.source, "up": list(scene.record.up),
        "objects": scene.label_counts(), "room_floor_area_m2": scene.room.floor_area, "views": len(scene.cameras),
        "scale": scene.scale.model_dump(),
        "coverage": scene.record.coverage.model_dump() if scene.record.coverage is not None else None,
        "bev": args.bev, "ego": args.ego, "rrd": args.rrd, "ply": args.ply, "mesh": args.mesh, "mesh_triangles": triangles,
        "poses": [{"view": i, "time": c.time, "cam_to_world": [list(r) for r in c.cam_to_world], "K": [list(r) for r in c.K]}
                  for i, c in enumerate(scene.cameras)],
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"scene {scene.name} ({scene.record.source}); {len(scene.objects)} objects, {len(scene.cameras)} views")
        print(f"metric scale: {scene.scale.describe()}")
        if scene.record.coverage is not None:
            print(f"built from: {scene.record.coverage.describe()}")
        if scene.room.floor_area is not None:
            print(f"room floor area: {scene.room.floor_area:.2f} m2")
        for label, count in scene.label_counts().items():
            print(f"  {label}: {count}")
        if args.bev:
            print(f"bird's-eye view written to {args.bev}")
        if args.rrd:
            print(f"rerun recording written to {args.rrd} (open it with: rerun {args.rrd})")
        if args.ply:
            print(f"point cloud ({len(scene.point_cloud)} points) written to {args.ply}")
        if args.mesh:
            print(f"mesh ({triangles} triangles) written to {args.mesh}")
    return 0


def _program_file(name: str) -> str:
    path = Path(name)
    if not path.is_file():
        raise InputError(f"program file not found: {path}")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"program file {path} is not UTF-8 text (byte {error.start})") from None


def cmd_dsl_check(args) -> int:
    source = _program_file(args.file)
    scene = load_input(args.layout) if args.layout else None
    try:
        check(parse(source), scene)
    except DslError as error:
        print(error.render())
        return 2
    print(f"{args.file}: ok")
    return 0


def cmd_dsl_run(args) -> int:
    execution = run_program(_program_file(args.file), ExecContext(load_input(args.layout)))
    if args.json:
        value, unit, _ = plain_value(execution.value)
        print(json.dumps({"value": value, "unit": unit, "trace": [s.to_dict() for s in execution.trace]}, indent=2))
    else:
        print(execution.value)
    return 0


def cmd_dsl_reference(args) -> int:
    print(op_reference())
    return 0


def _planner_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--planner", choices=["auto", "llm", "rules"], default="auto",
                         help="auto (default): the LLM planner when a model is configured, else the rules planner")
    command.add_argument("--model", help="litellm model, e.g. openai/gpt-4o-mini, gemini/..., ollama_chat/qwen2.5vl "
                                         "(or SAGENT_MODEL); the key comes from the provider's usual variable")
    command.add_argument("--api-base", help="the provider's base URL, e.g. http://127.0.0.1:8000/v1")
    command.add_argument("--images", choices=["auto", "on", "off"], default="auto",
                         help="send pictures (bird's-eye view, keyframes) to the model; auto asks litellm")
    command.add_argument("--max-repairs", type=int, default=PlannerSettings.max_repairs,
                         help=f"repairs allowed per question (default {PlannerSettings.max_repairs})")
    command.add_argument("--max-steps", type=int, default=PlannerSettings.max_steps,
                         help=f"programs run before the answer (default {PlannerSettings.max_steps})")
    command.add_argument("--timeout", type=float, default=PlannerSettings.timeout,
                         help=f"seconds per model call (default {PlannerSettings.timeout:g}); a call that runs out "
                              "fails its question and is not retried")
    command.add_argument("--constrain", choices=CONSTRAIN_MODES, default=PlannerSettings.constrain,
                         help="constrained decoding: a grammar of the DSL where the server takes one (llama.cpp, "
                              "llama-cpp-python, vLLM), else the reply's JSON schema; auto (default) drops a form the "
                              "server refuses and tries the next (grammar, schema, none), on fails the question "
                              "instead, off never sends either")
    command.add_argument("--max-tokens", type=int, default=PlannerSettings.max_tokens,
                         help=f"longest reply, in tokens (default {PlannerSettings.max_tokens}); a reply cut there "
                              "fails as truncated")
    command.add_argument("--temperature", type=float, default=PlannerSettings.temperature,
                         help=f"sampling temperature, 0 to 2 (default {PlannerSettings.temperature:g}: deterministic)")
    command.add_argument("--votes", type=int, default=PlannerSettings.votes,
                         help=f"programs sampled per question; the most common executed value answers "
                              f"(default {PlannerSettings.votes})")
    command.add_argument("--form", choices=FORMS, default=PlannerSettings.form,
                         help=f"what the model writes: program (DSL programs, free to explore) or frame (the task "
                              f"frame, under its grammar or schema; sagent compiles the program) (default {PlannerSettings.form})")
    _input_options(command)


def _input_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--detector", choices=["auto", "annotations", "ultralytics", "vlm", "none"], default="auto",
                         help="how objects are found in frames: the input's own detections, YOLO-World/YOLOE, the "
                              "model (auto: the first that can run), or none: geometry only (cameras, cloud, floor "
                              "and room)")
    command.add_argument("--detector-weights", metavar="PATH", help="ultralytics weights (.pt; a .yaml = random weights)")
    command.add_argument("--confidence", type=float, default=PerceptionSettings.confidence,
                         help=f"detector score threshold (default {PerceptionSettings.confidence:g})")
    command.add_argument("--backend", choices=["auto", "colmap", "vggt"], default="auto",
                         help="plain videos: how cameras and depth are recovered (auto: vggt on a GPU, else colmap)")
    command.add_argument("--scale", metavar="FACTOR|LABEL=SIZE",
                         help="plain videos: metres per reconstruction unit (0.8), or a known size, the longest side of "
                              "an object (door=2.0m); default: typical sizes of the objects found")
    command.add_argument("--max-frames", type=int, default=VideoSettings.max_frames,
                         help=f"plain videos: keyframes used (default {VideoSettings.max_frames})")
    command.add_argument("--vggt-weights", metavar="PATH", help="VGGT weights: model.pt or a pretrained folder "
                                                                "(default: facebook/VGGT-1B from the hub)")
    command.add_argument("--depth-model", metavar="NAME|DIR", help="photos (and plain videos, to densify them): "
                         "depth-anything-indoor (photos' default), depth-anything-outdoor, depth-pro, or a local folder")
    command.add_argument("--device", help="where VGGT, the depth model and the detector run: cuda, cpu (VGGT on a CPU is slow)")
    command.add_argument("--offline", action="store_true", help="never download weights (also SAGENT_OFFLINE=1 or "
                         "HF_HUB_OFFLINE=1): a missing file is one line saying where to get it and put it")
    command.add_argument("--models-dir", help="where weights fetched on first use are kept (default ~/.cache/sagent/models)")
    command.add_argument("--cache-dir", help="where scene memories and sessions are kept (default ~/.cache/sagent)")
    command.add_argument("--no-cache", action="store_true", help="rebuild the scene memory, don't cache it")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sagent", description="Answer spatial questions about real scenes.")
    commands = parser.add_subparsers(dest="command", required=True)

    ask_cmd = commands.add_parser("ask", help="answer one question about a scene")
    ask_cmd.add_argument("words", nargs="+", metavar="INPUT QUESTION",
                         help="the input (posed frames: frames.json or a Redwood/TUM/ScanNet/7-Scenes folder; a video or "
                              "image folder; a photo, or several of one scene; a scene memory .npz; a layout "
                              "META.json:SCENE) and the question")
    ask_cmd.add_argument("--layout", metavar="META.json:SCENE", help="a VSI-Bench meta_info layout and scene name")
    ask_cmd.add_argument("--option", action="append", metavar="'A. text'", help="a multiple-choice option (repeat)")
    ask_cmd.add_argument("--session", help="a session name (or a .jsonl path): steps are kept, later questions "
                                           "can refer to earlier answers")
    ask_cmd.add_argument("--json", action="store_true", help="print answer, unit, program, trace and evidence as JSON")
    ask_cmd.add_argument("-v", "--verbose", action="store_true", help="also print the program")
    ask_cmd.add_argument("--show", nargs="?", const="", metavar="OUT.png",
                         help="save the evidence picture (bird's-eye view with the evidence objects, the views that saw "
                              "them) and print its path; default sagent-evidence-QUESTION.png here")
    ask_cmd.add_argument("--rrd", metavar="OUT.rrd", help="save a rerun recording of the scene and the answer here")
    _planner_options(ask_cmd)
    ask_cmd.set_defaults(run=cmd_ask)

    eval_cmd = commands.add_parser("eval", help="answer a question set and print the VSI-Bench table")
    eval_cmd.add_argument("questions", nargs="?", help="questions: VSI-Bench's parquet or JSONL, or sagent's JSONL")
    eval_cmd.add_argument("--videos", metavar="DIR", help="scene inputs in VSI-Bench's layout: DIR/{dataset}/{scene}.mp4 "
                          "(detections sidecar beside it), an image folder, or DIR/{dataset}/{scene}/frames.json")
    eval_cmd.add_argument("--workers", type=int, default=1, help="scene builds in this many local processes")
    eval_cmd.add_argument("--ray", nargs="?", const="", metavar="ADDRESS",
                          help="scene builds as Ray tasks (a local Ray, or the cluster at ADDRESS); pip install 'sagent[ray]'")
    eval_cmd.add_argument("--compare", nargs=2, metavar=("PRED.jsonl", "BASE.jsonl"),
                          help="per-task table of two prediction files and the gain")
    eval_cmd.add_argument("--layouts", action="append", metavar="META.json",
                          help="meta_info layout file(s) holding the scenes (repeat)")
    eval_cmd.add_argument("--out", metavar="PRED.jsonl", help="append one prediction a line here as they come; "
                          "a run with the same --out skips the questions already there")
    eval_cmd.add_argument("--baseline", choices=["vlm"], help="vlm: frames and question straight to --model")
    eval_cmd.add_argument("--json", action="store_true", help="print the table as JSON")
    _planner_options(eval_cmd)
    eval_cmd.set_defaults(run=cmd_eval)

    inspect_cmd = commands.add_parser("inspect", help="what a scene memory holds; pictures of it")
    inspect_cmd.add_argument("input", help="posed frames, a scene memory .npz or META.json:SCENE")
    inspect_cmd.add_argument("--bev", metavar="OUT.png", help="write a bird's-eye view here (with --view: the observer)")
    inspect_cmd.add_argument("--ego", metavar="OUT.png", help="write the ego view from --view N here")
    inspect_cmd.add_argument("--view", type=int, metavar="N", help="the input view to look from (0 is the first)")
    inspect_cmd.add_argument("--rerun", action="store_true", help="show the build in a rerun viewer (sagent[viewer])")
    inspect_cmd.add_argument("--rrd", metavar="OUT.rrd", help="save a rerun recording of the build here")
    inspect_cmd.add_argument("--ply", metavar="OUT.ply", help="write the fused point cloud here (PLY: metres, RGB)")
    inspect_cmd.add_argument("--mesh", metavar="OUT.ply", help="posed RGB-D input: fuse every frame's depth and colour "
                             "into a TSDF (2 cm) and write its triangle mesh here (PLY: metres, RGB)")
    inspect_cmd.add_argument("--json", action="store_true")
    _planner_options(inspect_cmd)
    inspect_cmd.set_defaults(run=cmd_inspect)

    cache_cmd = commands.add_parser("cache", help="the scene cache: what it holds, or empty it")
    cache_commands = cache_cmd.add_subparsers(dest="cache_command", required=True)
    info_cmd = cache_commands.add_parser("info", help="root, entries, size, bound (SAGENT_CACHE_MAX_GB), oldest and "
                                                      "newest use")
    info_cmd.add_argument("--json", action="store_true")
    info_cmd.set_defaults(run=cmd_cache_info)
    clear_cmd = cache_commands.add_parser("clear", help="delete every cached scene memory (sessions are kept)")
    clear_cmd.set_defaults(run=cmd_cache_clear)
    for command in (info_cmd, clear_cmd):
        command.add_argument("--cache-dir", help="the cache to look at (default ~/.cache/sagent, or SAGENT_CACHE_DIR)")
    add_models_commands(commands)

    dsl_cmd = commands.add_parser("dsl", help="work with DSL programs")
    dsl_commands = dsl_cmd.add_subparsers(dest="dsl_command", required=True)
    check_cmd = dsl_commands.add_parser("check", help="check a program; exit 2 when it is invalid")
    check_cmd.add_argument("file")
    check_cmd.add_argument("--layout", metavar="META.json:SCENE", help="also check labels against this scene")
    check_cmd.set_defaults(run=cmd_dsl_check)
    run_cmd = dsl_commands.add_parser("run", help="run a program against a scene")
    run_cmd.add_argument("file")
    run_cmd.add_argument("--layout", metavar="META.json:SCENE", required=True)
    run_cmd.add_argument("--json", action="store_true")
    run_cmd.set_defaults(run=cmd_dsl_run)
    ref_cmd = dsl_commands.add_parser("reference", help="print the op reference the planner sees")
    ref_cmd.set_defaults(run=cmd_dsl_reference)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    # `sagent ask INPUT --json "question"`: options may sit between INPUT and QUESTION.
    if extra and getattr(args, "words", None) is not None and not any(e.startswith("-") for e in extra):
        args.words += extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return args.run(args)
    except DslError as error:
        return _failed(args, "invalid program", f"no answer: the program is invalid:\n{error.render()}", 1)
    except SagentError as error:  # one line; the base says who must act and which exit code
        kind = "model error" if isinstance(error, ProviderError) else "error"
        return _failed(args, type(error).__name__, f"{kind}: {error}", error.exit_code)
    except KeyboardInterrupt:
        return _failed(args, "interrupted", "interrupted", 130)
    except BrokenPipeError:
        # The reader went away (`| head -1`): stop quietly; Python's own flush at exit must not complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as error:  # a bug: one line, the traceback on request
        if os.environ.get("SAGENT_DEBUG"):
            raise
        return _failed(args, "InternalError", f"internal error: {type(error).__name__}: {error} (this is a bug in "
                       "sagent; SAGENT_DEBUG=1 shows the traceback)", InternalError.exit_code)


def _failed(args, kind: str, message: str, code: int) -> int:
    """The failure's line on stderr; with --json also {"error", "kind", "exit"} on stdout, so a caller
    that parses stdout always gets JSON."""
    print(f"sagent: {message}", file=sys.stderr)
    if getattr(args, "json", False):
        print(json.dumps({"error": message, "kind": kind, "exit": code}))
    return code


if __name__ == "__main__":
    sys.exit(main())
