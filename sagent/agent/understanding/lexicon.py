"""The words questions use, one table each: units, amounts, measures, comparatives, relations,
directions. Every reader of questions (the rules reader, the answer-kind check) uses these."""

from __future__ import annotations

import re

from sagent.agent.options import UNIT_NAMES
from sagent.agent.understanding.errors import PlanningError
from sagent.memory import units

UNIT_WORDS = frozenset(name for names in UNIT_NAMES.values() for name in names)
_UNIT_OF_NAME = {name: unit for unit, names in UNIT_NAMES.items() for name in names}

# Unit names too ambiguous in a question's words ("in in", "in s", "°", "a l") are left to the options.
_AMBIGUOUS_UNIT_NAMES = {"in", "s", "sec", "°", "l"}
_UNIT_PHRASES = [("|".join(re.escape(n) for n in names if n not in _AMBIGUOUS_UNIT_NAMES), unit)
                 for unit, names in UNIT_NAMES.items()]
_UNIT_CONTEXT = r"(?:\bin|\(|\busing|\bas|\bhow many)\s*(?:units of\s+|terms of\s+)?(?:{units})(?!\w)"
# Units people ask for that sagent has no unit for: refused rather than answered in another one.
UNSUPPORTED_UNITS = (r"miles?|yards?|yds|decimet(?:er|re)s?|nanomet(?:er|re)s?|micromet(?:er|re)s?|"
                     r"square (?:inch|inches|kilomet(?:er|re)s?|miles?|yards?)|sq\.? ?(?:in|km|mi|yd)|acres?|hectares?|"
                     r"light ?years?|minutes?|hours?|gallons?")


def requested_unit(text: str) -> str | None:
    """The unit the question asks for ("in centimeters", "(m)", "how many feet", "in km"), if any.

    PlanningError for a unit sagent does not have ("in miles"): never answered in another unit.
    """
    for phrase, unit in _UNIT_PHRASES:
        if phrase and re.search(_UNIT_CONTEXT.format(units=phrase), text):
            return unit
    unsupported = re.search(_UNIT_CONTEXT.format(units=UNSUPPORTED_UNITS), text)
    if unsupported:
        asked = re.search(UNSUPPORTED_UNITS, unsupported.group(0)).group(0)
        raise PlanningError(f"sagent has no unit for {asked!r}; ask in one of: {', '.join(units.UNITS)}")
    return None


# --- amounts written in the question: "2 m", "90 cm", "half a metre", "one and a half metres" ---

_NUMBER_WORDS = {"a": 1.0, "an": 1.0, "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0,
                 "six": 6.0, "ten": 10.0, "half a": 0.5, "half an": 0.5, "a half": 0.5, "one and a half": 1.5,
                 "a quarter of a": 0.25, "quarter of a": 0.25, "a couple of": 2.0}
_AMOUNT_UNIT_NAMES = sorted((n for n in _UNIT_OF_NAME if n not in ("°", "s", "sec", "secs", "second", "seconds")),
                            key=len, reverse=True)
_AMOUNT_UNITS = "|".join(re.escape(n) for n in _AMOUNT_UNIT_NAMES)
_AMOUNT = re.compile(
    rf"(?<![\w.])(\d+(?:\.\d+)?|{'|'.join(sorted((re.escape(w) for w in _NUMBER_WORDS), key=len, reverse=True))})"
    rf"(?:\s*-\s*|\s*)({_AMOUNT_UNITS})(?![a-z0-9²³])")


def amounts(text: str) -> list[tuple[int, float, str]]:
    """(position, value, unit) of each quantity the question states, in order."""
    found = []
    for match in _AMOUNT.finditer(text):
        number, name = match.group(1), match.group(2)
        if name == "in" and not re.match(r"\d", number):  # "a in" is not an inch
            continue
        value = float(number) if re.match(r"\d", number) else _NUMBER_WORDS[number]
        found.append((match.start(), value, _UNIT_OF_NAME[name]))
    return found


# --- measures: which dimension a word asks about ---

