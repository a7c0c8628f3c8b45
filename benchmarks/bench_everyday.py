"""Everyday spatial questions: how many sagent answers correctly, refuses, or answers wrongly, per
category, on benchmarks/everyday/questions.jsonl (ground truth computed independently of sagent; see
benchmarks/everyday/README.md).

    .venv/bin/python benchmarks/bench_everyday.py [--planner rules|llm] [--model M] [--limit N]
        [--category C] [--out results.jsonl] [--no-write]

Writes its section of BENCHMARKS.md unless --no-write. The real scenes need ../shared/data.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import machine, write_section  # noqa: E402

from sagent.agent.answer import Answer  # noqa: E402
from sagent.agent.ask import Planner, ask  # noqa: E402
from sagent.agent.planners import PlannerSettings, make_planner  # noqa: E402
from sagent.errors import SagentError  # noqa: E402
from sagent.memory.layouts import load_layout  # noqa: E402
from sagent.memory.scene import SceneMemory  # noqa: E402
from sagent.memory.units import convert  # noqa: E402
from sagent.memory.vocabulary import canonical_label  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "benchmarks" / "everyday" / "questions.jsonl"
LENGTH_SLACK_M = 0.01  # lengths are also right within 1 cm, whatever their size
# Volume units, in case sagent.memory.units has none yet (factor to m3).
VOLUME_UNITS = {"m3": 1.0, "cm3": 1e-6, "l": 1e-3, "ft3": 0.3048**3}


@dataclass
class Outcome:
    id: str
    category: str
    scene: str
    question: str
    expected: object
    unit: str | None
    status: str  # correct | refused | wrong
    got: object = None
    got_unit: str | None = None
    program: str = ""
    detail: str = ""  # why it is wrong, or the refusal


def read_questions(path: Path = QUESTIONS) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _to_unit(value: float, unit: str, wanted: str) -> float:
    try:
        return convert(value, unit, wanted)
    except KeyError:
        if unit in VOLUME_UNITS and wanted in VOLUME_UNITS:
            return value * VOLUME_UNITS[unit] / VOLUME_UNITS[wanted]
        raise ValueError(f"unknown unit {unit!r} or {wanted!r}") from None


def judge(item: dict, answer: Answer) -> tuple[bool, str]:
    """Whether the answer is right for the question's kind, and if not, why."""
    truth, kind, value = item["ground_truth"], item["kind"], answer.value
    if item.get("options"):
        return answer.choice == truth, "" if answer.choice == truth else f"chose {answer.choice!r}"
    if kind == "yes_no":
        if not isinstance(value, bool):
            return False, f"not a yes/no answer ({type(value).__name__})"
        return value == truth, ""
    if kind == "count":
        if not (isinstance(value, int) and not isinstance(value, bool)):
            return False, f"not a count ({type(value).__name__})"
        return value == truth, ""
    if kind in ("length", "area", "volume"):
        if not _number(value) or not answer.unit:
            return False, f"not a {kind} with a unit ({value!r} {answer.unit})"
        try:
            got = _to_unit(float(value), answer.unit, item["unit"])
        except ValueError as exc:
            return False, f"wrong kind of quantity: {exc}"
        slack = item["tolerance"] * abs(truth)
        if kind == "length":
            slack = max(slack, _to_unit(LENGTH_SLACK_M, "m", item["unit"]))
        return abs(got - truth) <= slack, f"{got:.4g} {item['unit']}"
    if kind == "number":
        if not _number(value) or answer.unit:
            return False, f"not a plain number ({value!r} {answer.unit or ''})".rstrip()
        return abs(value - truth) <= item["tolerance"] * abs(truth), ""
    if kind == "label":
        if not isinstance(value, str):
            return False, f"not a label ({type(value).__name__})"
        return canonical_label(value) == canonical_label(truth), ""
    if kind == "labels":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return False, f"not a list of labels ({type(value).__name__})"
        return {canonical_label(v) for v in value} == {canonical_label(t) for t in truth}, ""
    if kind == "direction":
        if not isinstance(value, str):
            return False, f"not a direction ({type(value).__name__})"
        return value.strip().lower() == truth, ""
    raise ValueError(f"unknown kind {kind!r} in {item['id']}")


class Scenes:
    """Scene memories by (file, scene name), each loaded once."""

    def __init__(self):
        self._cache: dict[tuple[str, str], SceneMemory] = {}

    def __getitem__(self, item: dict) -> SceneMemory:
        key = (item["scene_file"], item["scene_name"])
        if key not in self._cache:
            self._cache[key] = load_layout(ROOT / item["scene_file"], item["scene_name"])
        return self._cache[key]


