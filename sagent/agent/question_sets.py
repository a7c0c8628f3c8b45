"""Question sets: VSI-Bench's files as distributed (parquet or JSONL) and sagent's own JSONL.

Each question is a dict with at least `id`, `scene_name` and `question`; `dataset`, `question_type`,
`options` (a list of "A. text" strings, or None) and `ground_truth` are kept when present.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from sagent.errors import InputError

REQUIRED = ("id", "scene_name", "question")


class QuestionFileError(InputError):
    """A question set could not be read."""


def _normalised(item: dict, where: str) -> dict:
    missing = [key for key in REQUIRED if item.get(key) in (None, "")]
    if missing:
        raise QuestionFileError(f"{where}: missing {', '.join(missing)}")
    options = item.get("options")
    if options is not None and not isinstance(options, (list, tuple, str)):
        options = list(options)  # parquet gives arrays
    if isinstance(options, float) and math.isnan(options):
        options = None
    item = dict(item)
    item["options"] = [str(o) for o in options] if isinstance(options, (list, tuple)) and len(options) else None
    item["id"] = str(item["id"])
    item["scene_name"] = str(item["scene_name"])
    if not isinstance(item["question"], str):
        raise QuestionFileError(f"{where}: the question must be text, got {type(item['question']).__name__}")
    return item


def _read_parquet(path: Path) -> list[dict]:
    try:
        import pyarrow.parquet as parquet  # optional: VSI-Bench's own files are parquet
    except ImportError:
        raise QuestionFileError(f"{path}: reading parquet needs pyarrow: pip install 'sagent[bench]'") from None
    try:
        rows = parquet.read_table(path).to_pylist()
    except Exception as error:  # pyarrow raises its own zoo of errors for a broken file
        raise QuestionFileError(f"{path}: not a readable parquet file ({type(error).__name__}: {error})") from None
    return [_normalised(row, f"{path}: row {number}") for number, row in enumerate(rows, 1)]


def _read_jsonl(path: Path) -> list[dict]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise QuestionFileError(f"{path}: not UTF-8 text (byte {error.start})") from None
    stripped = text.lstrip()
    if stripped.startswith("["):  # a JSON list of questions is accepted too
        try:
            items = json.loads(text)
        except json.JSONDecodeError as error:
            raise QuestionFileError(f"{path}: not JSON ({error.msg}, line {error.lineno})") from None
        return [_normalised(item, f"{path}: item {n}") for n, item in enumerate(items, 1) if isinstance(item, dict)]
    questions = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise QuestionFileError(f"{path}:{number}: not JSON ({error.msg})") from None
        if not isinstance(item, dict):
            raise QuestionFileError(f"{path}:{number}: expected a JSON object, got {type(item).__name__}")
        questions.append(_normalised(item, f"{path}:{number}"))
    return questions


def read_questions(path: str | Path) -> list[dict]:
    """The questions of a `.parquet`, `.jsonl` or `.json` file, in file order; ids must be unique."""
    path = Path(path)
    if not path.is_file():
        raise QuestionFileError(f"question file not found: {path}")
    questions = _read_parquet(path) if path.suffix.lower() == ".parquet" else _read_jsonl(path)
    seen: set[str] = set()
    for item in questions:
        if item["id"] in seen:
            raise QuestionFileError(f"{path}: question id {item['id']!r} appears twice")
        seen.add(item["id"])
    return questions
