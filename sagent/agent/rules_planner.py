"""The rules planner: question to DSL program without any language model.

It grounds the question's nouns in the scene inventory (plurals and synonyms included), finds
what is asked from cue words rather than one fixed template, and writes a program with the same
ops an LLM planner would use. When it cannot tell what is asked it says so (PlanningError); when
the question names an object the scene lacks it refuses, naming it (UnknownObject): a mention it
cannot ground is never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sagent.agent.options import UNIT_NAMES, Option, canonical
from sagent.agent.solution import Attempt, Solution
from sagent.dsl import ExecContext, run_program
from sagent.dsl.errors import did_you_mean
from sagent.errors import InputError, ModelError
from sagent.memory import units
from sagent.memory.scene import SceneMemory
from sagent.memory.vocabulary import INDOOR_OBJECTS, Mention, Vocabulary, normalize, singular


class PlanningError(ModelError):
    """The planner could not turn the question into a program."""


class UnknownObject(PlanningError, InputError):
    """The question names an object the scene lacks. The user's input, so an InputError; also a
    PlanningError, so that whoever handles the planner's refusals (the evaluation) handles it."""


@dataclass(frozen=True)
class Plan:
    program: str
    intent: str


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _objects(label: str) -> str:
    if not label.strip():
        raise PlanningError("the question names an empty object; name one of the scene's objects")
    return f"objects({_string(label)})"


def _objects_list(labels: list[str]) -> str:
    return "[" + ", ".join(_objects(label) for label in labels) + "]"


# Unit names too ambiguous in a question's words ("in in", "in s", "°") are left to the options.
_AMBIGUOUS_UNIT_NAMES = {"in", "s", "sec", "°"}
_UNIT_PHRASES = [("|".join(re.escape(n) for n in names if n not in _AMBIGUOUS_UNIT_NAMES), unit)
                 for unit, names in UNIT_NAMES.items()]
_UNIT_CONTEXT = r"(?:\bin|\(|\busing|\bas|\bhow many)\s*(?:units of\s+|terms of\s+)?(?:{units})(?!\w)"
# Units people ask for that sagent has no unit for: refused rather than answered in another one.
_UNSUPPORTED_UNITS = (r"miles?|yards?|yds|decimet(?:er|re)s?|nanomet(?:er|re)s?|micromet(?:er|re)s?|"
                      r"square (?:inch|inches|kilomet(?:er|re)s?|miles?|yards?)|sq\.? ?(?:in|km|mi|yd)|acres?|hectares?|"
                      r"light ?years?|minutes?|hours?")


def requested_unit(text: str) -> str | None:
    """The unit the question asks for ("in centimeters", "(m)", "how many feet", "in km"), if any.

    PlanningError for a unit sagent does not have ("in miles"): never answered in another unit.
    """
    for phrase, unit in _UNIT_PHRASES:
        if re.search(_UNIT_CONTEXT.format(units=phrase), text):
            return unit
    unsupported = re.search(_UNIT_CONTEXT.format(units=_UNSUPPORTED_UNITS), text)
    if unsupported:
        asked = re.search(_UNSUPPORTED_UNITS, unsupported.group(0)).group(0)
        raise PlanningError(f"sagent has no unit for {asked!r}; ask in one of: {', '.join(units.UNITS)}")
    return None


_FACING = r"\b(?:facing|face|faces|looking|look|looks|gazing|oriented|turned|heading|pointing)\s+(?:directly\s+|straight\s+)?(?:at|toward|towards|to)?\s*(?:the\s+)?$"
_STANDING = (r"\b(?:standing|stand|stands|stood|sitting|sit|positioned|located|placed|am|are|be|being|i'm|you're|"
             r"begin|beginning|start|starting|starts|from)\s+(?:right\s+)?(?:by|at|next to|beside|near|close to|in front of|on)?\s*"
             r"(?:the\s+)?$")
_TARGET_OF_DISTANCE = (r"\b(?:closest|nearest|closer|nearer|farthest|furthest|farther|further|close|near|far|distance)\s+"
                       r"(?:away\s+)?(?:to|from)?\s*(?:the\s+)?$")


