"""Multiple-choice options: reading them from a list or the question, and matching an answer to one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sagent.errors import InputError
from sagent.memory import units

_OPTION = re.compile(r"^\s*\(?([A-Za-z])[\.\):]\s*(.+?)\s*$")
_INLINE = re.compile(r"(?:^|\s)\(?([A-H])[\.\)]\s+(.+?)(?=\s+\(?[A-H][\.\)]\s+|$)")


# How units are written, each a unit of sagent.memory.units.UNITS (every unit there has names here;
# a test keeps it so). Longer names first, so "square metres" wins over "metres".
UNIT_NAMES: dict[str, tuple[str, ...]] = {
    "m2": ("square meters", "square metres", "square meter", "square metre", "sq. m", "sq m", "sqm", "m2", "m²"),
    "cm2": ("square centimeters", "square centimetres", "square centimeter", "square centimetre", "sq. cm", "sq cm",
            "cm2", "cm²"),
    "mm2": ("square millimeters", "square millimetres", "square millimeter", "square millimetre", "sq. mm", "sq mm",
            "mm2", "mm²"),
    "ft2": ("square feet", "square foot", "sq. ft", "sq ft", "sqft", "ft2", "ft²"),
    "m3": ("cubic meters", "cubic metres", "cubic meter", "cubic metre", "m3", "m³"),
    "cm3": ("cubic centimeters", "cubic centimetres", "cubic centimeter", "cubic centimetre", "cm3", "cm³"),
    "ft3": ("cubic feet", "cubic foot", "cu ft", "ft3", "ft³"),
    "l": ("liters", "litres", "liter", "litre", "l"),
    "km": ("kilometers", "kilometres", "kilometer", "kilometre", "km"),
    "cm": ("centimeters", "centimetres", "centimeter", "centimetre", "cm"),
    "mm": ("millimeters", "millimetres", "millimeter", "millimetre", "mm"),
    "m": ("meters", "metres", "meter", "metre", "m"),
    "ft": ("feet", "foot", "ft"),
    "in": ("inches", "inch", "in"),
    "deg": ("degrees", "degree", "deg", "°"),
    "rad": ("radians", "radian", "rad"),
    "s": ("seconds", "second", "secs", "sec", "s"),
}
_UNIT_OF_NAME = {name: unit for unit, names in UNIT_NAMES.items() for name in names}
_QUANTITY = re.compile(r"(-?\d+(?:\.\d+)?)\s*(" + "|".join(re.escape(n) for n in sorted(_UNIT_OF_NAME, key=len, reverse=True))
                       + r")?(?![a-z0-9])", flags=re.IGNORECASE)

# A numeric option fits when it is within this factor of the answer (after unit conversion); a
# count fits only when it is equal. Beyond it the nearest option is still given, marked as no fit.
FIT_FACTOR = 2.0


class OptionError(InputError):
    """A multiple-choice option that cannot be used (an empty one)."""


@dataclass(frozen=True)
class Option:
    letter: str
    text: str


@dataclass(frozen=True)
class Choice:
    """The option an answer picks; `fits` is False when it is only the nearest of options that
    all disagree with the answer."""

    option: Option
    fits: bool


def parse_options(options: list[str] | None) -> list[Option]:
    """`["A. left", "B) right"]` -> options; an entry without a letter gets the next one.
    OptionError for an option without text."""
    parsed = []
    for index, entry in enumerate(options or []):
        text = str(entry).strip()
        match = _OPTION.match(text)
        if match and len(text) > 2:
            parsed.append(Option(match.group(1).upper(), match.group(2)))
        elif text and not re.fullmatch(r"\(?[A-Za-z][\.\):]?", text):
            parsed.append(Option(chr(ord("A") + index), text))
        else:
            raise OptionError(f"option {index + 1} ({text!r}) has no text; write options as \"A. left\"")
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


def option_quantity(text: str) -> tuple[float, str | None] | None:
    """The first number an option states and its unit, if it names one: "280 cm" -> (280.0, "cm")."""
    match = _QUANTITY.search(text)
    if not match:
        return None
    unit = match.group(2)
    return float(match.group(1)), (_UNIT_OF_NAME[unit.lower()] if unit else None)


def _in_unit(number: float, option_unit: str | None, unit: str | None) -> float | None:
    """An option's number in the answer's unit; None when the units are of different dimensions
    (or only one of the two has a unit)."""
    if option_unit is None or option_unit == unit:
        return number
    if unit is None or units.dimension_of(option_unit) != units.dimension_of(unit):
        return None
    return units.convert(number, option_unit, unit)


def _fits(value: float, stated: float, exact: bool) -> bool:
    if exact:
        return stated == value
    return abs(stated - value) <= (1 - 1 / FIT_FACTOR) * max(abs(stated), abs(value))


def _choose_number(value: float, options: list[Option], unit: str | None, exact: bool) -> Choice | None:
    numeric = []
    for option in options:
        stated = option_quantity(option.text)
        converted = _in_unit(*stated, unit) if stated else None
        if converted is not None:
            numeric.append((abs(converted - value), converted, option))
    if not numeric:
        return None
    _, stated, option = min(numeric, key=lambda item: item[0])
    return Choice(option, _fits(value, stated, exact))


def choose(value, options: list[Option], resolve_label=None, turns: bool = False, unit: str | None = None,
           exact: bool = False) -> Choice | None:
    """The option that states `value` (None when no option does and none is nearest).

    Strings match option text after `canonical` (labels also through `resolve_label`). Numbers
    pick the nearest numeric option after converting each option's unit to `unit` (the answer's;
    an option in a unit of another dimension is skipped); it fits when within FIT_FACTOR of the
    value, or, with `exact` (a count), when equal. A list matches an option listing the same
    sequence, or, for options naming one item each, the option listed earliest ("which appears
    first"). For `turns` (a route), a k-item option is matched against the last k turns: the
    blanks to fill are the turns between legs, so a leading "forward" drops out.
    """
    if not options:
        return None
    picked = _choose(value, options, resolve_label, turns, unit, exact)
    return Choice(picked, True) if isinstance(picked, Option) else picked


def _choose(value, options: list[Option], resolve_label, turns: bool, unit: str | None,
            exact: bool) -> Option | Choice | None:
    resolve = resolve_label or (lambda text: None)

    def same(a: str, b: str) -> bool:
        ca, cb = canonical(a), canonical(b)
        return ca == cb or (resolve(a) is not None and resolve(a) == resolve(b))

    if isinstance(value, bool):
        value = "yes" if value else "no"
    if isinstance(value, (int, float)):
        return _choose_number(float(value), options, unit, exact)
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
