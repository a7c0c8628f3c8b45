"""The rules reader: a question's words to a task frame, without any model.

It grounds the question's nouns in the scene inventory, finds what is asked from cue words
rather than one fixed template, and fills the frame every planner shares. When it cannot tell
what is asked it says so (PlanningError); when the question names an object the scene lacks it
refuses, naming it (UnknownObject), unless the question asks whether it is there or how many.
"""

from __future__ import annotations

import re

from sagent.agent.options import Option
from sagent.agent.understanding import lexicon, viewpoints
from sagent.agent.understanding.errors import PlanningError
from sagent.agent.understanding.frame import Amount, ObjectRef, TaskFrame
from sagent.agent.understanding.inventory import InventoryReading
from sagent.agent.understanding.question import (
    Question,
    Reference,
    unique,
    unknown_objects,
)
from sagent.agent.understanding.wording import plain_question
from sagent.memory import units
from sagent.memory.scene import SceneMemory
from sagent.memory.vocabulary import Vocabulary, normalize

_TARGET_OF_DISTANCE = (r"\b(?:closest|nearest|closer|nearer|farthest|furthest|farther|further|close|near|far|distance)\s+"
                       r"(?:away\s+)?(?:to|from)?\s*(?:the\s+)?$")
_HORIZONTAL = (r"(?<!ignoring )(?<!ignoring the )\bhorizontal(?:ly)?\b|\balong the floor\b|\bacross the floor\b|\bon the floor plan\b|\bignoring (?:the )?height|"
               r"\bregardless of height|\bfrom above\b|\bseen from above\b|\bin plan\b|\bbird'?s[- ]eye\b")
_MEASURE_NOUNS = r"floor space|floor area|footprint|volume|space|room|area|height|length|width"
_YES_NO_START = r"^\s*(?:is|are|was|were|does|do|did|can|could|would|will|has|have)\b"
_GENERIC = r"\b(?:object|objects|thing|things|item|items|furniture|piece of furniture|anything|something|what)\b"


def instance_counts(scene: SceneMemory) -> dict[str, int]:
    """Boxes per label: how the reader tells one of several ("the lamp next to the bed") from a relation."""
    return {label: len(scene.instances(label)) for label in scene.labels()}


def read(question: str, scene: SceneMemory, options: list[Option] | None = None) -> TaskFrame:
    """The task frame of `question` about `scene`, or PlanningError / UnknownObject."""
    return RulesReader(question, scene.labels(), options, instance_counts(scene), views=len(scene.cameras)).frame()


