"""The `sagent` command line."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tqdm import tqdm

from sagent.agent.ask import ask
from sagent.agent.evaluate import LayoutScenes, QuestionFileError, predict, read_questions, table_of, write_predictions
from sagent.agent.rules_planner import PlanningError, RulesPlanner
from sagent.dsl import DslError, check, op_reference, parse, run_program, ExecContext
from sagent.inputs import InputError, load_input
from sagent.memory.layouts import LayoutError
from sagent.memory.storage import SceneFileError

USER_ERRORS = (InputError, LayoutError, SceneFileError, PlanningError, DslError, QuestionFileError)


def _planner(name: str):
    # "auto" picks the LLM planner once a model is configured; until then it is the rules planner.
    return RulesPlanner()


def _scene_from_args(args) -> object:
    spec = args.layout or args.input
    if spec is None:
        raise InputError("no scene given: pass INPUT or --layout META.json:SCENE")
    return load_input(spec)


def cmd_ask(args) -> int:
    if len(args.words) == 1:
        args.input, question = None, args.words[0]
    elif len(args.words) == 2:
        args.input, question = args.words
    else:
        raise InputError('usage: sagent ask [INPUT] "question"')
    scene = _scene_from_args(args)
    answer = ask(scene, question, _planner(args.planner), args.option or None)
    if args.json:
        print(json.dumps(answer.model_dump(), indent=2))
    else:
        print(answer.summary())
        if args.verbose:
            print(f"\nprogram:\n{answer.program}\n\nobjects: {', '.join(answer.objects)}")
    return 0


def cmd_eval(args) -> int:
    questions = read_questions(args.questions)
    scenes = LayoutScenes(args.layouts)
    planner = _planner(args.planner)
    started = time.perf_counter()
    show_progress = not args.json and sys.stderr.isatty()
    predictions = list(tqdm(predict(questions, scenes, planner), total=len(questions), desc="questions",
                            disable=not show_progress, file=sys.stderr))
    seconds = time.perf_counter() - started
    if args.out:
        write_predictions(predictions, args.out)
    table = table_of(predictions)
    failed = sum(p.error is not None for p in predictions)
    if args.json:
        print(json.dumps({**table.to_dict(), "questions": len(predictions), "failed": failed, "seconds": seconds}))
    else:
        print(table.render())
        print(f"\n{len(predictions)} questions in {seconds:.2f} s ({len(predictions) / max(seconds, 1e-9):.0f}/s); "
              f"{failed} could not be answered" + (f"; predictions in {args.out}" if args.out else ""))
    return 0


def cmd_dsl_check(args) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise InputError(f"program file not found: {path}")
    source = path.read_text()
    scene = load_input(args.layout) if args.layout else None
    try:
        check(parse(source), scene)
    except DslError as error:
        print(error.render())
        return 2
    print(f"{path}: ok")
    return 0


def cmd_dsl_run(args) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise InputError(f"program file not found: {path}")
    execution = run_program(path.read_text(), ExecContext(load_input(args.layout)))
    if args.json:
        from sagent.agent.answer import plain_value

        value, unit, _ = plain_value(execution.value)
        print(json.dumps({"value": value, "unit": unit, "trace": [s.to_dict() for s in execution.trace]}, indent=2))
    else:
        print(execution.value)
    return 0


def cmd_dsl_reference(args) -> int:
    print(op_reference())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sagent", description="Answer spatial questions about real scenes.")
    commands = parser.add_subparsers(dest="command", required=True)

    ask_cmd = commands.add_parser("ask", help="answer one question about a scene")
    ask_cmd.add_argument("words", nargs="+", metavar="[INPUT] QUESTION",
                         help="optional input (scene memory .npz or META.json:SCENE) and the question")
    ask_cmd.add_argument("--layout", metavar="META.json:SCENE", help="a VSI-Bench meta_info layout and scene name")
    ask_cmd.add_argument("--option", action="append", metavar="'A. text'", help="a multiple-choice option (repeat)")
    ask_cmd.add_argument("--planner", choices=["auto", "rules"], default="auto",
                         help="auto: the LLM planner when a model is configured, else rules (default)")
    ask_cmd.add_argument("--json", action="store_true", help="print answer, unit, program and trace as JSON")
    ask_cmd.add_argument("-v", "--verbose", action="store_true", help="also print the program")
    ask_cmd.set_defaults(run=cmd_ask)

    eval_cmd = commands.add_parser("eval", help="answer a question set and print the VSI-Bench table")
    eval_cmd.add_argument("questions", help="questions, one JSON object a line")
    eval_cmd.add_argument("--layouts", action="append", required=True, metavar="META.json",
                          help="meta_info layout file(s) holding the scenes (repeat)")
    eval_cmd.add_argument("--out", metavar="PRED.jsonl", help="write one prediction a line here")
    eval_cmd.add_argument("--planner", choices=["auto", "rules"], default="auto")
    eval_cmd.add_argument("--json", action="store_true", help="print the table as JSON")
    eval_cmd.set_defaults(run=cmd_eval)

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
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except DslError as error:
        print(f"sagent: the program is invalid:\n{error.render()}", file=sys.stderr)
        return 1
    except USER_ERRORS as error:
        print(f"sagent: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
