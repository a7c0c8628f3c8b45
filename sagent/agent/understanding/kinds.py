"""Does the answer's kind fit the question? A count question answered with an area, "is there"
answered with a number, label options answered with a number: sent back for repair before
running, and never printed as an answer.

What the question asks comes first from the options (labels, direction or turn words, numbers
with units), then from the task frame the rules reader fills (the same reading the rules planner
plans from), then, for questions it cannot read, from a unit the question asks for and a few cue
phrases ("how many", "how far", "left or right"). A question none of these can read gets no
expectation, and an answer whose static type is unknown (`Value`) is never refused.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass

from sagent.agent.options import Option, canonical, option_quantity
from sagent.agent.understanding.frame import TaskFrame
from sagent.agent.understanding.lexicon import DIRECTION_WORDS, UNIT_WORDS, requested_unit
from sagent.agent.understanding.reader import RulesReader, plain_question
from sagent.dsl.checker import Unknown
from sagent.dsl.types import (
    Bool,
    Count,
    Direction,
    Length,
    Number,
    Objects,
    Quantity,
    Text,
    Turns,
    Value,
    quantity_type,
    type_name,
)
from sagent.errors import ModelError, SagentError
from sagent.memory import units
from sagent.memory.vocabulary import Vocabulary

_UNIT_NAME_WORDS = frozenset(w for name in UNIT_WORDS for w in re.findall(r"[a-z²³]+", name))
_OPTION_DIRECTIONS = DIRECTION_WORDS - {"front"}
_HINT = {
    "count": "count(objects(...))",
    "length": 'a length, e.g. distance(...) or size(...), converted with to(..., "cm")',
    "area": 'an area, e.g. to(room_area(), "m2")',
    "object": "one of the objects, e.g. nearest([...], ...)",
    "direction": "a direction, e.g. direction(viewpoint(...), ..., scheme=...)",
}


@dataclass(frozen=True)
class Expected:
    """What the question asks for, in words for the model, and the static answer types that fit."""

    description: str
    fits: tuple[object, ...]
    hint: str = ""

    def accepts(self, answer_type) -> bool:
        """Fits when listed, a subtype of one listed (Label of Text, Length of Quantity), or a quantity
        of statically unknown dimension where a quantity is asked for."""
        if answer_type in self.fits:
            return True
        if typing.get_origin(answer_type) is not None or not isinstance(answer_type, type):
            return False
        plain = [f for f in self.fits if typing.get_origin(f) is None and isinstance(f, type)]
        return any(issubclass(answer_type, f) or (answer_type is Quantity and issubclass(f, Quantity)) for f in plain)


def _quantity(dimension: str, cue: str) -> Expected:
    kind = quantity_type(units.BASE_UNIT[dimension])
    article = "an" if dimension[0] in "aeiou" else "a"
    # Not a plain Number: a ratio is no length, and a count no answer to "how far".
    return Expected(f"{article} {dimension} ({cue})", (kind,), _HINT.get(dimension, ""))


COUNT = Expected("a count (how many)", (Count,), _HINT["count"])
OBJECT = Expected("one of the objects the options name", (Objects, list[Objects], Text), _HINT["object"])
DIRECTION = Expected("a direction or turn (the options are direction words)", (Direction, Turns, Text), _HINT["direction"])
DIRECTION_QUESTION = Expected("a direction (left or right, ...)", (Direction, Turns, Text), _HINT["direction"])
YES_NO = Expected("yes or no", (Bool,), "e.g. exists(...), related(...) or compare(...)")
NUMBER = Expected("a number (the options are numbers)", (Count, Number, Quantity))


def _unit(text: str) -> str | None:
    try:
        return requested_unit(text.lower())
    except ModelError:  # a unit sagent lacks: the planner's business, not a kind to insist on
        return None


def _option_parts(option: Option) -> list[str]:
    return [p.strip() for p in re.split(r",|;|->|\bthen\b", option.text) if p.strip()]


def _from_options(question: str, options: list[Option], labels: list[str]) -> Expected | None:
    parts = [[canonical(p) for p in _option_parts(o)] for o in options]
    words = [w for ws in parts for w in ws]
    if not words:
        return None
    if all(w in _OPTION_DIRECTIONS for w in words):
        return DIRECTION
    if all(w in ("yes", "no", "true", "false") for w in words):
        return YES_NO
    resolve = Vocabulary(labels).resolve
    if labels and all(resolve(p) is not None for o in options for p in _option_parts(o)):
        return OBJECT
    quantities = [option_quantity(o.text) for o in options]
    if all(q is not None and set(re.findall(r"[a-z²]+", o.text.lower())) <= _UNIT_NAME_WORDS for q, o in zip(quantities, options)):
        stated = {unit for _, unit in quantities if unit}
        dimensions = {units.dimension_of(u) for u in stated}
        if len(dimensions) == 1:
            return _quantity(dimensions.pop(), "the options are measurements")
        asked = _from_question(question)  # plain numbers: a count or a measurement, as the question says
        if asked is not None and any(issubclass(f, (Count, Quantity)) for f in asked.fits if isinstance(f, type)):
            return Expected(asked.description, (*asked.fits, Number), asked.hint)  # "2.5" matches 2.5 m
        return NUMBER
    return None


# Cue phrases, each for one kind; a question with cues of two kinds ("the number of metres ... how far")
# is left unread rather than guessed.
_CUES = (
    (r"\bhow many\b|\bnumber of\b|\bcount (?:the|all|how)\b", COUNT),
    (r"\bhow far\b|\bdistance (?:between|from|to)\b|\bhow (?:tall|high|wide|deep)\b", _quantity("length", "how far / how tall")),
    # "area" alone names places too ("the reading area"): only a floor or room's area, or square units.
    (r"\b(?:floor|room|usable) area\b|\barea of (?:this|the|that|my|our|your) (?:room|apartment|flat|house|"
     r"home|space|floor|place)\b|\bsize of (?:this|the) (?:room|apartment|house|space)\b|"
     r"\bsquare (?:met(?:er|re)s?|feet|foot)\b", _quantity("area", "a floor area")),
    (r"\bleft\b[^.?]*\bor\b[^.?]*\bright\b|\bright\b[^.?]*\bor\b[^.?]*\bleft\b|\bfront-left\b", DIRECTION_QUESTION),
    # "is ...?", "are there ...?", "does ...?" with no alternatives and no question word inside
    (r"^\s*(?:is|are|was|were|does|do|did|can|could|would|will|has|have)\b(?![^?]*\b(?:or|how|what|which|where|when|"
     r"who|whether|if)\b)", YES_NO),
)
_TURNING = r"\bturn|\brotat|\bangle\b"  # "how far did it turn" asks for an angle


def _from_question(question: str) -> Expected | None:
    text = plain_question(question.lower())
    unit = _unit(text)
    if unit is not None:
        return _quantity(units.dimension_of(unit), f"in {unit}")
    found = [kind for pattern, kind in _CUES if re.search(pattern, text)]
    if re.search(_TURNING, text):
        found = [kind for kind in found if Length not in kind.fits]
    return found[0] if len(found) == 1 else None


_BY_KIND = {
    "yes_no": YES_NO,
    "count": COUNT,
    "label": Expected("one object (a label)", (Objects,), "e.g. largest([...]) or nearest([...], ...)"),
    "labels": Expected("a set of objects (labels)", (list[Objects],), 'e.g. related_to("on", objects(...))'),
    "direction": DIRECTION_QUESTION,
    "turns": Expected("the turns of a route", (Turns, Direction, Text), "route(...)"),
    "text": Expected("a description", (Text,)),
    "view": Expected("an input view's number", (Count, Number), "nearest_view(...)"),
    "number": Expected("a plain number (a ratio)", (Number,), "ratio(..., ...)"),
    "name": Expected("the name of an object", (Text,), "not_in_scene([...])"),
}


def kind_of_frame(frame: TaskFrame) -> Expected:
    """The answers that fit a task frame."""
    kind = frame.kind
    if kind in ("length", "area", "volume", "angle"):
        cue = f"in {frame.unit}" if frame.unit else frame.task.replace("_", " ")
        return _quantity(kind, cue)
    return _BY_KIND[kind]


def _from_frame(question: str, options: list[Option], labels: list[str],
                instance_counts: dict[str, int] | None = None) -> Expected | None:
    try:
        frame = RulesReader(question, labels, options, instance_counts).frame()
    except SagentError:  # not read (or an object the scene lacks): no expectation from the frame
        return None
    return kind_of_frame(frame)


def expected_answer(question: str, options: list[Option] | None = None, labels: list[str] | None = None,
                    instance_counts: dict[str, int] | None = None) -> Expected | None:
    """What kind of answer the question asks for, or None when it cannot tell. `instance_counts` (boxes
    per label) lets the reading tell "the lamp next to the bed" (one of several lamps) from a relation."""
    if options:
        found = _from_options(question, options, list(labels or []))
        if found is not None:
            return found
    if labels:
        found = _from_frame(question, list(options or []), list(labels), instance_counts)
        if found is not None:
            return found
    return _from_question(question)


def _named(answer_type) -> str:
    name = type_name(answer_type)
    if typing.get_origin(answer_type) is list:
        return f"a list ({name})"
    return ("an " if name[0] in "AEIOU" else "a ") + name


def kind_problem(answer_type, question: str, options: list[Option] | None = None,
                 labels: list[str] | None = None, instance_counts: dict[str, int] | None = None) -> str | None:
    """A message for the model when the answer's static type cannot answer the question; else None."""
    expected = expected_answer(question, options, labels, instance_counts)
    if expected is None or not known_type(answer_type):
        return None
    if expected.accepts(answer_type):
        return None
    hint = f"; answer with {expected.hint}" if expected.hint else ""
    return f"the question asks for {expected.description}; your program answers {_named(answer_type)}{hint}"


def known_type(answer_type) -> bool:
    """False for the statically unknown (`Value`, or the checker's `Unknown`): never refused."""
    if typing.get_origin(answer_type) is list:
        return known_type(typing.get_args(answer_type)[0])
    return isinstance(answer_type, type) and answer_type is not Value and not issubclass(answer_type, Unknown)