# Comparative and superlative adjectives: (measure, best). "bigger" with no dimension named is by volume.
COMPARATIVES: dict[str, tuple[str, str]] = {}
for _words, _value in (
    ("bigger larger biggest largest greater", ("volume", "max")),
    ("smaller smallest tinier tiniest littler littlest", ("volume", "min")),
    ("taller tallest", ("height", "max")),
    ("shorter shortest", ("height", "min")),
    ("longer longest", ("length", "max")),
    ("wider widest broader broadest", ("width", "max")),
    ("narrower narrowest thinner thinnest", ("width", "min")),
    ("higher highest", ("elevation_center", "max")),
    ("lower lowest", ("elevation_center", "min")),
):
    for _word in _words.split():
        COMPARATIVES[_word] = _value
for _phrase in ("further up", "farther up", "higher up", "higher off the floor"):
    COMPARATIVES[_phrase] = ("elevation_center", "max")
for _phrase in ("further down", "farther down", "lower down", "closer to the floor"):
    COMPARATIVES[_phrase] = ("elevation_center", "min")
COMPARATIVE_WORDS = "|".join(sorted(COMPARATIVES, key=len, reverse=True))
SMALLER_WORDS = frozenset(w for w, (_, best) in COMPARATIVES.items() if best == "min")

# A dimension the question names outright ("by height", "in terms of footprint", "the volume of").
NAMED_MEASURES: tuple[tuple[str, str], ...] = (
    (r"\blongest (?:dimension|side|edge)\b|\blongest of (?:its|their) (?:dimensions|sides)\b", "longest"),
    (r"\bfootprint\b|\bfloor (?:space|area)\b(?! of (?:this|the) room)|\bfloor\b.*\b(?:take up|takes up|cover|covers|occupy|occupies)\b|\btakes? up\b.*\bfloor\b|\bsurface area\b|"
     r"\barea of the\b|\bhow much area\b|\bfloor area does\b|\barea does\b.*\bcover\b", "footprint"),
    (r"\bvolume\b|\bcubic\b|\bhow much space\b|\blit(?:er|re)s?\b|\bbulk\b|\bspace does\b.*\boccupy\b", "volume"),
    (r"\bheights?\b|\btall\b|\btallness\b", "height"),
    (r"\bwidths?\b|\bwide\b|\bbreadth\b|\bthick(?:ness)?\b|\bdeep\b|\bdepth\b", "width"),
    (r"\blengths?\b|\blong\b", "length"),
)


def named_measure(text: str) -> str | None:
    """The dimension a question names, if it names one."""
    for pattern, measure in NAMED_MEASURES:
        if re.search(pattern, text):
            return measure
    return None


# --- relations between objects ---

RELATION_PHRASES: tuple[tuple[str, str], ...] = (
    (r"on top of|sitting on|resting on|standing on|placed on|lying on|set on|on", "on"),
    (r"underneath|beneath|under", "under"),
    (r"above|over", "above"),
    (r"below", "below"),
    (r"next to|beside|besides|alongside|adjacent to|by|right by|right next to", "next_to"),
    (r"near to|near|nearby|close to|close by|around|in the vicinity of|not far from", "near"),
)
RELATION_PATTERN = "|".join(p for p, _ in RELATION_PHRASES)


def relation_of(phrase: str) -> str | None:
    phrase = phrase.strip()
    for pattern, relation in RELATION_PHRASES:
        if re.fullmatch(pattern, phrase):
            return relation
    return None


# --- comparisons with a stated amount: "more than", "at least", "under" ---

COMPARISON_PHRASES: tuple[tuple[str, str], ...] = (
    (r"at least|no less than|not less than|a minimum of", ">="),
    (r"at most|no more than|not more than|a maximum of|within|up to", "<="),
    (r"more than|over|greater than|above|longer than|taller than|wider than|higher than|bigger than|larger than|"
     r"farther than|further than|exceeding|exceeds?", ">"),
    (r"less than|under|below|shorter than|narrower than|lower than|smaller than|closer than|nearer than|fewer than", "<"),
)
COMPARISON_PATTERN = "|".join(p for p, _ in COMPARISON_PHRASES)


def comparison_of(phrase: str) -> str | None:
    for pattern, relation in COMPARISON_PHRASES:
        if re.fullmatch(pattern, phrase.strip()):
            return relation
    return None


QUADRANT_WORDS = frozenset({"front-left", "front-right", "back-left", "back-right"})
DIRECTION_WORDS = frozenset({"left", "right", "back", "forward", "front", *QUADRANT_WORDS})
