"""Reading what the scene holds: is there a X, how many, which of these is missing, what is on or
near X. A mixin of the rules reader (it uses the reader's question and helpers)."""

from __future__ import annotations

import re

from sagent.agent.understanding import lexicon
from sagent.agent.understanding.errors import PlanningError
from sagent.agent.understanding.frame import ObjectRef, TaskFrame
from sagent.agent.understanding.question import NOT_OBJECTS, head_phrase, unique, unknown_objects
from sagent.memory.phrases import PEOPLE
from sagent.memory.vocabulary import normalize, singular

_EXISTS_CUE = (r"(?:is there|are there|was there|were there|do (?:you|i|we) (?:see|have|spot|notice)|"
           r"can (?:you|i|we) (?:see|find|spot)|could (?:you|i) (?:see|find)|"
           r"(?:does|do) (?:the|this|my|our) (?:room|scene|space|place|house|apartment|flat|video|home|scan|capture|"
           r"layout|map|image|picture|footage|reconstruction) "
           r"(?:have|contain|include|hold)|have (?:you|we) (?:got|seen)|any)\b")
_EXISTS = r"\s*" + _EXISTS_CUE
_EXISTS_PRESENT = (r"\s*(?:is|are)(?= (?:a|an|any|some|at least one|there any) [a-z ]+\b(?:present|here|"
                   r"in (?:the|this) (?:room|scene|space)|to be found|anywhere)\b)")


