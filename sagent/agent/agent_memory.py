"""Agent memory: one typed record per question asked, persisted per session as JSONL.

Scene memory is separate (see scene.py) and passed explicitly; this is what the agent did.
"""

from __future__ import annotations

import fcntl
import logging
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, computed_field, model_validator

from sagent.agent.answer import Answer
from sagent.agent.solution import Attempt
from sagent.errors import InputError
from sagent.memory.files import read_bytes

log = logging.getLogger(__name__)


class StepRecord(BaseModel):
    """A question and everything that went into its answer: each program the planner wrote (`attempts`,
    whose messages were the model's conversation) and the answer they led to, or the error that ended
    them. The session keeps its JSON; `Answer` is its `answer`."""

    question: str
    options: list[str] = []
    scene: str
    planner: str
    model: str | None = None
    attempts: list[Attempt] = []
    answer: Answer | None = None
    error: str | None = None
    seconds: float = 0.0
    created: str = Field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    @model_validator(mode="before")
    @classmethod
    def _from_flat_records(cls, data: Any) -> Any:
        """Sessions written before the answer was nested kept its fields on the record itself."""
        if isinstance(data, dict) and "answer" not in data and data.get("program") and data.get("text") is not None:
            flat = {key: data[key] for key in ("value", "unit", "text", "choice", "program", "objects", "trace")
                    if key in data}
            data = {**data, "answer": {**flat, "question": data.get("question", ""), "scene": data.get("scene", ""),
                                       "planner": data.get("planner", ""), "model": data.get("model")}}
        return data

    @computed_field
    @property
    def prompt_tokens(self) -> int:
        return sum(a.prompt_tokens for a in self.attempts)

    @computed_field
    @property
    def completion_tokens(self) -> int:
        return sum(a.completion_tokens for a in self.attempts)

    def to_message(self) -> str:
        """One line for a later prompt: what was asked, what was answered, from which objects."""
        if self.error or self.answer is None:
            reason = self.error.splitlines()[0] if self.error else "none"
            return f"{self.question!r} -> no answer ({reason})"
        answer = self.answer
        shown = f"{answer.choice}. {answer.text}" if answer.choice else answer.text
        objects = f" [objects: {', '.join(answer.objects)}]" if answer.objects else ""
        return f"{self.question!r} -> {shown}{objects}"


class AgentMemory:
    """The records of one session, in order; appended to `path` (JSONL) when one is given."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path else None
        self.records: list[StepRecord] = []
        if self.path and self.path.exists():
            data = read_bytes(self.path, "session file")
            for number, raw in enumerate(data.split(b"\n"), 1):
                if not raw.strip():
                    continue
                try:
                    self.records.append(StepRecord.model_validate_json(raw.decode("utf-8")))
                except (ValidationError, ValueError):
                    # A torn line (a crash mid-write, even inside a multi-byte character) loses that record
                    # only, never the session.
                    log.warning("%s:%d is not a step record; skipped", self.path, number)

    def add(self, record: StepRecord) -> None:
        self.records.append(record)
        if self.path:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with open(self.path, "ab+") as handle:
                    # Processes sharing a session take turns: each record is one whole line, none lost.
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
                    size = handle.seek(0, os.SEEK_END)
                    torn = False
                    if size:  # a torn last line (no newline) is closed first, so this record stays whole
                        handle.seek(size - 1)
                        torn = handle.read(1) != b"\n"
                    handle.write((b"\n" if torn else b"") + record.model_dump_json().encode() + b"\n")
                    handle.flush()
                    os.fsync(handle.fileno())
            except OSError as exc:
                raise InputError(f"cannot write session file {self.path}: {exc.strerror or exc}") from None

    def history(self, limit: int = 8) -> list[str]:
        return [record.to_message() for record in self.records[-limit:]]