def answer_one(item: dict, scene: SceneMemory, planner: Planner) -> Outcome:
    outcome = Outcome(item["id"], item["category"], item["scene_name"], item["question"], item["ground_truth"],
                      item.get("unit"), "wrong")
    try:
        answer = ask(scene, item["question"], planner, item.get("options"))
    except SagentError as error:
        outcome.status, outcome.detail = "refused", f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
        return outcome
    except Exception as error:  # a crash is not a refusal: it is counted wrong and listed
        outcome.detail = f"crash: {type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"
        return outcome
    outcome.got = answer.choice if item.get("options") else answer.value
    outcome.got_unit, outcome.program = answer.unit, answer.program
    right, why = judge(item, answer)
    outcome.status = "correct" if right else "wrong"
    outcome.detail = "" if right else why
    return outcome


def run(questions: list[dict], planner: Planner) -> list[Outcome]:
    scenes = Scenes()
    return [answer_one(item, scenes[item], planner) for item in questions]


def table(outcomes: list[Outcome], categories: list[str]) -> list[str]:
    counts: dict[str, Counter] = defaultdict(Counter)
    for o in outcomes:
        counts[o.category][o.status] += 1
        counts["overall"][o.status] += 1
    lines = ["| category | questions | correct | refused | wrong | % correct |", "|---|---:|---:|---:|---:|---:|"]
    for category in [*categories, "overall"]:
        c = counts[category]
        n = sum(c.values())
        if not n:
            continue
        name = f"**{category}**" if category == "overall" else category
        lines.append(f"| {name} | {n} | {c['correct']} | {c['refused']} | {c['wrong']} | {100 * c['correct'] / n:.1f} |")
    return lines


def _shown(value, unit) -> str:
    text = json.dumps(value) if not isinstance(value, str) else value
    return f"{text} {unit}" if unit and not isinstance(value, str) else text


def wrong_list(outcomes: list[Outcome]) -> list[str]:
    lines = []
    for o in outcomes:
        if o.status != "wrong":
            continue
        got = o.detail if o.detail.startswith("crash") else _shown(o.got, o.got_unit)
        note = f" ({o.detail})" if o.detail and not o.detail.startswith("crash") else ""
        lines.append(f"- `{o.id}` [{o.scene}] {o.question} | expected {_shown(o.expected, o.unit)} | got {got}{note}"
                     f" | program: `{' '.join(o.program.split()) or '-'}`")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description="Score sagent on the everyday question set.")
    parser.add_argument("--planner", default="rules", choices=("rules", "llm"))
    parser.add_argument("--model", default=None, help="litellm model name for --planner llm")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions (after --category)")
    parser.add_argument("--category", default=None, help="only this category")
    parser.add_argument("--out", type=Path, default=None, help="also write every outcome as JSON lines here")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md as it is")
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="the question file (JSON lines)")
    args = parser.parse_args()
    questions = read_questions(args.questions)
    categories = list(dict.fromkeys(q["category"] for q in questions))
    if args.category:
        if args.category not in categories:
            sys.exit(f"unknown category {args.category!r}; the set has: {', '.join(categories)}")
        questions = [q for q in questions if q["category"] == args.category]
    if args.limit is not None:
        questions = questions[: args.limit]
    if any(not (ROOT / q["scene_file"]).exists() for q in questions):
        sys.exit(f"needs the real layouts in {(ROOT.parent / 'shared' / 'data').resolve()}")
    planner = make_planner(PlannerSettings(kind=args.planner, model=args.model))

    started = time.perf_counter()
    outcomes = run(questions, planner)
    seconds = time.perf_counter() - started
    if args.out:
        args.out.write_text("".join(json.dumps(asdict(o), default=str) + "\n" for o in outcomes))

    shown_args = " ".join(a for a in sys.argv[1:] if a != "--no-write")
    command = f".venv/bin/python benchmarks/bench_everyday.py {shown_args}".rstrip()
    scenes = len({(q["scene_file"], q["scene_name"]) for q in questions})
    wrong = wrong_list(outcomes)
    lines = [
        f"## Everyday spatial questions ({planner.name} planner" + ("" if args.questions.stem == "questions" else
                                                                  f", {args.questions.name}") + ")",
        "",
        f"Command: `{command}` ({machine()}).",
        "",
        f"{len(questions)} questions over {scenes} scenes (benchmarks/everyday: generated rooms, the example living "
        f"room, real ScanNet / ARKitScenes / ScanNet++ layouts); ground truth computed from the boxes independently "
        f"of sagent. Correct = right for the question's kind (measures within the set's tolerance, 5 %, or 1 cm); "
        f"refused = sagent raised one of its errors; wrong = any other answer. {seconds:.1f} s in all.",
        "",
        *table(outcomes, categories),
        "",
    ]
    listing = [f"Wrong answers ({len(wrong)}):", "", *wrong] if wrong else ["No wrong answers."]
    print("\n".join(lines + listing))
    if not args.no_write:
        body = lines + ["<details><summary>" + listing[0] + "</summary>", "", *listing[2:], "", "</details>"] \
            if wrong else lines + listing
        stem = args.questions.stem
        write_section("everyday" if stem == "questions" else f"everyday_{stem}", "\n".join(body))


if __name__ == "__main__":
    main()
