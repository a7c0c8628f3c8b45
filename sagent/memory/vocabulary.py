"""Words to scene labels: plurals, synonyms, and finding object mentions in a question."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# Each group names one kind of object; any word in a group may stand for a scene label in it.
# The first word is the canonical name detectors' labels are mapped to.
_GROUPS: tuple[tuple[str, ...], ...] = (
    ("sofa", "couch", "settee"),
    ("tv", "television", "tv set", "telly"),
    ("trash bin", "trash can", "garbage can", "garbage bin", "waste bin", "wastebasket", "rubbish bin", "dustbin", "bin"),
    ("nightstand", "night stand", "bedside table", "night table", "bedside cabinet", "bedside locker"),
    ("refrigerator", "fridge"),
    ("computer mouse", "mouse"),
    ("telephone", "phone"),
    ("closet", "wardrobe"),
    ("bookshelf", "bookcase", "book shelf"),
    ("monitor", "computer monitor", "computer screen", "screen", "display"),
    ("tv stand", "tv unit", "tv cabinet", "television stand", "television unit", "tv bench", "media console"),
    ("washing machine", "washer"),
    ("pillow", "cushion"),
    ("plant", "potted plant", "houseplant", "pot plant", "house plant"),
    ("radiator", "heater"),
    ("microwave", "microwave oven"),
    ("stove", "cooktop", "hob", "cooker"),
    ("door", "doorway"),
    ("bathtub", "tub", "bath"),
    ("toilet", "wc"),
    ("table lamp", "desk lamp"),
    ("lamp", "light"),
    ("ceiling light", "ceiling lamp", "overhead light", "overhead lamp"),
    ("computer tower", "pc tower", "desktop computer"),
    ("backpack", "rucksack"),
    ("counter", "countertop", "kitchen counter"),
    ("whiteboard", "white board"),
    ("chair", "seat"),
    ("table", "dining table"),
)
SYNONYM_GROUPS: tuple[frozenset[str], ...] = tuple(frozenset(g) for g in _GROUPS)

# What open-vocabulary detectors look for when a question names nothing they know: common indoor
# objects (the VSI-Bench categories of ScanNet, ScanNet++ and ARKitScenes among them).
INDOOR_OBJECTS: tuple[str, ...] = tuple(sorted({group[0] for group in _GROUPS} | {
    "bed", "chair", "table", "desk", "door", "window", "sofa", "tv", "lamp", "toilet", "sink", "bathtub",
    "cabinet", "shelf", "stool", "fireplace", "dishwasher", "oven", "stove", "kettle", "cup", "bowl",
    "laptop", "keyboard", "monitor", "printer", "clock", "mirror", "towel", "pillow", "blanket", "basket",
    "suitcase", "backpack", "shoes", "curtain", "piano", "guitar", "fan", "radiator", "plant", "box",
    "nightstand", "bookshelf", "refrigerator", "microwave", "washing machine", "trash bin",
}))
_CANONICAL = {word: group[0] for group in _GROUPS for word in group}


def canonical_label(label: str) -> str:
    """A detector's or annotator's label in sagent's words: 'couch' -> 'sofa', 'night stand' -> 'nightstand'."""
    name = normalize(label).strip()
    return _CANONICAL.get(name, _CANONICAL.get(singular(name), name))

_IRREGULAR_PLURALS = {"shelf": "shelves", "person": "people", "mouse": "mice", "knife": "knives", "foot": "feet"}


def plural(word: str) -> str:
    """English plural of the last word of a phrase ("trash bin" -> "trash bins")."""
    head, _, last = word.rpartition(" ")
    if last in _IRREGULAR_PLURALS:
        last = _IRREGULAR_PLURALS[last]
    elif re.search(r"(s|x|z|ch|sh)$", last):
        last += "es"
    elif re.search(r"[^aeiou]y$", last):
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head} {last}".strip()


def singular(word: str) -> str:
    """Best-effort singular of the last word ("shoes" -> "shoe")."""
    head, _, last = word.rpartition(" ")
    reverse = {v: k for k, v in _IRREGULAR_PLURALS.items()}
    if last in reverse:
        last = reverse[last]
    elif re.search(r"[^aeiou]ies$", last):
        last = last[:-3] + "y"
    elif re.search(r"(ss|x|z|ch|sh)es$", last):
        last = last[:-2]
    elif last.endswith("s") and not last.endswith("ss"):
        last = last[:-1]
    return f"{head} {last}".strip()


def normalize(text: str) -> str:
    """Lower case, '(s)' plural markers dropped, underscores and dashes between words as spaces."""
    text = text.lower().replace("(s)", "").replace("(es)", "")
    text = re.sub(r"(?<=[a-z])[_](?=[a-z])", " ", text)
    return re.sub(r"\s+", " ", text)


@dataclass(frozen=True)
class Mention:
    """A stretch of the question that names a scene label."""

    label: str
    start: int
    end: int
    text: str


class Vocabulary:
    """The phrases that name each scene label: the label, its synonyms, and their plurals."""

    def __init__(self, labels: list[str]):
        self.labels = list(labels)
        self.aliases: dict[str, str] = {}
        own_names = {normalize(label): label for label in self.labels}
        for name, label in own_names.items():
            for form in (name, plural(name), singular(name)):
                self.aliases[form] = label
        for name, label in own_names.items():
            names = {name, singular(name)}
            synonyms = {w for group in SYNONYM_GROUPS if names & group for w in group}
            for synonym in synonyms:
                for form in (synonym, plural(synonym)):
                    # A label's own name, or a synonym already taken, is never reassigned.
                    self.aliases.setdefault(form, label)
        alternatives = sorted(self.aliases, key=len, reverse=True)
        self._pattern = re.compile(r"\b(" + "|".join(re.escape(a) for a in alternatives) + r")\b") if alternatives else None

    def mentions(self, text: str) -> list[Mention]:
        """Non-overlapping label mentions in `text` (already normalized), longest phrase first, in order."""
        if self._pattern is None:
            return []
        return [Mention(self.aliases[m.group(1)], m.start(), m.end(), m.group(1)) for m in self._pattern.finditer(text)]

    def exact(self, phrase: str) -> str | None:
        """The scene label a phrase names as a whole: the label, a synonym or a plural; no partial or
        close matches ("table lamp" is not the table)."""
        phrase = re.sub(r"^(the|a|an|any|some|this|that|my|your)\s+", "", normalize(phrase).strip(" .,;:?!\"'"))
        return self.aliases.get(phrase) or self.aliases.get(singular(phrase))

    def kinds_of(self, phrase: str) -> list[str]:
        """The scene labels that are a kind of `phrase`: named by it exactly, or whose head noun it is
        (a "table lamp" is a lamp)."""
        label = self.exact(phrase)
        if label is not None:
            return [label]
        head = singular(re.sub(r"^(the|a|an|any|some)\s+", "", normalize(phrase).strip(" .,;:?!")))
        return [label for label in self.labels if singular(normalize(label)).split(" ")[-1] == head and " " not in head]

    def resolve(self, phrase: str) -> str | None:
        """The scene label a phrase names: exact alias, a mention inside it, or a close spelling."""
        phrase = re.sub(r"^(the|a|an|this|that|my|your)\s+", "", normalize(phrase).strip(" .,;:?!\"'"))
        if phrase in self.aliases:
            return self.aliases[phrase]
        found = self.mentions(phrase)
        if found:
            return max(found, key=lambda m: len(m.text)).label
        close = difflib.get_close_matches(phrase, list(self.aliases), n=1, cutoff=0.8)
        return self.aliases[close[0]] if close else None