# Common indoor objects (and their synonyms): a question naming one the scene lacks is refused.
_WORLD = Vocabulary(list(INDOOR_OBJECTS))
# Nouns a question's "the ..." may name that are not objects: parts, measures, the room, the observer.
_NOT_OBJECTS = frozenset("""
    size point points length width height depth dimension dimensions side sides edge edges end ends top bottom middle
    center centre corner distance gap room rooms space area floor ground ceiling wall walls object objects item items
    thing things one ones other others rest same following number total left right back front way video scene camera
    view frame image picture observer origin quadrant quadrants turn direction order appearance answer option options
    choice choices unit units y x box boxes time times category categories kind kinds type types
""".split())
# Words that make a "the ..." phrase a reference to something else ("the following categories", "the first time").
_NOT_OBJECT_MODIFIERS = frozenset("following other same first last next previous these those whole entire".split())
# Words that end a noun phrase ("the lamp next to ...", "the chair closest to ...").
_PHRASE_STOPS = frozenset("""
    in on at of to from by near next with and or than that which who whose is are was were be has have do does did if
    when while measured facing standing looking between behind beside above below under over across along into onto
    closest nearest farthest furthest closer nearer farther further biggest largest smallest tallest shortest longest
    widest narrowest bigger larger smaller taller shorter longer wider narrower highest lowest it its
""".split())
_UNIT_WORDS = frozenset(name for names in UNIT_NAMES.values() for name in names)
_THE_PHRASE = re.compile(r"\b(?:the|a|an|either)\s+([a-z]+(?:\s+[a-z]+){0,2})")


def _head_phrase(words: list[str]) -> list[str]:
    """The noun phrase at the start of `words`: up to the first word that ends one."""
    phrase = []
    for word in words:
        if word in _PHRASE_STOPS:
            break
        phrase.append(word)
    return phrase


def _listed_items(text: str) -> list[tuple[int, str]]:
    """(position, item) of each entry of a list the question writes out: "(lamp, door, tv)",
    "the piano or the door", "...: lamp, tv, sofa". Entries longer than three words are clauses, not items."""
    spans = [(m.start(1), m.group(1)) for m in re.finditer(r"\(([^()]*)\)", text)]
    spans += [(m.start(1), m.group(1)) for m in re.finditer(r":([^.?!;:]*)", text)]
    spans += [(m.start(), m.group(0)) for m in re.finditer(r"[^,;:()?.!]*\bor\b[^,;:()?.!]*", text)]
    items = []
    for start, span in spans:
        for part in re.finditer(r"[^,]+", re.sub(r"\b(?:or|and)\b", ",", span)):
            words = re.sub(r"^\s*(?:the|a|an|either)\s+", "", part.group(0)).split()
            if 0 < len(words) <= 3 and all(re.fullmatch(r"[a-z]+", w) for w in words) and _head_phrase(words) == words:
                items.append((start + part.start() + part.group(0).find(words[0]), " ".join(words)))
    return items


def _unknown_objects(names: list[str], labels: list[str]) -> UnknownObject:
    """The refusal: which objects are unknown, the closest scene label, and what the scene has."""
    first = names[0]
    kin = [label for label in labels if label.split()[-1] == first.split()[-1]]
    hint = (f" (closest match: {kin[0]!r}); the scene has: {', '.join(labels)}" if kin
            else did_you_mean(first, labels, "the scene has"))
    shown = ", ".join(repr(name) for name in names)
    return UnknownObject(f"unknown label{'s' if len(names) > 1 else ''} {shown}{hint}")


