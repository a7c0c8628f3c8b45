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
from sagent.agent.understanding.frame import Amount, ObjectRef, Observer, TaskFrame
from sagent.agent.understanding.question import (
    NOT_OBJECTS,
    PHRASE_STOPS,
    Question,
    Reference,
    head_phrase,
    unique,
    unknown_objects,
)
from sagent.memory import units
from sagent.memory.scene import SceneMemory
from sagent.memory.vocabulary import Vocabulary, normalize, singular

_TARGET_OF_DISTANCE = (r"\b(?:closest|nearest|closer|nearer|farthest|furthest|farther|further|close|near|far|distance)\s+"
                       r"(?:away\s+)?(?:to|from)?\s*(?:the\s+)?$")
_YES_NO_START = r"^\s*(?:is|are|was|were|does|do|did|can|could|would|will|has|have)\b"
_GENERIC = r"\b(?:object|objects|thing|things|item|items|furniture|piece of furniture|anything|something|what)\b"
_EXISTS = (r"\s*(?:is there|are there|was there|were there|do (?:you|i|we) (?:see|have|spot|notice)|"
           r"can (?:you|i|we) (?:see|find|spot)|could (?:you|i) (?:see|find)|"
           r"(?:does|do) (?:the|this|my|our) (?:room|scene|space|place|house|apartment|flat|video|home) "
           r"(?:have|contain|include|hold)|have (?:you|we) (?:got|seen)|any)\b")
_EXISTS_PRESENT = r"\s*(?:is|are)(?= (?:a|an|any|some) [a-z ]+\b(?:present|here|in (?:the|this) (?:room|scene|space))\b)"


def read(question: str, scene: SceneMemory, options: list[Option] | None = None) -> TaskFrame:
    """The task frame of `question` about `scene`, or PlanningError / UnknownObject."""
    counts = {label: len(scene.instances(label)) for label in scene.labels()}
    return RulesReader(question, scene.labels(), options, counts).frame()


_POLITE = re.compile(r"^\s*(?:(?:please\s+)?(?:could|can|would|will) you (?:please )?(?:tell me|check|say|let me know|find out)|"
                     r"(?:please )?(?:tell me|let me know)|do you know|i(?:'d| would) like to know|i wonder|i'm wondering|"
                     r"i want to know|please say)\s*,?\s*")
_HYPOTHETICAL = re.compile(rf"\b(?:a|an|one)\s+((?:\d+(?:\.\d+)?|half an?|one)\s*-?\s*[a-z]+(?:[- ](?:wide|long|tall|deep|high))?)"
                           rf"\s+([a-z]+(?:\s+[a-z]+)??)(?=\s+(?:fit|go|pass|between|in|through|there)\b)")


def plain_question(text: str) -> str:
    """The question without what only wraps it: a polite opening ("could you tell me whether ...") put
    back as a question ("is ..."), and a hypothetical object to fit ("a 90 cm shelf") as "an item"
    (it is no scene object)."""
    stripped = _POLITE.sub("", text)
    if stripped != text:
        clause = re.match(r"(?:whether|if)\s+(.*)", stripped)
        if clause:
            rest = clause.group(1)
            there = re.match(r"there(?:'s| is| are|'re)\s+(.*)", rest)
            if there:
                stripped = f"is there {there.group(1)}"
            else:
                verb = re.search(r"\b(is|are|was|were|does|do|can|would)\b", rest)
                stripped = f"{verb.group(1)} {rest[:verb.start()]}{rest[verb.end():]}" if verb else rest
        text = re.sub(r"\s+", " ", stripped).strip()
    return _HYPOTHETICAL.sub(lambda m: f"an item {m.group(1)}", text) if re.search(
        r"\b(?:fit|room for|space for|enough (?:room|space))\b", text) else text


