"""What each command does, given its settings object (`sagent.cli_commands`)."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from sagent.agent.agent_memory import AgentMemory
from sagent.agent.answer import plain_value
from sagent.agent.ask import ask
from sagent.agent.baseline import VlmBaseline
from sagent.agent.eval_run import run_evaluation
from sagent.agent.evaluate import (
    BaselineAnswerer,
    InputFolderScenes,
    LayoutScenes,
    PlannerAnswerer,
    compare_tables,
    read_predictions,
    table_of,
)
from sagent.agent.planners import make_model, make_planner, with_detector_model
from sagent.agent.question_sets import read_questions
from sagent.cli_commands import AskCommand, DslCheckCommand, DslRunCommand, EvalCommand, InspectCommand
from sagent.dsl import DslError, ExecContext, check, op_reference, parse, run_program
from sagent.errors import InputError
from sagent.memory.cache import max_cache_bytes
from sagent.memory.storage import atomic_write_bytes
from sagent.tools.pipeline.inputs import load_input
from sagent.tools.pipeline.mesh import fuse_mesh, mesh_input
from sagent.tools.render.bev import render_bev
from sagent.tools.render.ply import checked_ply_path, write_mesh_ply, write_ply
from sagent.tools.render.recording import Recording, record_answer, record_scene


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


def _session(args: AskCommand) -> AgentMemory | None:
    if not args.session:
        return None
    if args.session.endswith(".jsonl"):
        path = args.session
    else:
        if not args.session.strip() or "/" in args.session or args.session in (".", ".."):
            raise InputError(f"--session {args.session!r}: a session name is a plain word (or give a path ending in .jsonl)")
        path = str(args.cache.root() / "sessions" / f"{args.session}.jsonl")
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


def cmd_ask(args: AskCommand) -> int:
    spec, question = _input_and_question(args)
    # Every option and output is checked before perception starts: a bad flag costs no reconstruction.
    planner, session = make_planner(args.planner), _session(args)
    perception = with_detector_model(args.perception, args.planner)
    evidence = _evidence_path(args, question)
    recording = _open_recording(args.rrd, spawn=False)
    scene = load_input(spec, args.cache.scenes(), perception, question, recorder=recording)
    answer = ask(scene, question, planner, args.option or None, session)
    if recording is not None:
        if not recording.frames_logged:
            record_scene(recording, scene)
        record_answer(recording, scene, question, answer.program, answer.trace, answer.objects, answer.summary())
        recording.close()
    if evidence is not None:
        answer.save(evidence)
    if args.json_output:
        print(json.dumps({**answer.model_dump(), **({"evidence": str(evidence)} if evidence else {})}, indent=2))
        return 0
    print(answer.summary())
    coverage = scene.record.coverage
    if coverage is not None and (args.log.verbose or not coverage.complete):
        print(f"built from: {coverage.describe()}")
    if args.log.verbose:
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


def cmd_eval(args: EvalCommand) -> int:
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
    if args.eval.cache is not None and not args.eval.cache.off:
        max_cache_bytes()  # a malformed SAGENT_CACHE_MAX_GB fails now, not in every build
    settings = args.planner
    answerer = BaselineAnswerer(VlmBaseline(make_model(settings))) if args.baseline == "vlm" else \
        PlannerAnswerer(make_planner(settings))
    run_settings = args.eval.model_copy(update={"perception": with_detector_model(args.eval.perception, settings)})
    questions = read_questions(args.questions)
    source = LayoutScenes(args.layouts) if args.layouts else InputFolderScenes(args.videos)
    started = time.perf_counter()
    run = run_evaluation(questions, source, answerer, out, run_settings)
    seconds = time.perf_counter() - started
    predictions = run.predictions
    table = table_of(predictions)
    failed = sum(p.error is not None for p in predictions)
    if args.json_output:
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


def cmd_inspect(args: InspectCommand) -> int:
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
    scene = load_input(args.input, args.cache.scenes(), with_detector_model(args.perception, args.model), recorder=recording)
    if recording is not None:
        if not recording.frames_logged:  # a cached or loaded memory: its cameras, sightings and objects
            record_scene(recording, scene)
        recording.close()
    triangles = None
    if mesh_path:  # first: a frame set with too little depth to mesh fails before any file is written
        mesh = fuse_mesh(mesh_frames)
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
    if args.json_output:
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


def cmd_dsl_check(args: DslCheckCommand) -> int:
    source = _program_file(args.file)
    scene = load_input(args.layout) if args.layout else None
    try:
        check(parse(source), scene)
    except DslError as error:
        print(error.render())
        return 2
    print(f"{args.file}: ok")
    return 0


def cmd_dsl_run(args: DslRunCommand) -> int:
    execution = run_program(_program_file(args.file), ExecContext(load_input(args.layout)))
    if args.json_output:
        value, unit, _ = plain_value(execution.value)
        print(json.dumps({"value": value, "unit": unit, "trace": [s.to_dict() for s in execution.trace]}, indent=2))
    else:
        print(execution.value)
    return 0


def cmd_dsl_reference(args) -> int:
    print(op_reference())
    return 0