@dataclass
class _Question:
    raw: str
    text: str
    vocabulary: Vocabulary
    options: list[Option]
    mentions: list[Mention] = field(default_factory=list)

    def __post_init__(self):
        self.mentions = self.vocabulary.mentions(self.text)

    def has(self, pattern: str) -> bool:
        return re.search(pattern, self.text) is not None

    def mention_after(self, cue: str, exclude: tuple[Mention, ...] = ()) -> Mention | None:
        """The first mention whose preceding words (back to the previous mention) end with `cue`."""
        previous_end = 0
        for mention in self.mentions:
            window = self.text[previous_end:mention.start]
            if mention not in exclude and re.search(cue, window):
                return mention
            previous_end = mention.end
        return None

    def option_labels(self) -> list[str] | None:
        labels = [self.vocabulary.resolve(o.text) for o in self.options]
        return labels if self.options and all(labels) else None

    def absent_objects(self) -> list[str]:
        """Common indoor objects the question or its options name that the scene lacks."""
        found = []
        for text in [self.text, *(normalize(o.text) for o in self.options)]:
            known = self.vocabulary.mentions(text)
            for mention in _WORLD.mentions(text):
                if any(k.start < mention.end and mention.start < k.end for k in known):
                    continue
                if self.vocabulary.resolve(mention.text) or re.search(r"\bbounding\s+$", text[:mention.start]):
                    continue
                found.append(singular(mention.text))
        return _unique(found)

    def _grounded(self, start: int, words: list[str]) -> bool:
        """Whether a noun phrase at `start` names a scene object (its last word inside a mention),
        or is no object at all (a part, a measure, the room)."""
        head_start = start + len(" ".join(words[:-1])) + (1 if len(words) > 1 else 0)
        if any(m.start <= head_start < m.end for m in self.mentions) or words[0] in _NOT_OBJECT_MODIFIERS:
            return True
        phrase = " ".join(words)
        return (words[-1] in _NOT_OBJECTS or phrase in _UNIT_WORDS or re.fullmatch(_UNSUPPORTED_UNITS, phrase) is not None
                or self.vocabulary.resolve(phrase) is not None)

    def require_objects(self, options_are_objects: bool = False, articles: bool = True) -> None:
        """Refuse (UnknownObject) when a noun phrase the question writes in a list ("the piano or
        the door", "(lamp, zebra)") or, with `articles`, after an article names nothing in the
        scene; with `options_are_objects`, also an option that does not while others do."""
        phrases = [(m.start(1), _head_phrase(m.group(1).split())) for m in _THE_PHRASE.finditer(self.text)] if articles else []
        phrases += [(start, item.split()) for start, item in _listed_items(self.text)]
        unknown = [" ".join(words) for start, words in phrases if words and not self._grounded(start, words)]
        if options_are_objects and self.options:
            resolved = [self.vocabulary.resolve(o.text) for o in self.options]
            if any(resolved):
                unknown += [o.text for o, label in zip(self.options, resolved) if label is None]
        if unknown:
            raise _unknown_objects(_unique(singular(name) for name in unknown), self.vocabulary.labels)

    def option_words(self) -> set[str]:
        return {canonical(o.text) for o in self.options}


def _unique(labels) -> list[str]:
    return list(dict.fromkeys(labels))


