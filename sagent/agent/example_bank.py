"""The bank of checked question/program pairs (templates/examples.jsonl) and the retrieval of the
few closest to a question, so a small context holds only examples that look like the task at hand.

Similarity is TF-IDF cosine over the question's words and word pairs with object names masked
(`how far is the <obj> from the <obj>`): examples are chosen for the question's form, not for the
objects it happens to name. Examples whose ops the scene cannot serve (views on a layout) are left out.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sagent.dsl import REGISTRY
from sagent.dsl.needs import scene_serves
from sagent.memory.scene import SceneMemory
from sagent.memory.vocabulary import INDOOR_OBJECTS

BANK = Path(__file__).with_name("templates") / "examples.jsonl"
DEFAULT_SHOTS = 4
MAX_PER_TASK = 2  # so the shots show more than one phrasing of more than one task

# Words that say nothing of a question's form on their own (pairs keep them: "how many", "to my").
_STOP = frozenset("a an the of in on to is are be i my me you your this that these it its and or at by "
                  "for with from what which do does there".split())
_OBJECT = "obj"


@dataclass(frozen=True)
class Example:
    question: str
    program: str
    task: str = ""
    options: tuple[str, ...] = ()

    @property
    def ops(self) -> set[str]:
        return {name for name in re.findall(r"([a-z_]+)\(", self.program) if name in REGISTRY}

    @property
    def labels(self) -> set[str]:
        return set(re.findall(r'objects\("([^"]+)"\)', self.program))


def _read(path: Path) -> tuple[Example, ...]:
    examples = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            examples.append(Example(item["question"], item["program"], item.get("task", ""), tuple(item.get("options", ()))))
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path.name} line {number}: not a question/program pair ({error})") from None
    return tuple(examples)


@lru_cache(maxsize=1)
def bank() -> tuple[Example, ...]:
    """Every pair in templates/examples.jsonl (each is parsed, checked and run in the tests)."""
    return _read(BANK)


def _masked_words(text: str, object_names: tuple[str, ...]) -> list[str]:
    text = text.lower()
    for name in object_names:  # longest first, so "trash bin" goes before "bin"
        text = re.sub(rf"\b{re.escape(name)}(?:s|es)?\b", f" {_OBJECT} ", text)
    return re.findall(r"[a-z0-9]+(?:-[a-z]+)?", text)


def _features(words: list[str]) -> Counter:
    singles = [w for w in words if w not in _STOP and w != _OBJECT]
    pairs = [f"{a} {b}" for a, b in zip(words, words[1:])]
    return Counter(singles + pairs)


class _Index:
    """TF-IDF vectors of the bank's questions; the object names masked include the bank's own labels."""

    def __init__(self, examples: tuple[Example, ...]):
        self.examples = examples
        self.names = tuple(sorted({*INDOOR_OBJECTS, *(label for e in examples for label in e.labels)}, key=len, reverse=True))
        counts = [_features(_masked_words(e.question, self.names)) for e in examples]
        documents = Counter(feature for c in counts for feature in c)
        self.idf = {f: math.log((1 + len(examples)) / (1 + n)) + 1.0 for f, n in documents.items()}
        self.vectors = [self.vector(c) for c in counts]

    def vector(self, counts: Counter) -> dict[str, float]:
        weights = {f: (1 + math.log(n)) * self.idf[f] for f, n in counts.items() if f in self.idf}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {f: w / norm for f, w in weights.items()}

    def scores(self, question: str, extra_names: tuple[str, ...]) -> list[float]:
        names = tuple(sorted({*self.names, *extra_names}, key=len, reverse=True))
        query = self.vector(_features(_masked_words(question, names)))
        return [sum(w * v.get(f, 0.0) for f, w in query.items()) for v in self.vectors]


@lru_cache(maxsize=1)
def _index() -> _Index:
    return _Index(bank())


def nearest_examples(question: str, scene: SceneMemory | None = None, shots: int = DEFAULT_SHOTS) -> list[Example]:
    """The `shots` bank examples most similar to `question` (at most MAX_PER_TASK of one task),
    among those whose ops `scene` can serve; best first, ties in bank order."""
    index = _index()
    served = {name for name, op in REGISTRY.items() if scene is None or scene_serves(op, scene)}
    labels = tuple(l.lower() for l in scene.labels()) if scene is not None else ()
    ranked = sorted(zip(index.scores(question, labels), range(len(index.examples))), key=lambda s: (-s[0], s[1]))
    chosen: list[Example] = []
    per_task: Counter = Counter()
    for _, position in ranked:
        example = index.examples[position]
        if not example.ops <= served or per_task[example.task] >= MAX_PER_TASK:
            continue
        chosen.append(example)
        per_task[example.task] += 1
        if len(chosen) == shots:
            break
    return chosen
