"""Multiple-choice options: reading them from a list or the question, and matching an answer to one."""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPTION = re.compile(r"^\s*\(?([A-Za-z])[\.\):]\s*(.+?)\s*$")
_INLINE = re.compile(r"(?:^|\s)\(?([A-H])[\.\)]\s+(.+?)(?=\s+\(?[A-H][\.\)]\s+|$)")


@dataclass(frozen=True)
class Option:
    letter: str
    text: str


def parse_options(options: list[str] | None) -> list[Option]:
    """`["A. left", "B) right"]` -> options; an entry without a letter gets the next one."""
    parsed = []
    for index, entry in enumerate(options or []):
        match = _OPTION.match(str(entry))
        if match and len(str(entry).strip()) > 2:
            parsed.append(Option(match.group(1).upper(), match.group(2)))
        else:
            parsed.append(Option(chr(ord("A") + index), str(entry).strip()))
    return parsed


def split_inline_options(question: str) -> tuple[str, list[Option]]:
    """Options written into the question text ("... Options: A. left B. right"), removed from it."""
    marker = re.search(r"\b(options|choices)\s*:", question, flags=re.IGNORECASE)
    tail_start = marker.end() if marker else None
    if tail_start is None:
        first = re.search(r"(?:^|\s)\(?A[\.\)]\s+\S", question)
        if not first or not re.search(r"\s\(?B[\.\)]\s+\S", question[first.start():]):
            return question, []
        tail_start = first.start()
    tail = question[tail_start:].replace("\n", " ").strip()
    options = [Option(m.group(1), m.group(2).strip(" ,;")) for m in _INLINE.finditer(tail)]
    if len(options) < 2:
        return question, []
    head = question[: marker.start() if marker else tail_start].rstrip()
    return head, options


_DIRECTION_WORDS = {"behind": "back", "behind me": "back", "my back": "back", "to my back": "back",
                    "front left": "front-left", "front right": "front-right", "back left": "back-left",
                    "back right": "back-right", "left front": "front-left", "right front": "front-right",
                    "left back": "back-left", "right back": "back-right", "rear left": "back-left",
                    "rear right": "back-right", "straight ahead": "forward", "ahead": "forward", "front": "forward"}


def canonical(text: str) -> str:
    """Lower-case words with articles, 'turn' and punctuation dropped; direction synonyms unified."""
    text = re.sub(r"[^\w\s-]", " ", str(text).lower()).replace("_", " ")
    text = re.sub(r"\b(the|a|an|to|of|my|turn|go)\b", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return _DIRECTION_WORDS.get(text, _DIRECTION_WORDS.get(text.replace("-", " "), text))


def _number(text: str) -> float | None:
    match = re.search(r"-?\d+(\.\d+)?", text)
    return float(match.group()) if match else None


def choose(value, options: list[Option], resolve_label=None, turns: bool = False) -> Option | None:
    """The option that states `value`.

    Strings match option text after `canonical` (labels also through `resolve_label`); numbers
    pick the nearest numeric option; a list matches an option listing the same sequence, or, for
    options naming one item each, the option listed earliest ("which appears first"). For `turns`
    (a route), a k-item option is matched against the last k turns: the blanks to fill are the
    turns between legs, so a leading "forward" drops out.
    """
    if not options:
        return None
    resolve = resolve_label or (lambda text: None)

    def same(a: str, b: str) -> bool:
        ca, cb = canonical(a), canonical(b)
        return ca == cb or (resolve(a) is not None and resolve(a) == resolve(b))

    if isinstance(value, bool):
        value = "yes" if value else "no"
    if isinstance(value, (int, float)):
        numeric = [(abs(n - value), o) for o in options if (n := _number(o.text)) is not None]
        return min(numeric, key=lambda pair: pair[0])[1] if numeric else None
    if isinstance(value, str):
        return next((o for o in options if same(value, o.text)), None)
    if isinstance(value, (list, tuple)):
        items = [str(v) for v in value]
        for option in options:
            parts = [p for p in re.split(r",|;|->|\bthen\b", option.text) if p.strip()]
            if turns and 0 < len(parts) <= len(items):
                compared = items[-len(parts):]
            elif len(parts) == len(items):
                compared = items
            else:
                continue
            if all(same(a, b) for a, b in zip(compared, parts)):
                return option
        if not turns:
            ranked = [(i, o) for o in options for i, item in enumerate(items) if same(item, o.text)]
            return min(ranked, key=lambda pair: pair[0])[1] if ranked else None
    return None