class RulesPlanner:
    """Plans from cue words and the scene inventory; no model, fully offline."""

    name = "rules"

    def solve(self, question: str, scene: SceneMemory, options: list[Option] | None = None,
              history: list[str] | None = None) -> Solution:
        """Plan, then run; a program the scene refuses (unknown label, ambiguity) raises DslError."""
        plan = self.plan(question, scene, options)
        execution = run_program(plan.program, ExecContext(scene))
        return Solution(plan.program, execution, [Attempt(plan.program)])

    def plan(self, question: str, scene: SceneMemory, options: list[Option] | None = None) -> Plan:
        q = _Question(question, normalize(question), Vocabulary(scene.labels()), list(options or []))
        if not re.search(r"[a-z0-9]", q.text):
            raise PlanningError("the question is empty; ask about the scene's objects")
        absent = q.absent_objects()
        for intent in (self._views, self._route, self._direction, self._appearance, self._relative_distance,
                       self._count, self._room_area, self._distance, self._size_comparison, self._size):
            program = intent(q)
            if program:
                # A program naming the missing object is refused by the checker, which lists what
                # exists (as for any planner); one that would leave it out is refused here.
                dropped = [name for name in absent if _objects(name) not in program]
                if dropped:
                    raise _unknown_objects(dropped, scene.labels())
                return Plan(program=program, intent=intent.__name__.lstrip("_"))
        if absent:
            raise _unknown_objects(absent, scene.labels())
        labels = ", ".join(scene.labels()) or "none"
        raise PlanningError(
            f"the rules planner could not tell what is asked in {question!r}. It answers counts, distances, "
            f"sizes, room area, nearest/farthest, left/right/back directions, routes and appearance order "
            f"about the scene's objects ({labels}). Rephrase, or use an LLM planner (--planner llm --model ...)."
        )

    # --- intents: each returns a program, or None when the question is not of its kind ---

    _ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "sixth": 5, "last": -1}

    def _view_numbers(self, q: _Question) -> list[tuple[int, int]]:
        """(position in the text, view index) of each "view 2" / "frame 2" / "the second view" mention."""
        found = [(m.start(), int(m.group(1))) for m in re.finditer(r"\b(?:view|frame|image|picture)\s*#?\s*(\d+)", q.text)]
        found += [(m.start(), self._ORDINALS[m.group(1)]) for m in
                  re.finditer(r"\b(first|second|third|fourth|fifth|sixth|last)\s+(?:view|frame|image|picture)", q.text)]
        return sorted(found)

    def _views(self, q: _Question) -> str | None:
        """Questions about input views: how the camera moved, which view a turn leads to, and where
        an object is from a view (the camera's perspective)."""
        views = self._view_numbers(q)
        if not views:
            return None
        first = f"view({views[0][1]})"
        if len(views) >= 2 and q.has(r"\b(move|moved|movement|went|travel|travelled|traveled|get from|go from)\b"):
            return f"answer movement({first}, view({views[1][1]}))"
        if len(views) >= 2 and q.has(r"\b(turn|turned|rotate|rotated)\b"):
            return f"answer turn_direction({first}, view({views[1][1]}))"
        turned = re.search(r"\bturn(?:ing|s|ed)?\s+(?:to\s+(?:the|your|my)\s+)?(left|right|around|back)(?:\s+by)?(?:\s+(\d+)\s*(?:degrees|deg|°))?", q.text)
        if turned and q.has(r"\b(which|what)\s+(view|frame|image|picture)|\bsee\b"):
            word, degrees = turned.group(1), float(turned.group(2) or 90)
            angle = 180.0 if word in ("around", "back") else degrees if word == "left" else -degrees
            return f"answer nearest_view(turn({first}, {angle:g}deg))"
        if q.mentions and q.has(r"\b(left|right|behind|back|front)\b"):
            target = q.mentions[0]
            words = q.option_words()
            quadrant = words & {"front-left", "front-right", "back-left", "back-right"} or \
                q.has(r"\b(front|back|rear)[- ](left|right)\b")
            scheme = "quadrant" if quadrant else "left_right_back" if ("back" in words or q.has(r"\b(behind|back)\b")) \
                else "left_right"
            return f"answer direction({first}, {_objects(target.label)}, scheme={_string(scheme)})"
        return None

    def _route(self, q: _Question) -> str | None:
        if not q.has(r"\b(navigate|forward until|route|walk to|get to)\b"):
            return None
        start = q.mention_after(_STANDING)
        facing = q.mention_after(_FACING, exclude=(start,) if start else ())
        legs = [m for m in q.mentions if re.search(r"\buntil\s+(?:you\s+(?:reach|get to)\s+)?(?:the\s+)?$", q.text[:m.start])]
        if not legs:
            goal = q.mention_after(r"\b(?:navigate|go|get|walk|move)\s+(?:to|towards?)\s+(?:the\s+)?$")
            legs = [goal] if goal else []
        if not (start and facing and legs):
            return None
        waypoints = _objects_list([m.label for m in legs])
        return f"answer route({_objects(start.label)}, {_objects(facing.label)}, {waypoints})"

    def _direction(self, q: _Question) -> str | None:
        words = q.option_words()
        if not (q.has(r"\b(left|right|behind|back|front)\b") or words & {"left", "right", "back"}):
            return None
        facing = q.mention_after(_FACING)
        if facing is None:
            return None
        standing = q.mention_after(_STANDING, exclude=(facing,))
        if standing is None:
            earlier = [m for m in q.mentions if m.start < facing.start]
            standing = earlier[0] if earlier else None
        if standing is None:
            return None
        used = {standing.label, facing.label}
        rest = [m for m in q.mentions if m not in (standing, facing)]
        target = next((m for m in rest if m.label not in used), rest[0] if rest else None)
        if target is None:
            return None
        quadrant = {"front-left", "front-right", "back-left", "back-right"}
        observer = f"me = viewpoint({_objects(standing.label)}, {_objects(facing.label)})\n"
        asked = re.search(r"\b(front|back|rear)[- ](left|right)\b|\b(behind|back|left|right)\b", q.text[target.end:])
        sentence = q.text[max(q.text.rfind(c, 0, target.start) for c in ".!?;") + 1:]
        if not q.options and re.match(r"\s*(is|are|was|would|will)\b", sentence) and " or " not in sentence and asked:
            word = canonical(asked.group(0))
            scheme = "quadrant" if word in quadrant else "left_right_back" if word == "back" else "left_right"
            return (observer + f"where = direction(me, {_objects(target.label)}, scheme={_string(scheme)})\n"
                    f"answer equals(where, {_string(word)})")
        if words & quadrant or q.has(r"\b(front|back|rear)[- ](left|right)\b|\bquadrant"):
            scheme = "quadrant"
        elif "back" in words or q.has(r"\b(back|behind)\b"):
            scheme = "left_right_back"
        else:
            scheme = "left_right"
        return observer + f"answer direction(me, {_objects(target.label)}, scheme={_string(scheme)})"

    def _appearance(self, q: _Question) -> str | None:
        if not q.has(r"\b(appear|appears|appearance|appeared|first seen|seen first|shows? up|showed up)\b"):
            return None
        q.require_objects(articles=False)  # its wording ("the following categories") is not about objects
        labels = _unique(m.label for m in q.mentions) or q.option_labels() or []
        if len(labels) < 2:
            return None
        return f"answer appearance_order({_objects_list(labels)})"

    def _relative_distance(self, q: _Question) -> str | None:
        near_words = r"closest|nearest|closer|nearer|(?:smallest|shortest|least|minimum|minimal|lowest) distance"
        far_words = r"farthest|furthest|farther|further|(?:largest|greatest|longest|biggest|maximum|highest) distance"
        match = re.search(rf"\b({near_words}|{far_words})\b", q.text)
        if not match:
            return None
        q.require_objects(options_are_objects=True)
        target = q.mention_after(_TARGET_OF_DISTANCE)
        candidates = q.option_labels()
        if candidates is None:
            in_brackets = re.search(r"\(([^)]*)\)", q.text)
            inside = [m for m in q.mentions if in_brackets and in_brackets.start() < m.start < in_brackets.end()]
            pool = inside if len(inside) >= 2 else q.mentions
            candidates = [m.label for m in pool if m is not target]
        if target is None:
            rest = [m for m in q.mentions if m.label not in candidates]
            target = rest[-1] if rest else None
        if target is None:
            return None
        candidates = [c for c in _unique(candidates) if c != target.label]
        if not candidates:
            return None
        far = re.fullmatch(far_words, match.group(1)) is not None
        if re.match(r"\s*(is|are|was|does|do)\b", q.text) and " than " in q.text and len(candidates) >= 2:
            a, b = candidates[:2]
            relation = ">" if far else "<"
            return (f"d1 = distance({_objects(a)}, {_objects(target.label)})\n"
                    f"d2 = distance({_objects(b)}, {_objects(target.label)})\n"
                    f"answer compare(d1, {_string(relation)}, d2)")
        return f"answer {'farthest' if far else 'nearest'}({_objects_list(candidates)}, {_objects(target.label)})"

    def _count(self, q: _Question) -> str | None:
        match = re.search(r"\b(how many|number of|count|quantity of|total of)\s+(?:the\s+)?([a-z][a-z ]*)", q.text)
        if not match or requested_unit(q.text):
            return None
        after = [m for m in q.mentions if m.start >= match.start(2)]
        before = [m for m in q.mentions if m.end <= match.start()]
        if after:
            label = after[0].label
        elif before and re.match(r"(are|is|there|exist|do|can)\b", match.group(2)):  # "chairs: how many are there?"
            label = before[-1].label
        else:  # an object the scene lacks: name it anyway, and the checker lists what exists
            noun = re.split(r"\b(are|is|in|of|there|do|does|can|on|at|that|which)\b", match.group(2))[0].strip()
            if not noun:
                return None
            label = q.vocabulary.resolve(noun) or singular(noun)
        return f"answer count({_objects(label)})"

    def _room_area(self, q: _Question) -> str | None:
        room = r"(room|rooms|space|apartment|house|flat|floor|area)"
        sized = r"(size|area|big|large|square|footprint|spacious|dimensions?)"
        explicit = q.has(rf"\b{sized}\b[^.?]{{0,25}}\b(this|the|whole|entire|combined)\s+{room}\b|\b{room}\s+(size|area)\b|"
                         rf"\bfloor area\b|\bhow (big|large|spacious) is (the|this) (room|space|apartment)\b")
        implicit = not q.mentions and q.has(rf"\b{sized}\b") and q.has(rf"\b{room}\b")
        if not (explicit or implicit):
            return None
        unit = requested_unit(q.text) or "m2"
        if units.dimension_of(unit) == "length" and f"{unit}2" in units.UNITS:
            unit = f"{unit}2"  # "in metres" of an area means square metres
        if units.dimension_of(unit) != "area":
            areas = ", ".join(u for u, (dimension, _) in units.UNITS.items() if dimension == "area")
            raise PlanningError(f"a floor area cannot be given in {unit}; ask in one of: {areas}")
        return f"answer to(room_area(), {_string(unit)})"

    def _distance(self, q: _Question) -> str | None:
        if not q.has(r"\b(distance|how far|far apart|how close|apart|separat\w*|gap|between)\b"):
            return None
        q.require_objects()
        if len(q.mentions) < 2:
            return None
        first = q.mentions[0]
        second = next((m for m in q.mentions[1:] if m.label != first.label), q.mentions[1])
        unit = requested_unit(q.text) or "m"
        return f"answer to(distance({_objects(first.label)}, {_objects(second.label)}), {_string(unit)})"

    @staticmethod
    def _dimension(q: _Question) -> str:
        if q.has(r"\b(longest|largest|biggest|greatest|maximum|max|overall)\b|\bsize\b|\bhow (big|large)\b|\bbigger|larger|smaller"):
            return "longest"
        if q.has(r"\b(tall|taller|tallest|height|high|higher|shorter|shortest)\b"):
            return "height"
        if q.has(r"\b(wide|wider|widest|width|narrow\w*)\b"):
            return "width"
        if q.has(r"\b(long|longer|length)\b"):
            return "length"
        return "longest"

    def _size_comparison(self, q: _Question) -> str | None:
        match = re.search(r"\b(bigger|larger|biggest|largest|taller|tallest|longer|longest|wider|widest|"
                          r"smaller|smallest|shorter|shortest|narrower|narrowest)\b", q.text)
        if not match:
            return None
        q.require_objects(options_are_objects=True)
        labels = q.option_labels() or _unique(m.label for m in q.mentions)
        if len(labels) < 2 or q.has(r"\bdimension\b"):
            return None
        dimension = self._dimension(q)
        small = match.group(1).startswith(("small", "short", "narrow"))
        if re.match(r"\s*(is|are|was)\b", q.text) and " than " in q.text:
            relation = "<" if small else ">"
            return (f"answer compare(size({_objects(labels[0])}, dimension={_string(dimension)}), {_string(relation)}, "
                    f"size({_objects(labels[1])}, dimension={_string(dimension)}))")
        chooser = "smallest" if small else "largest"
        return f"answer {chooser}({_objects_list(labels)}, dimension={_string(dimension)})"

    def _size(self, q: _Question) -> str | None:
        if not q.has(r"\b(size|dimension|dimensions|big|large|tall|high|height|long|length|wide|width|measure|measures)\b"):
            return None
        q.require_objects()
        if not q.mentions:
            return None
        dimension = self._dimension(q)
        unit = requested_unit(q.text) or "cm"  # one of another dimension is refused by the checker
        return f"answer to(size({_objects(q.mentions[0].label)}, dimension={_string(dimension)}), {_string(unit)})"