class RulesReader:
    def __init__(self, question: str, labels: list[str], options: list[Option] | None = None,
                 instance_counts: dict[str, int] | None = None):
        self.labels = list(labels)
        self.q = Question(question, plain_question(normalize(question)), Vocabulary(self.labels), list(options or []),
                          dict(instance_counts or {}))

    def frame(self) -> TaskFrame:
        q = self.q
        if not re.search(r"[a-z0-9]", q.text):
            raise PlanningError("the question is empty; ask about the scene's objects")
        if re.search(r"[,;]?\s+and\s+(?:which|what|how|where|is|are|does|do|can)\b", q.text):
            raise PlanningError(f"the question asks more than one thing ({q.raw!r}); ask one at a time")
        absent = q.absent_objects()
        readers = (lambda: viewpoints.views(q), lambda: viewpoints.route(q), lambda: viewpoints.direction(q),
                   lambda: viewpoints.appearance(q), self._existence,
                   self._count_total, self._count, self._listing, self._between, self._relation,
                   self._amount_comparison, self._difference, self._elevation, self._relative_distance,
                   self._room_area, self._room_size, self._distance, self._size_comparison, self._size)
        for intent in readers:
            frame = intent()
            if frame is not None:
                if frame.task not in ("exists", "count", "count_total"):
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

    def _named_thing(self, start: int = 0) -> tuple[str, int, int] | None:
        """(name, start, end) of the object named after an article or quantifier from `start`, scene label
        or not ("a piano"): the scene's label when it names one as a whole, else the question's word."""
        for match in re.finditer(r"\b(?:a|an|any|some|the|one|two|several|more)\s+([a-z]+(?:\s+[a-z]+){0,2})",
                                 self.q.text[start:]):
            words = [w for w in head_phrase(match.group(1).split()) if w not in ("other", "kind", "sort")]
            if words and words[-1] not in NOT_OBJECTS:
                name = " ".join(words)
                begin = start + match.start(1) + match.group(1).find(words[0])
                return self.q.vocabulary.exact(name) or singular(name), begin, begin + len(name)
        return None

    def _existence(self) -> TaskFrame | None:
        q = self.q
        cue = re.match(_EXISTS, q.text) or re.match(_EXISTS_PRESENT, q.text)
        if not cue or q.has(r"\b(?:room|space|enough)\s+(?:for|to)\b|\bhow many\b"):
            return None
        mentions = [m for m in q.mentions if m.start >= cue.end()]
        named = self._named_thing(cue.end())
        # A mention names the thing when it ends where the named phrase does ("a table lamp" is no table).
        if mentions and (named is None or mentions[0].end >= named[2] or mentions[0].end < named[1]):
            thing, thing_end = mentions[0].label, mentions[0].end
        elif named:
            thing, thing_end = named[0], named[2]
        else:
            return None
        frame = dict(task="exists", objects=[ObjectRef(label=thing)])
        related = re.match(rf"\s*(?:here\s+|in (?:the|this) room\s+)?(?:that is\s+|which is\s+|located\s+|right\s+)?"
                           rf"({lexicon.RELATION_PATTERN})\s+(?:the\s+|a\s+|an\s+|my\s+)?", q.text[thing_end:])
        if related:
            target = next((m for m in q.mentions if m.start == thing_end + related.end()), None)
            if target is None:
                unknown = q.unknown_phrases()
                if unknown:
                    raise unknown_objects(unknown, self.labels)
                return None
            frame.update(relation=lexicon.relation_of(related.group(1)), target=ObjectRef(label=target.label))
        return TaskFrame(**frame)

    def _count_total(self) -> TaskFrame | None:
        q = self.q
        match = re.search(r"\b(how many|number of|count)\b", q.text)
        if not match or self._unit() or q.has(r"\bhow many times\b"):
            return None
        if q.has(r"\bhow many\s+(?:objects|things|items|pieces of furniture|furniture items)\b") and not q.has(
                r"\b(?:on|under|near|next to|beside|above|below)\b"):
            return TaskFrame(task="count_total")
        clause = re.search(r"\b(?:counting|including|if you count|that is|namely|i\.e\.)\b(.*)", q.text)
        together = q.has(r"\b(?:in total|altogether|together|combined|all together|total)\b")
        mentions = [m for m in q.mentions if m.start >= (clause.start(1) if clause else match.end())]
        labels = unique(m.label for m in mentions)
        names = labels + [n for n in q.absent_objects() if n not in labels]
        if len(names) >= 2 and (clause or together or re.search(r"\band\b", q.text[match.end():])):
            if not clause and not together and q.has(r"\bhow many\b.*\band\b.*\b(?:each|respectively)\b"):
                return None
            return TaskFrame(task="count_total", objects=[ObjectRef(label=n) for n in names])
        return None

    def _count(self) -> TaskFrame | None:
        q = self.q
        match = re.search(r"\b(how many|number of|count|quantity of|total of)\s+(?:the\s+)?([a-z][a-z ]*)", q.text)
        if not match or self._unit() or q.has(r"\bhow many times\b"):
            return None
        after = [m for m in q.mentions if m.start >= match.start(2)]
        before = [m for m in q.mentions if m.end <= match.start()]
        if after:
            label, end = after[0].label, after[0].end
        elif before and re.match(r"(are|is|there|exist|do|can)\b", match.group(2)):  # "chairs: how many are there?"
            label, end = before[-1].label, before[-1].end
        else:  # an object the scene lacks: none of it is there
            noun = re.split(r"\b(are|is|in|of|there|do|does|can|on|at|that|which|here|do)\b", match.group(2))[0].strip()
            if not noun or noun.split()[-1] in NOT_OBJECTS:
                return None
            label, end = q.vocabulary.resolve(noun) or singular(noun), match.end(2)
        if re.match(rf"\s*(?:are\s+|is\s+|that are\s+|located\s+|standing\s+|sitting\s+)?(?:{lexicon.RELATION_PATTERN})\s+"
                    rf"(?:the|a|an)\s", q.text[end:]):
            raise PlanningError("the rules planner counts all of a kind, not those in a relation to another object "
                                f"({q.raw!r}); ask how many there are, or whether one is there")
        return TaskFrame(task="count", objects=[ObjectRef(label=label)])

    def _listing(self) -> TaskFrame | None:
        q = self.q
        if not q.has(r"^\s*(?:what|which|list|name|tell me|show me|anything|is there anything|what's|whats)\b"):
            return None
        if q.has(r"^\s*(?:what|which)\s+(?:objects?|things?|items?|furniture)?\s*(?:is|are)\s+(?:in|there in)\s+(?:the|this)\s+"
                 r"(?:room|scene|space)\s*\??$|^\s*(?:list|name)\s+(?:all\s+)?(?:the\s+)?(?:objects|things|items)\b|"
                 r"^\s*what (?:objects|things|items) (?:are there|do you see|can you see)\b"):
            return TaskFrame(task="list_objects")
        refs = self._refs()
        for reference in refs:
            before = q.text[:reference.start]
            match = re.search(rf"\b({lexicon.RELATION_PATTERN})\s+(?:the\s+|my\s+)?$", before)
            if not match:
                continue
            head = before[:match.start()]
            if any(r.end <= match.start() for r in refs) or not re.match(
                    r"\s*(?:what|which|list|name|tell me|show me|anything|is there anything)", head):
                return None
            return TaskFrame(task="list_related", objects=[reference.ref], relation=lexicon.relation_of(match.group(1)))
        return None

    def _between(self) -> TaskFrame | None:
        q = self.q
        if not q.has(r"\bbetween\b") or not self._yes_no() or lexicon.amounts(q.text):
            return None
        refs = self._refs()
        between = re.search(r"\b(?:in\s+)?between\b", q.text).start()
        thing = [r for r in refs if r.end <= between]
        ends = [r for r in refs if r.start > between]
        q.require_objects()
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
                             rf"rests?|resting|kept|set|put)?\s*(?:right|directly|just|somewhere)?\s*"
                             rf"({lexicon.RELATION_PATTERN})\s+(?:the|a|an|my)?\s*", middle)
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
        if q.has(r"\b(?:fit|room for|space for|enough (?:room|space)|squeeze|pass|go through|clearance)\b"):
            if len(refs) < 2 or not q.has(r"\bbetween\b"):
                return None
            return TaskFrame(task="compare", objects=refs[:2], measure="horizontal_distance", comparison=">=", amount=amount)
        before = q.text[:position]
        phrase = re.search(rf"\b({lexicon.COMPARISON_PATTERN})\s*$", before)
        if phrase is None:
            return None
        comparison = lexicon.comparison_of(phrase.group(1))
        if len(refs) >= 2 and (q.has(r"\b(apart|away from|from each other|distance|far|close|separat\w*|gap|between)\b")):
            measure = "horizontal_distance" if q.has(r"\bhorizontal") else "vertical_distance" if q.has(r"\bvertical") \
                else "distance"
            return TaskFrame(task="compare", objects=refs[:2], measure=measure, comparison=comparison, amount=amount)
        if len(refs) != 1:
            return None
        if q.has(r"\b(?:off|above|from) the (?:floor|ground)\b|\bmounted\b|\bhung\b|\bhanging\b"):
            measure = "elevation_top" if q.has(r"\btop\b") else "elevation_bottom"
        else:
            word = re.search(rf"\b({lexicon.COMPARATIVE_WORDS})\b", phrase.group(1))
            measure = lexicon.COMPARATIVES[word.group(1)][0] if word else self._measure_of_words()
            if measure == "elevation_center":
                measure = "height"  # "higher than 2 m" of an object is its height
        if units.dimension_of(unit) == "area":
            measure = "footprint"
        elif units.dimension_of(unit) == "volume":
            measure = "volume"
        return TaskFrame(task="compare", objects=refs[:1], measure=measure, comparison=comparison, amount=amount)

    def _difference(self) -> TaskFrame | None:
        q = self.q
        times = re.search(rf"\bhow many times\s+(?:as\s+)?({lexicon.COMPARATIVE_WORDS}|big|large|tall|long|wide|high)\b", q.text)
        much = re.search(rf"\b(?:how much|by how much|how many (?:centimet(?:er|re)s|met(?:er|re)s|cm|inches|feet))\s+"
                         rf"(?:is\s+\w+\s+|are\s+\w+\s+)?({lexicon.COMPARATIVE_WORDS})\b", q.text) \
            or re.search(rf"\bby how much\b.*\b({lexicon.COMPARATIVE_WORDS})\b", q.text)
        named = re.search(r"\b(height|length|width|size|volume|footprint|elevation) difference\b|"
                          r"\bdifference in (height|length|width|size|volume|footprint|elevation)\b", q.text)
        if not (times or much or named):
            return None
        q.require_objects()
        refs = self._distinct_refs()
        if len(refs) < 2:
            return None
        if named:
            word = named.group(1) or named.group(2)
            measure = {"size": "volume", "elevation": "elevation_center"}.get(word, word)
            best = "max"
        else:
            word = (times or much).group(1)
            measure, best = lexicon.COMPARATIVES.get(word, (lexicon.named_measure(word) or "volume", "max"))
            if word in ("big", "large"):
                measure = "volume"
        task = "ratio" if times else "difference"
        a, b = refs[:2]
        if best == "min" and task == "difference":  # "how much shorter is A than B" = B - A
            a, b = b, a
        return TaskFrame(task=task, objects=[a, b], measure=measure, unit=self._unit())

    def _elevation(self) -> TaskFrame | None:
        q = self.q
        bottom = (r"\bhow high (?:up )?(?:is|are)\b.*\b(?:mounted|hung|hanging|placed|installed|positioned|fixed|located)\b|"
                  r"\bhow (?:high|far) (?:up |above (?:the )?(?:floor|ground) |off the (?:floor|ground) )(?:is|are)\b|"
                  r"\b(?:off|above|from) the (?:floor|ground)\b|\bat what height\b|\bwhat height\b.*\b(?:at|mounted|hung)\b|"
                  r"\belevation\b|\bbottom of\b|\blower edge\b|\bunderside\b")
        top = r"\btop of\b|\bupper edge\b|\bhow high does\b.*\breach\b|\btop (?:edge|surface)\b"
        gap = r"\bhow (?:far|high|much) (?:above|over|below|beneath|under)\b"
        if not (q.has(bottom) or q.has(gap) or (q.has(top) and q.has(r"\bhow high\b|\bheight\b|\bhow far\b|\babove\b"))):
            return None
        if lexicon.amounts(q.text) and re.match(_YES_NO_START, q.text):
            return None
        q.require_objects()
        refs = self._distinct_refs()
        if not refs:
            return None
        if len(refs) >= 2 and (q.has(r"\babove the\b|\bover the\b|\bbelow the\b") or q.has(gap)) \
                and not q.has(r"\b(?:floor|ground)\b"):
            return TaskFrame(task="measure", objects=refs[:2], measure="vertical_distance", unit=self._unit())
        measure = "elevation_top" if q.has(top) else "elevation_bottom"
        return TaskFrame(task="measure", objects=refs[:1], measure=measure, unit=self._unit())

    def _relative_distance(self) -> TaskFrame | None:
        q = self.q
        near_words = r"closest|nearest|closer|nearer|(?:smallest|shortest|least|minimum|minimal|lowest) distance"
        far_words = r"farthest|furthest|farther|further|(?:largest|greatest|longest|biggest|maximum|highest) distance"
        match = re.search(rf"\b({near_words}|{far_words})\b", q.text)
        if not match or (not q.options and q.has(r"^\s*(?:how far|how close|what(?: is|'s) the distance)\b")):
            return None  # "how far is the nearest chair from the table" asks a distance
        q.require_objects(options_are_objects=True)
        far = re.fullmatch(far_words, match.group(1)) is not None
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
        room = r"(room|rooms|space|apartment|house|flat|floor|area)"
        sized = r"(size|area|big|large|square|footprint|spacious|dimensions?)"
        explicit = q.has(rf"\b{sized}\b[^.?]{{0,25}}\b(this|the|whole|entire|combined)\s+{room}\b|\b{room}\s+(size|area)\b|"
                         rf"\bfloor area\b|\bhow (big|large|spacious) is (the|this) (room|space|apartment)\b")
        implicit = not q.mentions and q.has(rf"\b{sized}\b") and q.has(rf"\b{room}\b")
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
        q.require_objects()
        refs = self._refs()
        if len(refs) < 2:
            return None
        first = refs[0]
        second = next((r for r in refs[1:] if r.ref != first.ref), refs[1])
        measure = ("horizontal_distance" if q.has(r"\bhorizontal(?:ly)?\b|\balong the floor\b|\bon the floor plan\b")
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

    def _size(self) -> TaskFrame | None:
        q = self.q
        if not q.has(r"\b(size|dimension|dimensions|big|large|tall|high|height|long|length|wide|width|measure|measures|"
                     r"footprint|volume|floor space|deep|depth|thick)\b"):
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
