"""A question as the rules reader sees it: normalized text, the scene objects it mentions (plurals
and synonyms included), the references it builds from them ("the lamp next to the bed"), and the
noun phrases that name nothing in the scene (refused, never dropped)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sagent.agent.options import Option, canonical
from sagent.agent.understanding import lexicon
from sagent.agent.understanding.errors import UnknownObject
from sagent.agent.understanding.frame import ObjectRef
from sagent.dsl.errors import did_you_mean
from sagent.memory.phrases import (
    NOT_OBJECT_MODIFIERS,
    NOT_OBJECTS,
    THE_PHRASE,
    WORLD,
    head_phrase,
    listed_items,
)
from sagent.memory.vocabulary import Mention, Vocabulary, normalize, singular

# The word lists and phrase finding (NOT_OBJECTS, head_phrase, listed_items, ...) live in
# sagent.memory.phrases: open-vocabulary detection, a layer down, finds the same phrases.


def unknown_objects(names: list[str], labels: list[str]) -> UnknownObject:
    """The refusal: which objects are unknown, the closest scene label, and what the scene has."""
    first = names[0]
    kin = [label for label in labels if label.split()[-1] == first.split()[-1]]
    hint = (f" (closest match: {kin[0]!r}); the scene has: {', '.join(labels)}" if kin
            else did_you_mean(first, labels, "the scene has"))
    shown = ", ".join(repr(name) for name in names)
    return UnknownObject(f"unknown label{'s' if len(names) > 1 else ''} {shown}{hint}")


def unique(items) -> list:
    return list(dict.fromkeys(items))


@dataclass(frozen=True)
class Reference:
    """A stretch of the question that refers to one object: a mention, possibly with what picks
    one instance of it ("the larger table", "the lamp next to the bed")."""

    ref: ObjectRef
    start: int
    end: int

    @property
    def label(self) -> str:
        return self.ref.label


_PICK_AFTER = re.compile(
    r"\s*(?:that is|that's|which is|which's|located|standing|sitting|placed|right|just)?\s*"
    r"(closest to|nearest to|nearest|closest|next to|beside|by|near|close to|farthest from|furthest from|nearest to|"
    r"on top of|on|under|underneath|beneath|above|below)\s+(?:the\s+|a\s+|an\s+)?$")


@dataclass
class Question:
    raw: str
    text: str
    vocabulary: Vocabulary
    options: list[Option]
    instance_counts: dict[str, int] = field(default_factory=dict)  # boxes per label (a pick acts on boxes)
    views: int = 0  # input views the scene has (a photo has one: "the camera" is it)
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

    def option_words(self) -> set[str]:
        return {canonical(o.text) for o in self.options}

    # --- references: mentions with what picks one instance ---

    def references(self, relations: bool = True) -> list[Reference]:
        """The mentions as object references. Where a label has several instances, a comparative
        before it ("the larger table") or, with `relations`, a relation to the next mention after it
        ("the lamp next to the bed") picks one, and that next mention is part of the reference.
        Without `relations`, "the lamp on the nightstand" stays two objects (a question about that relation)."""
        refs: list[Reference] = []
        index = 0
        while index < len(self.mentions):
            mention = self.mentions[index]
            ref, end = ObjectRef(label=mention.label), mention.end
            several = self.instance_counts.get(mention.label, 1) > 1
            before = re.search(rf"\b({lexicon.COMPARATIVE_WORDS})\s+(?:one\s+)?(?:of\s+(?:the\s+)?(?:two\s+)?)?$",
                               self.text[:mention.start])
            following = self.mentions[index + 1] if index + 1 < len(self.mentions) else None
            pick = _PICK_AFTER.fullmatch(self.text[mention.end:following.start]) if following and relations else None
            start = mention.start
            to_it = re.match(r"\s*(?:that is\s+|which is\s+)?(nearest|closest|farthest|furthest) (?:to|from) (?:it|them)\b",
                             self.text[mention.end:])
            if several and to_it and refs and relations:  # "the tv and the couch nearest to it"
                kind = "farthest" if to_it.group(1) in ("farthest", "furthest") else "nearest"
                refs.append(Reference(ObjectRef(label=mention.label, pick=kind, reference=ObjectRef(label=refs[-1].label)),
                                      start, mention.end + to_it.end()))
                index += 1
                continue
            if several and before:
                measure, best = lexicon.COMPARATIVES[before.group(1)]
                ref = ObjectRef(label=mention.label, pick="largest" if best == "max" else "smallest", measure=measure)
                start = before.start(1)
            elif several and pick and following.label != mention.label:
                phrase = pick.group(1)
                reference = ObjectRef(label=following.label)
                if phrase.startswith(("farthest", "furthest")):
                    ref = ObjectRef(label=mention.label, pick="farthest", reference=reference)
                elif lexicon.relation_of(phrase) in ("on", "under", "above", "below"):
                    ref = ObjectRef(label=mention.label, pick="related", relation=lexicon.relation_of(phrase),
                                    reference=reference)
                else:
                    ref = ObjectRef(label=mention.label, pick="nearest", reference=reference)
                end = following.end
                index += 1
            refs.append(Reference(ref, start, end))
            index += 1
        return refs

    def ref_of(self, mention: Mention) -> ObjectRef:
        """The reference a mention starts (its label, or the instance a comparative or relation picks)."""
        for reference in self.references():
            if reference.start <= mention.start < reference.end:
                return reference.ref
        return ObjectRef(label=mention.label)

    # --- objects the scene lacks ---

    def absent_objects(self) -> list[str]:
        """Common indoor objects the question or its options name that the scene lacks."""
        found = []
        for text in [self.text, *(normalize(o.text) for o in self.options)]:
            known = self.vocabulary.mentions(text)
            for mention in WORLD.mentions(text):
                if any(k.start < mention.end and mention.start < k.end for k in known):
                    continue
                if self.vocabulary.resolve(mention.text) or re.search(r"\bbounding\s+$", text[:mention.start]):
                    continue
                found.append(singular(mention.text))
        return unique(found)

    def grounded(self, start: int, words: list[str]) -> bool:
        """Whether a noun phrase at `start` names a scene object (its last word inside a mention),
        or is no object at all (a part, a measure, the room)."""
        head_start = start + len(" ".join(words[:-1])) + (1 if len(words) > 1 else 0)
        if any(m.start <= head_start < m.end for m in self.mentions) or words[0] in NOT_OBJECT_MODIFIERS:
            return True
        phrase = " ".join(words)
        return (words[-1] in NOT_OBJECTS or phrase in lexicon.UNIT_WORDS or words[0] in lexicon.UNIT_WORDS
                or re.fullmatch(lexicon.UNSUPPORTED_UNITS, phrase) is not None
                or re.fullmatch(r"\d+(?:\.\d+)?", words[0]) is not None or words[0] in lexicon.COMPARATIVES
                or self.vocabulary.resolve(phrase) is not None)

    def unknown_phrases(self, articles: bool = True) -> list[str]:
        """Noun phrases the question writes in a list or, with `articles`, after an article, that
        name nothing in the scene."""
        phrases = [(m.start(1), head_phrase(m.group(1).split())) for m in THE_PHRASE.finditer(self.text)] if articles else []
        phrases += [(start, item.split()) for start, item in listed_items(self.text)]
        return unique(singular(" ".join(words)) for start, words in phrases if words and not self.grounded(start, words))

    def require_objects(self, options_are_objects: bool = False, articles: bool = True) -> None:
        """Refuse (UnknownObject) when a noun phrase the question writes in a list ("the piano or
        the door", "(lamp, zebra)") or, with `articles`, after an article names nothing in the
        scene; with `options_are_objects`, also an option that does not while others do."""
        unknown = self.unknown_phrases(articles)
        if options_are_objects and self.options:
            resolved = [self.vocabulary.resolve(o.text) for o in self.options]
            if any(resolved):
                unknown += [o.text for o, label in zip(self.options, resolved) if label is None]
        if unknown:
            raise unknown_objects(unique(singular(name) for name in unknown), self.vocabulary.labels)