class InventoryReading:
    def _named_thing(self, start: int = 0) -> tuple[str, int, int] | None:
        """(name, start, end) of the object named after an article or quantifier from `start`, scene label
        or not ("a piano"): the scene's label when it names one as a whole, else the question's word."""
        for match in re.finditer(r"\b(?:a|an|any|some|the|one|two|several|more|at least one)\s+([a-z]+(?:\s+[a-z]+){0,2})",
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
        later = None if cue else re.search(r"[.!?;]\s+(" + _EXISTS_CUE + r")", q.text)
        if later and re.match(r"\s*(?:one|any|some|it)?\s*(?:here|in (?:the|this) room)?\s*\??\s*$", q.text[later.end():]):
            before = self._named_thing(0)  # "I'm looking for a microwave. Is there one?"
            if before is None:
                return None
            return TaskFrame(task="exists", objects=[ObjectRef(label=before[0])])
        if not cue or q.has(r"\b(?:room|space|enough)\s+(?:for|to)\b|\bhow many\b"):
            return None
        mentions = [m for m in q.mentions if m.start >= cue.end()]
        named = self._named_thing(cue.end())
        if cue.group(0).strip().endswith("any"):  # "any fridge in this room?": the noun right after
            bare = re.match(r"\s+([a-z]+(?:\s+[a-z]+){0,2})", q.text[cue.end():])
            words = head_phrase(bare.group(1).split()) if bare else []
            if words and words[-1] not in NOT_OBJECTS:
                name = " ".join(words)
                begin = cue.end() + bare.start(1)
                named = (q.vocabulary.exact(name) or singular(name), begin, begin + len(name))
        # A mention names the thing when it ends where the named phrase does ("a table lamp" is no table).
        if mentions and (named is None or mentions[0].end >= named[2] or mentions[0].end < named[1]):
            thing, thing_end = mentions[0].label, mentions[0].end
        elif named:
            thing, thing_end = named[0], named[2]
        else:
            return None
        frame = dict(task="exists", objects=[ObjectRef(label=thing)])
        between = re.match(r"\s*(?:here\s+|somewhere\s+|anywhere\s+)?(?:that is\s+|which is\s+|located\s+|standing\s+|"
                           r"placed\s+)?(?:right\s+|somewhere\s+)?"
                           r"(?:in\s+)?between\b", q.text[thing_end:])
        if between:
            ends = [m for m in q.mentions if m.start >= thing_end + between.end()]
            q.require_objects()
            if len(ends) != 2 or thing not in self.labels:
                return TaskFrame(**frame) if thing not in self.labels else None  # nothing to stand between
            return TaskFrame(task="between", objects=[ObjectRef(label=thing), ObjectRef(label=ends[0].label),
                                                      ObjectRef(label=ends[1].label)])
        related = re.match(rf"\s*(?:here\s+|in (?:the|this) room\s+|somewhere\s+|anywhere\s+)?(?:that is\s+|which is\s+|"
                           rf"located\s+|right\s+|up\s+|down\s+|directly\s+|somewhere\s+|anywhere\s+)?({lexicon.RELATION_PATTERN})\s+(?:the\s+|a\s+|an\s+|my\s+|one of the\s+|"
                           rf"any of the\s+)?", q.text[thing_end:])
        if related:
            target = next((m for m in q.mentions if m.start == thing_end + related.end()), None)
            if target is None:
                unknown = q.unknown_phrases()
                if unknown:
                    raise unknown_objects(unknown, self.labels)
                return None
            frame.update(relation=lexicon.relation_of(related.group(1)), target=ObjectRef(label=target.label))
        return TaskFrame(**frame)

    def _absent_choice(self) -> TaskFrame | None:
        """"Which of these is not in the room?" with objects as the options."""
        q = self.q
        if not q.options or not q.has(r"\b(?:not|isn't|aren't|can't|cannot|don't|doesn't|won't|missing|absent|lacking|"
                                      r"nowhere)\b"):
            return None
        if not q.has(r"\b(?:in the room|here|in this room|in the scene|found|present|see|there|missing|absent)\b"):
            return None
        names = [re.sub(r"^(?:a|an|the)\s+", "", normalize(o.text).strip(" .")) for o in q.options]
        if not all(re.fullmatch(r"[a-z]+(?: [a-z]+){0,2}", n) for n in names):
            return None
        return TaskFrame(task="absent_choice", objects=[ObjectRef(label=q.vocabulary.exact(n) or n) for n in names])

    def _count_total(self) -> TaskFrame | None:
        q = self.q
        match = re.search(r"\b(how many|number of|count)\b", q.text)
        if not match or self._unit() or q.has(r"\bhow many times\b"):
            return None
        if q.has(r"\bhow many\s+(?:objects|things|items|pieces of furniture|furniture items)\b") and not q.has(
                r"\b(?:on|under|near|next to|beside|above|below)\b"):
            return TaskFrame(task="count_total")
        clause = re.search(r"\b(?:counting|including|if you count|that is|namely|i\.e\.|add up|adding up|sum of|"
                           r"put together)\b(.*)", q.text)
        together = q.has(r"\b(?:in total|altogether|together|combined|all together|total|plus|in all)\b")
        start = clause.start(1) if clause else match.end()
        mentions = [m for m in q.mentions if m.start >= start or (clause and m.start < match.start())]
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
        counted = q.text[match.start(2):after[0].start if after else match.end(2)].split()
        if counted and counted[0] in PEOPLE:  # "how many people could sit on the sofa": people, not sofas
            return None
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
                 r"(?:room|scene|space)\s*\??$|^\s*(?:list|name)\s+(?:all\s+)?(?:the\s+)?(?:objects|things|items)\s*"
                 r"(?:in (?:the|this) (?:room|scene|space)|you see|here|there are)?\s*[.?!]?\s*$|"
                 r"^\s*what (?:objects|things|items) (?:are there|do you see|can you see)\s*(?:in (?:the|this) room)?\s*\??$"):
            return TaskFrame(task="list_objects")
        refs = self._refs()
        for reference in refs:
            before = q.text[:reference.start]
            match = re.search(rf"\b({lexicon.RELATION_PATTERN})\s+(?:the\s+|my\s+)?$", before)
            if not match:
                continue
            head = before[:match.start()]
            if any(r.end <= match.start() for r in refs) or not re.match(
                    r"\s*(?:what|which|list|name|tell me|show me|anything|is there anything|give me)", head):
                return None
            return TaskFrame(task="list_related", objects=[reference.ref], relation=lexicon.relation_of(match.group(1)))
        return None