class RulesReader(InventoryReading):
    def __init__(self, question: str, labels: list[str], options: list[Option] | None = None,
                 instance_counts: dict[str, int] | None = None, views: int = 0):
        self.labels = list(labels)
        vocabulary = Vocabulary(self.labels)
        self.q = Question(question, plain_question(normalize(question), vocabulary), vocabulary, list(options or []),
                          dict(instance_counts or {}), views=views)

    def frame(self) -> TaskFrame:
        q = self.q
        if not re.search(r"[a-z0-9]", q.text):
            raise PlanningError("the question is empty; ask about the scene's objects")
        if re.search(r"[,;]?\s+and\s+(?:which|what|how|where|is|are|does|do|can)\b", q.text):
            raise PlanningError(f"the question asks more than one thing ({q.raw!r}); ask one at a time")
        absent = q.absent_objects()
        readers = (self._absent_choice, lambda: viewpoints.camera_relation(q), lambda: viewpoints.views(q),
                   lambda: viewpoints.route(q),
                   lambda: viewpoints.side_listing(q),
                   lambda: viewpoints.direction(q),
                   lambda: viewpoints.appearance(q), self._existence,
                   self._count_total, self._count, self._listing, self._between, self._relation,
                   self._amount_comparison, self._difference, self._elevation, self._relative_distance,
                   self._room_area, self._room_size, self._distance, self._size_comparison, self._size, self._locate)
        for intent in readers:
            frame = intent()
            if frame is not None:
                if frame.task not in ("exists", "count", "count_total", "absent_choice"):
                    named = {o.label for o in _all_refs(frame)}
                    dropped = [name for name in absent if name not in named]
                    if dropped:
                        raise unknown_objects(dropped, self.labels)
                return frame
        if absent:
            raise unknown_objects(absent, self.labels)
        raise PlanningError(
            f"the rules planner could not tell what is asked in {q.raw!r}. It answers existence, counts, "
            f"distances, sizes, heights above the floor, comparisons, superlatives, on/under/next-to relations, "
            f"room area, directions from a viewpoint, routes and appearance order about the scene's objects "
            f"({', '.join(self.labels) or 'none'}). Rephrase, or use an LLM planner (--planner llm --model ...).")

    # --- helpers ---

    def _unit(self) -> str | None:
        return lexicon.requested_unit(self.q.text)

    def _refs(self) -> list[Reference]:
        return self.q.references()

    def _distinct_refs(self) -> list[ObjectRef]:
        return unique(r.ref for r in self._refs())

    def _yes_no(self) -> bool:
        return re.match(_YES_NO_START, self.q.text) is not None and not self.q.options

    def _measure_of_words(self, default: str = "longest") -> str:
        """The dimension the question asks about: a named dimension, else the dimension of the unit it asks in
        ("how big is the bed in square metres" is its footprint); a named one in a unit of another
        dimension ("how tall ... in m2") is left for the checker to refuse."""
        named = lexicon.named_measure(self.q.text)
        if named:
            return named
        unit = self._unit()
        if unit and units.dimension_of(unit) == "area":
            return "footprint"
        if unit and units.dimension_of(unit) == "volume":
            return "volume"
        return default

    def _area_or_volume_unit(self) -> bool:
        unit = self._unit()
        return unit is not None and units.dimension_of(unit) in ("area", "volume")

    def _comparative(self) -> tuple[str, str, re.Match] | None:
        match = re.search(rf"\b({lexicon.COMPARATIVE_WORDS})\b", self.q.text)
        if not match:
            return None
        measure, best = lexicon.COMPARATIVES[match.group(1)]
        named = lexicon.named_measure(self.q.text)
        if named and match.group(1) in ("bigger", "larger", "biggest", "largest", "smaller", "smallest", "greater"):
            measure = named  # "larger in footprint", "bigger by volume", "the largest by height"
        return measure, best, match

    # --- intents: each returns a frame, or None when the question is not of its kind ---

    def _between(self) -> TaskFrame | None:
        q = self.q
        if not q.has(r"\bbetween\b") or not self._yes_no() or lexicon.amounts(q.text):
            return None
        refs = self._refs()
        between = re.search(r"\b(?:in\s+)?between\b", q.text).start()
        thing = [r for r in refs if r.end <= between]
        ends = [r for r in refs if r.start > between]
        q.require_objects()
        plural = len(ends) == 1 and self.q.instance_counts.get(ends[0].label, 2) > 1 and \
            re.search(r"\b(?:two|both|the)\s+[a-z ]*s\b", q.text[between:])  # "between the bookcases"
        if plural:
            ends = [ends[0], ends[0]]
        if len(thing) != 1 or len(ends) != 2:
            return None
        return TaskFrame(task="between", objects=[thing[0].ref, ends[0].ref, ends[1].ref])

    def _relation(self) -> TaskFrame | None:
        q = self.q
        if not self._yes_no():
            return None
        refs = self.q.references(relations=False)
        if not refs:
            return None
        first = refs[0]
        gap_end = refs[1].start if len(refs) > 1 else len(q.text)
        middle = q.text[first.end:gap_end]
        match = re.fullmatch(rf"\s*(?:is|are|sits?|sitting|stands?|standing|located|placed|hung|hanging|mounted|lies|lying|"
                             rf"rests?|resting|kept|set|put|tucked|situated|positioned|found|hidden|stored|lying)?\s*"
                             rf"(?:right|directly|just|somewhere|anywhere|up|down|straight|away)?\s*"
                             rf"({lexicon.RELATION_PATTERN})\s+(?:the|a|an|my|one of the|any of the|either of the|both of the|each of the)?\s*", middle)
        each_other = re.match(rf"\s*(?:are\s+|located\s+|placed\s+|standing\s+)?(?:right\s+)?"
                              rf"({lexicon.RELATION_PATTERN})\s+(?:each other|one another)\b", q.text[first.end:])
        if each_other and self.q.instance_counts.get(first.label, 2) > 1:  # unknown counts: the question says several
            return TaskFrame(task="relation", objects=[first.ref, first.ref], relation=lexicon.relation_of(each_other.group(1)))
        if not match or len(refs) < 2:
            return None
        q.require_objects()
        return TaskFrame(task="relation", objects=[first.ref, refs[1].ref], relation=lexicon.relation_of(match.group(1)))

    def _amount_comparison(self) -> TaskFrame | None:
        """Comparisons with a stated amount: "is the bookshelf taller than 2 m?", "are A and B less than
        half a metre apart?", and fit: "would a 90 cm shelf fit between A and B?"."""
        q = self.q
        stated = lexicon.amounts(q.text)
        if not stated or not re.match(_YES_NO_START, q.text):
            return None
        position, value, unit = stated[0]
        if units.dimension_of(unit) not in ("length", "area", "volume"):
            return None
        q.require_objects()
        refs = self._distinct_refs()
        amount = Amount(value=value, unit=unit)
        if q.has(r"\b(?:fit|room for|space for|enough (?:room|space)|wide enough|enough for|squeeze|pass|go through|"
                 r"go between|get between|clearance)\b"):
            if len(refs) < 2 or not q.has(r"\bbetween\b"):
                return None
            return TaskFrame(task="compare", objects=refs[:2], measure="horizontal_distance", comparison=">=", amount=amount)
        before = q.text[:position]
        phrase = re.search(rf"\b({lexicon.COMPARISON_PATTERN})\s*$", before)
        if phrase is None:
            return None
        comparison = lexicon.comparison_of(phrase.group(1))
        if len(refs) >= 2 and (q.has(r"\b(apart|away from|from each other|distance|far|further|farther|close|closer|nearer|"
                                     r"separat\w*|gap|between|from)\b")
                               or q.has(r"\b(?:within|less than|more than|under|over)\s+[^ ]+\s*[a-z]+\s+(?:of|from)\b")):
            measure = ("horizontal_distance" if q.has(_HORIZONTAL) or q.has(r"\b(?:space|gap|room)\b.*\bwide\b")
                       else "vertical_distance" if q.has(r"\bvertical") else "distance")
            return TaskFrame(task="compare", objects=refs[:2], measure=measure, comparison=comparison, amount=amount)
        if len(refs) != 1:
            return None
        if q.has(r"\b(?:off|above|from) the (?:floor|ground)\b|\bmounted\b|\bhung\b|\bhanging\b"):
            measure = "elevation_top" if q.has(r"\btop\b") else "elevation_bottom"
        else:
            word = re.search(rf"\b({lexicon.COMPARATIVE_WORDS})\b", phrase.group(1))
            generic = word is None or word.group(1) in ("greater", "bigger", "larger", "smaller")
            measure = self._measure_of_words() if generic else lexicon.COMPARATIVES[word.group(1)][0]
            if generic and word is not None and not lexicon.named_measure(q.text):
                measure = lexicon.COMPARATIVES[word.group(1)][0]
            if measure == "elevation_center":
                measure = "height"  # "higher than 2 m" of an object is its height
        if units.dimension_of(unit) == "area":
            measure = "footprint"
        elif units.dimension_of(unit) == "volume":
            measure = "volume"
        return TaskFrame(task="compare", objects=refs[:1], measure=measure, comparison=comparison, amount=amount)

    def _difference(self) -> TaskFrame | None:
        """"How much taller is A than B", "how many times longer", "how much more floor space does A
        take up than B", "how much higher is the bottom of A than the top of B", "how much farther from
        C is A than B"."""
        q = self.q
        adjective = rf"{lexicon.COMPARATIVE_WORDS}|farther|further|closer|nearer|big|large|tall|long|wide|high"
        times = re.search(rf"\bhow many times\s+(?:as\s+|more\s+|the\s+)?({adjective}|{_MEASURE_NOUNS})\b", q.text) \
            or re.search(r"\bhow many times\b()", q.text) \
            or re.search(rf"\b(?:what(?:'s| is) the )?ratio (?:of|between) (?:the\s+)?[a-z' ]*?\b({_MEASURE_NOUNS})\b", q.text)
        much = re.search(rf"\b(?:how much|by how much|how many (?:centimet(?:er|re)s|met(?:er|re)s|cm|inches|feet|ft|m|mm|in))\s+"
                         rf"(?:(?:is|are|does|do)\s+(?:[\w']+\s+){{0,4}})?(?:more\s+)?({adjective}|{_MEASURE_NOUNS})\b", q.text) \
            or re.search(rf"\bby how much\b.*\b({adjective}|exceed|exceeds|outsize|outsizes)\b", q.text)
        named = re.search(r"\b(height|length|width|size|volume|footprint|elevation) difference\b|"
                          r"\bdifference in (height|length|width|size|volume|footprint|elevation)\b|"
                          r"\b(height|length|width|size|volume|footprint|floor space)\b[^?]*\bminus\b", q.text)
        if times and not times.group(1) and lexicon.named_measure(q.text) or (
                times and times.group(1) in ("area", "space", "room") and lexicon.named_measure(q.text)):
            word_of_times = lexicon.named_measure(q.text)  # "the bed's volume is how many times the fridge's?"
        else:
            word_of_times = None
        if not (times or much or named) or (times and not times.group(1) and not word_of_times):
            return None
        q.require_objects()
        refs = self._refs()
        if len(refs) < 2:
            return None
        task = "ratio" if times else "difference"
        word = next(g for g in named.groups() if g) if named else word_of_times or (times or much).group(1)
        if word in ("exceed", "exceeds", "outsize", "outsizes", "floor space", "area", "space", "room"):
            word = lexicon.named_measure(q.text) or "volume"
        if word in ("farther", "further", "closer", "nearer"):  # distances of two objects to a third
            target = next((r for r in refs if re.search(r"\b(?:from|to)\s+(?:the\s+)?$", q.text[:r.start])), None)
            rest = [r.ref for r in refs if r is not target]
            if target is None or len(rest) < 2:
                return None
            a, b = rest[:2]
            if word in ("closer", "nearer") and task == "difference":
                a, b = b, a  # "how much closer is A than B" = d(B) - d(A)
            return TaskFrame(task=task, objects=[a, b], target=target.ref, measure="distance", unit=self._unit())
        if word in ("big", "large", "size", "bigger", "larger"):
            measure, best = lexicon.named_measure(q.text) or "volume", "max"
        elif word in lexicon.COMPARATIVES:
            measure, best = lexicon.COMPARATIVES[word]
        else:
            measure, best = lexicon.named_measure(word) or {"elevation": "elevation_center"}.get(word, "volume"), "max"
        parts = [self._part_of(r) for r in refs[:2]]
        measures = [p for p in parts if p]
        if measures and len(measures) == 2 and measure in ("elevation_center", "height"):
            measure = measures[0]
        elif measures:
            return None  # "the top of A" against "B": not told apart reliably
        a, b = self._minuend_first(refs)
        if [a, b] != [r.ref for r in refs[:2]]:
            parts.reverse()
        if best == "min" and task == "difference":  # "how much shorter is A than B" = B - A
            a, b = b, a
            parts.reverse()
        return TaskFrame(task=task, objects=[a, b], measure=measure, measures=[p for p in parts if p] if measures else [],
                         unit=self._unit())

    def _minuend_first(self, refs: list[Reference]) -> tuple[ObjectRef, ObjectRef]:
        """(A, B) of "A - B" or "A / B": B is the object after "than", "minus", "exceed" or "times the ... of"
        ("how much longer than the bed is the shelf" is shelf - bed), else the second named."""
        second = re.compile(r"\b(?:than|minus|exceeds?|exceeding|times|outsizes?)\s+(?:the\s+)?(?:(?:height|length|width|volume|"
                            r"footprint|size|floor space|area)\s+of\s+(?:the\s+)?|(?:top|bottom)\s+of\s+(?:the\s+)?)?$")
        later = next((i for i, r in enumerate(refs[:2]) if second.search(self.q.text[:r.start])), 1)
        return refs[1 - later].ref, refs[later].ref

    def _part_of(self, reference: Reference) -> str | None:
        """"the bottom of the lamp" -> elevation_bottom; "the top of the bin" -> elevation_top; else None."""
        match = re.search(r"\b(bottom|base|underside|lower edge|top|upper edge)\s+of\s+(?:the\s+)?$",
                          self.q.text[:reference.start])
        if not match:
            return None
        return "elevation_top" if match.group(1) in ("top", "upper edge") else "elevation_bottom"

    def _elevation(self) -> TaskFrame | None:
        q = self.q
        bottom = (r"\bhow high (?:up )?(?:is|are)\b.*\b(?:mounted|hung|hanging|placed|installed|positioned|fixed|located)\b|"
                  r"\bhow (?:high|far) (?:up |above (?:the )?(?:floor|ground) |off the (?:floor|ground) )(?:is|are)\b|"
                  r"\b(?:off|above|from) the (?:floor|ground)\b|\bat what height\b|\bwhat height\b.*\b(?:at|mounted|hung)\b|"
                  r"\belevation\b|\bbottom of\b|\blower edge\b|\bunderside\b")
        top = r"(?<!on )\btop of\b|\bupper edge\b|\bhow high does\b.*\breach\b|\btop (?:edge|surface)\b"
        gap = (r"\bhow (?:far|high|much) (?:up |down )?(?:above|over|below|beneath|under|up from|down from)\b|\bhow far up\b|"
               r"\bvertical(?:ly)?\b|\bignoring (?:the )?horizontal|\b(?:space|gap|distance|clearance|room) (?:is there )?"
               r"between the (?:top|bottom) of\b|\b(?:bottom|top) of\b.*\b(?:above|below)\b.*\b(?:top|bottom) of\b")
        if not (q.has(bottom) or q.has(gap) or (q.has(top) and q.has(r"\bhow high\b|\bheight\b|\bhow far\b|\babove\b"))):
            return None
        if lexicon.amounts(q.text) and re.match(_YES_NO_START, q.text):
            return None
        q.require_objects()
        refs = self._distinct_refs()
        if not refs:
            return None
        if len(refs) >= 2 and (q.has(r"\babove the\b|\bover the\b|\bbelow the\b") or q.has(gap)) \
                and not q.has(r"\b(?:floor|ground)\b") and not q.has(r"\bmuch (?:higher|lower)\b"):
            return TaskFrame(task="measure", objects=refs[:2], measure="vertical_distance", unit=self._unit())
        measure = "elevation_top" if q.has(top) else "elevation_bottom"
        return TaskFrame(task="measure", objects=refs[:1], measure=measure, unit=self._unit())

    def _relative_distance(self) -> TaskFrame | None:
        q = self.q
        near_words = r"closest|nearest|closer|nearer|(?:smallest|shortest|least|minimum|minimal|lowest) distance"
        far_words = r"farthest|furthest|farther|further|(?:largest|greatest|longest|biggest|maximum|highest) distance"
        match = re.search(rf"\b({near_words}|{far_words})\b(?!\s+(?:up|down)\b)", q.text)
        if not match or (not q.options and q.has(r"^\s*(?:how far|how close|how tall|how high|how long|how wide|how big|"
                                                 r"measure|what(?: is|'s) the (?:distance|height|length|width|size))\b")):
            return None  # "how far is the nearest chair from the table" asks a distance
        q.require_objects(options_are_objects=True)
        far = re.fullmatch(far_words, match.group(1)) is not None
        alternatives = re.match(r"\s*(?:is|are|was)\s+(?:the\s+)?", q.text) and re.search(
            rf"\b(?:{near_words}|{far_words})\s+(?:to|from)\s+(?:the\s+)?[a-z ]+\s+or\s+(?:to\s+|from\s+)?(?:the\s+)?", q.text)
        than_to = re.search(rf"\b(?:{near_words}|{far_words})\s+(?:to|from)\s+(?:the\s+)?[a-z ]+?\s+than\s+(?:to|from)\b", q.text)
        if than_to and re.match(r"\s*(?:is|are|was)\b", q.text) and len(q.mentions) >= 3 and not q.options:
            subject, first, second = q.mentions[:3]  # "is the table closer to the sofa than to the tv?"
            return TaskFrame(task="compare", objects=[ObjectRef(label=first.label), ObjectRef(label=second.label)],
                             target=ObjectRef(label=subject.label), measure="distance", comparison=">" if far else "<")
        if alternatives and len(q.mentions) >= 3 and not q.options:  # "is the bin closer to the plant or to the bookcase?"
            subject, *rest = q.mentions
            return TaskFrame(task="choose", objects=[ObjectRef(label=m.label) for m in rest[:2]],
                             target=ObjectRef(label=subject.label), measure="distance", best="max" if far else "min")
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
        if target is None and len(q.mentions) == 1 and q.has(_GENERIC):
            target = q.mentions[0]
        if target is None:
            return None
        candidates = [c for c in unique(candidates) if c != target.label]
        target_ref = ObjectRef(label=target.label)
        if not candidates:
            if not (q.has(_GENERIC) or q.has(r"^\s*(?:what|which)\b")):
                return None
            return TaskFrame(task="choose", target=target_ref, measure="distance", best="max" if far else "min",
                             over_scene=True)
        objects = [ObjectRef(label=c) for c in candidates]
        if re.match(r"\s*(is|are|was|does|do)\b", q.text) and " than " in q.text and len(candidates) >= 2:
            return TaskFrame(task="compare", objects=objects[:2], target=target_ref, measure="distance",
                             comparison=">" if far else "<")
        return TaskFrame(task="choose", objects=objects, target=target_ref, measure="distance",
                         best="max" if far else "min")

    def _room_area(self) -> TaskFrame | None:
        q = self.q
        room = r"(room|rooms|space|apartment|house|flat|floor|area|bedroom|kitchen|living room|bathroom|office|studio|lounge)"
        sized = r"(size|area|big|large|square|footprint|spacious|dimensions?)"
        explicit = q.has(rf"\b{sized}\b[^.?]{{0,25}}\b(this|the|whole|entire|combined)\s+{room}\b|\b{room}\s+(size|area)\b|"
                         rf"\bfloor area\b|\bhow (big|large|spacious) is (the|this) (room|space|apartment)\b|"
                         rf"\bhow many (?:square|sq\.?) ?(?:met(?:er|re)s|feet|ft|m)\b.*\b{room}\b|"
                         rf"\b(?:this|the|whole|entire)\s+{room}\b.*\b(?:cover|covers|measure|measures|span|spans)\b")
        implicit = not q.mentions and q.has(rf"\b{sized}\b|\bfloor space\b") and q.has(rf"\b{room}\b")
        if q.mentions and not q.has(rf"\b(?:this|the|whole|entire|combined)\s+{room}\b"):
            return None  # "how much floor area does the dishwasher cover" is the dishwasher's footprint
        if not (explicit or implicit) or q.has(r"\bdimensions\b|\bhow (?:wide|long)\b|\b(?:width|length) of\b"):
            return None
        unit = self._unit() or "m2"
        if units.dimension_of(unit) == "length" and f"{unit}2" in units.UNITS:
            unit = f"{unit}2"  # "in metres" of an area means square metres
        if units.dimension_of(unit) != "area":
            areas = ", ".join(u for u, (dimension, _) in units.UNITS.items() if dimension == "area")
            raise PlanningError(f"a floor area cannot be given in {unit}; ask in one of: {areas}")
        return TaskFrame(task="room_area", unit=unit)

    def _room_size(self) -> TaskFrame | None:
        q = self.q
        if q.mentions or not q.has(r"\b(?:room|space|apartment)\b"):
            return None
        if not q.has(r"\bhow (?:wide|long)\b|\b(?:width|length|dimensions?) of (?:the|this) (?:room|space)\b|"
                     r"\b(?:room|space)(?:'s)? (?:width|length|dimensions)\b"):
            return None
        measure = "width" if q.has(r"\bwide\b|\bwidth\b") else "length"
        return TaskFrame(task="room_size", measure=measure, unit=self._unit())

    def _distance(self) -> TaskFrame | None:
        q = self.q
        if not q.has(r"\b(distance|how far|far apart|how close|apart|separat\w*|gap|between)\b"):
            return None
        if self._comparative() and q.has(r"\bwhich\b|\bthan\b") and not q.has(r"\bdistance\b|\bhow far\b|\bapart\b"):
            return None  # "between the chair and the radiator, which is smaller?" compares sizes
        q.require_objects()
        refs = self._refs()
        if len(refs) < 2:
            return None
        first = refs[0]
        second = next((r for r in refs[1:] if r.ref != first.ref), refs[1])
        measure = ("horizontal_distance" if q.has(_HORIZONTAL)
                   else "vertical_distance" if q.has(r"\bvertical(?:ly)?\b") else "distance")
        return TaskFrame(task="measure", objects=[first.ref, second.ref], measure=measure, unit=self._unit() or "m")

    def _size_comparison(self) -> TaskFrame | None:
        q = self.q
        found = self._comparative()
        if not found:
            return None
        measure, best, match = found
        if q.has(r"\bdimension\b") and not q.has(r"\bthan\b"):
            return None
        q.require_objects(options_are_objects=True)
        option_labels = q.option_labels()
        refs = [ObjectRef(label=label) for label in option_labels] if option_labels else self._distinct_refs()
        if re.match(r"\s*(is|are|was)\b", q.text) and " than " in q.text and len(refs) >= 2:
            return TaskFrame(task="compare", objects=refs[:2], measure=measure, comparison=">" if best == "max" else "<")
        if len(refs) >= 2:
            return TaskFrame(task="choose", objects=refs, measure=measure, best=best)
        if not refs and (q.has(_GENERIC) or q.has(r"^\s*(?:what|which)\b")) and match.group(1).endswith("est"):
            return TaskFrame(task="choose", measure=measure, best=best, over_scene=True)
        return None

    def _locate(self) -> TaskFrame | None:
        """"Where is the lamp (relative to the sofa)?": its relation to the other object, or to its nearest."""
        q = self.q
        if not q.has(r"^\s*(?:where(?:'s| is| are)|whereabouts is|can you (?:locate|place))\b"):
            return None
        q.require_objects()
        refs = self._distinct_refs()
        if not refs or len(refs) > 2:
            return None
        return TaskFrame(task="locate", objects=refs)

    def _size(self) -> TaskFrame | None:
        q = self.q
        if not q.has(r"\b(size|dimension|dimensions|big|large|tall|high|height|long|length|wide|width|measure|measures|"
                     r"footprint|volume|floor space|deep|depth|thick)\b") and not self._area_or_volume_unit() and not q.has(
                r"\b(?:how much|what(?:'s| is) the)\b.*\b(?:area|space|cover|covers|occupy|occupies|take up|takes up)\b"):
            return None
        q.require_objects()
        refs = self._refs()
        if not refs:
            return None
        measure = self._measure_of_words()
        if measure == "longest" and q.has(r"\bhigh\b"):
            measure = "height"
        return TaskFrame(task="measure", objects=[refs[0].ref], measure=measure, unit=self._unit())


def _all_refs(frame: TaskFrame) -> list[ObjectRef]:
    """Every object a frame names, references included."""
    found, stack = [], [*frame.objects, *(r for r in (frame.target,) if r)]
    if frame.observer:
        stack += [r for r in (frame.observer.at, frame.observer.facing) if r]
    while stack:
        item = stack.pop()
        found.append(item)
        if item.reference:
            stack.append(item.reference)
    return found
