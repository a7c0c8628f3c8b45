"""Reading questions that stand somewhere: input views, routes, "standing at A facing B", and
the order things appear in."""

from __future__ import annotations

import re

from sagent.agent.options import canonical
from sagent.agent.understanding import lexicon
from sagent.agent.understanding.frame import ObjectRef, Observer, TaskFrame
from sagent.agent.understanding.errors import PlanningError
from sagent.agent.understanding.question import Question, unique

FACING = (r"\b(?:facing|face|faces|looking|look|looks|gazing|oriented|turned|heading|pointing)\s+"
          r"(?:directly\s+|straight\s+)?(?:at|toward|towards|to)?\s*(?:the\s+)?$")
STANDING = (r"\b(?:standing|stand|stands|stood|sitting|sit|sits|seated|positioned|located|placed|am|are|be|being|"
            r"i'm|you're|begin|beginning|start|starting|starts|from|yourself|myself|go|went|walk|walked)\s+(?:right\s+)?"
            r"(?:by|at|next to|beside|near|close to|in front of|on)?\s*(?:the\s+)?$")
_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "sixth": 5, "last": -1}

def _view_numbers(q: Question) -> list[tuple[int, int]]:
    text = q.text
    found = [(m.start(), int(m.group(1))) for m in re.finditer(r"\b(?:view|frame|image|picture)\s*#?\s*(\d+)", text)]
    found += [(m.start(), _ORDINALS[m.group(1)]) for m in
              re.finditer(r"\b(first|second|third|fourth|fifth|sixth|last)\s+(?:view|frame|image|picture)", text)]
    return sorted(found)

def views(q: Question) -> TaskFrame | None:
    views = [index for _, index in _view_numbers(q)]
    if not views:
        return None
    if len(views) >= 2 and q.has(r"\b(move|moved|movement|went|travel|travelled|traveled|get from|go from)\b"):
        return TaskFrame(task="view_movement", views=views[:2])
    if len(views) >= 2 and q.has(r"\b(turn|turned|rotate|rotated)\b"):
        if q.has(r"\bhow (?:far|much|many degrees)\b|\bangle\b|\bdegrees\b"):
            return TaskFrame(task="view_turn_angle", views=views[:2])
        return TaskFrame(task="view_turn", views=views[:2])
    turned = re.search(r"\bturn(?:ing|s|ed)?\s+(?:to\s+(?:the|your|my)\s+)?(left|right|around|back)(?:\s+by)?"
                       r"(?:\s+(\d+)\s*(?:degrees|deg|°))?", q.text)
    if turned and q.has(r"\b(which|what)\s+(view|frame|image|picture)|\bsee\b"):
        word, degrees = turned.group(1), float(turned.group(2) or 90)
        angle = 180.0 if word in ("around", "back") else degrees if word == "left" else -degrees
        return TaskFrame(task="view_after_turn", views=views[:1], angle=angle)
    if q.mentions and q.has(r"\b(left|right|behind|back|front)\b"):
        words = q.option_words()
        quadrant = words & lexicon.QUADRANT_WORDS or q.has(r"\b(front|back|rear)[- ](left|right)\b")
        scheme = ("quadrant" if quadrant else "left_right_back" if ("back" in words or q.has(r"\b(behind|back)\b"))
                  else "left_right")
        target, observer = ObjectRef(label=q.mentions[0].label), Observer(view=views[0])
        asked = re.search(r"\b(front|back|rear)[- ](left|right)\b|\b(behind|left|right)\b", q.text[q.mentions[0].end:])
        if asked and not q.options and " or " not in q.text and re.search(r"(?:^|,\s*)(?:is|are|was)\b", q.text):
            word = canonical(asked.group(0))  # "in view 2, is the lamp on the left?" asks yes or no
            scheme = "quadrant" if word in lexicon.QUADRANT_WORDS else "left_right_back" if word == "back" else "left_right"
            return TaskFrame(task="direction_check", objects=[target], observer=observer, scheme=scheme, word=word)
        return TaskFrame(task="view_direction", objects=[target], observer=observer, scheme=scheme)
    return None

def route(q: Question) -> TaskFrame | None:
    if not q.has(r"\b(navigate|forward until|route|walk to|get to)\b"):
        return None
    start = q.mention_after(STANDING)
    facing = q.mention_after(FACING, exclude=(start,) if start else ())
    legs = [m for m in q.mentions if re.search(r"\buntil\s+(?:you\s+(?:reach|get to)\s+)?(?:the\s+)?$", q.text[:m.start])]
    if not legs:
        goal = q.mention_after(r"\b(?:navigate|go|get|walk|move)\s+(?:to|towards?)\s+(?:the\s+)?$")
        legs = [goal] if goal else []
    if not (start and facing and legs):
        return None
    return TaskFrame(task="route", observer=Observer(at=ObjectRef(label=start.label), facing=ObjectRef(label=facing.label)),
                     objects=[ObjectRef(label=m.label) for m in legs])

_CAMERA = r"(?:the\s+)?(?:camera|viewer|photographer|me|us|the person taking (?:the|this) (?:photo|picture))"


def camera_relation(q: Question) -> TaskFrame | None:
    """As the camera sees them: "is the lamp left of the sofa?", "is the cup in front of the laptop?",
    "which is closer to the camera, the chair or the desk?" (CV-Bench, SpatialRGPT). The camera is the view
    the question names, else the only one (a photo); with several and none named, it asks which."""
    if q.has(FACING.rstrip("$")) or q.has(r"\b(?:standing|sitting|seated)\b"):
        return None  # an observer placed in the room: the viewpoint reader's
    closer = re.search(rf"\b(closer|nearer|closest|nearest|farther|further|farthest|furthest)\s+(?:to|from)\s+{_CAMERA}\b",
                       q.text)
    side = re.match(r"\s*(?:is|are|was)\b.*?\b(?:to the |on the )?(left|right) of\b", q.text)
    depth = re.match(r"\s*(?:is|are|was)\b.*?\b(in front of|behind)\b(?! me\b| us\b)", q.text)
    if not (closer or side or depth):
        return None
    views = [index for _, index in _view_numbers(q)]
    view = views[0] if views else 0 if q.views == 1 else None
    if view is None:
        if q.views > 1:
            raise PlanningError(f"'{q.raw}' depends on where the camera stood: name the view (\"in view 3\"), or say where "
                                "you stand and face")
        return None  # no camera: left of / in front of something has no viewpoint here
    refs = unique(m.label for m in q.mentions)
    if len(refs) < 2:
        return None
    observer, objects = Observer(view=view), [ObjectRef(label=label) for label in refs[:2]]
    if closer:
        far = closer.group(1) in ("farther", "further", "farthest", "furthest")
        if re.match(r"\s*(?:is|are|was)\b", q.text) and " than " in q.text:
            return TaskFrame(task="compare", objects=objects, observer=observer, measure="camera_distance",
                             comparison=">" if far else "<")
        return TaskFrame(task="choose", objects=[ObjectRef(label=label) for label in refs], observer=observer,
                         measure="camera_distance", best="max" if far else "min")
    if side:
        return TaskFrame(task="compare", objects=objects, observer=observer, measure="bearing",
                         comparison=">" if side.group(1) == "left" else "<")
    return TaskFrame(task="compare", objects=objects, observer=observer, measure="camera_distance",
                     comparison="<" if depth.group(1) == "in front of" else ">")


def side_listing(q: Question) -> TaskFrame | None:
    """"What is on my left, sitting on the sofa facing the tv?", "what's to the left of the tv when I sit on
    the sofa?" (facing the tv: the left of what is in front)."""
    if not q.has(r"(?:^|[,.]\s*)(?:what|which|list|name|tell me)\b") or q.options:
        return None
    side = re.search(r"\b(?:on|to|at) (my|the) (left|right)(?: side| hand side)?(?: of (?:the )?)?|\b(behind|in front of|ahead of) me\b",
                     q.text)
    if side is None:
        return None
    standing = q.mention_after(STANDING)
    facing = q.mention_after(FACING, exclude=(standing,) if standing else ())
    of = next((m for m in q.mentions if m.start == side.end()), None) if side.group(2) else None
    if facing is None and of is not None:
        facing = of
    if standing is None or facing is None or standing == facing:
        return None
    if side.group(3):
        word = "back" if side.group(3) == "behind" else "front"
    else:
        word = f"front-{side.group(2)}" if of is not None else side.group(2)
    return TaskFrame(task="list_side", observer=Observer(at=q.ref_of(standing), facing=q.ref_of(facing)), word=word)


def direction(q: Question) -> TaskFrame | None:
    words = q.option_words()
    if not (q.has(r"\b(left|right|behind|back|front|ahead)\b") or words & lexicon.DIRECTION_WORDS):
        return None
    facing = q.mention_after(FACING)
    if facing is None:
        return None
    standing = q.mention_after(STANDING, exclude=(facing,))
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
    observer = Observer(at=q.ref_of(standing), facing=q.ref_of(facing))
    objects = [q.ref_of(target)]
    after = q.text[target.end:]
    asked = re.search(r"\b(front|back|rear)[- ](left|right)\b|\b(behind|back|left|right|in front|ahead)\b", after)
    sentence = q.text[max(q.text.rfind(c, 0, target.start) for c in ".!?;,") + 1:]
    if not q.options and re.match(r"\s*(is|are|was|would|will)\b", sentence) and " or " not in sentence and asked:
        word = canonical(asked.group(0))
        word = {"in front": "front", "forward": "front", "ahead": "front"}.get(word, word)
        scheme = ("quadrant" if word in lexicon.QUADRANT_WORDS else "front_back" if word == "front" else
                  "left_right_back" if word == "back" else "left_right")
        return TaskFrame(task="direction_check", observer=observer, objects=objects, scheme=scheme, word=word)
    return TaskFrame(task="direction", observer=observer, objects=objects, scheme=answer_scheme(q.text, words))


def answer_scheme(text: str, option_words: set[str]) -> str:
    """Which set of direction words a question answers in, from its options and its words: quadrants,
    in front or behind, left / right / back, or left / right."""
    if option_words & lexicon.QUADRANT_WORDS or re.search(r"\b(front|back|rear)[- ](left|right)\b|\bquadrant", text):
        return "quadrant"
    if (re.search(r"\bin front\b|\bahead\b", text) and re.search(r"\bbehind\b|\bback\b", text)
            and not re.search(r"\b(left|right)\b", text)):
        return "front_back"
    if "back" in option_words or re.search(r"\b(back|behind)\b", text):
        return "left_right_back"
    return "left_right"

def appearance(q: Question) -> TaskFrame | None:
    if not q.has(r"\b(appear|appears|appearance|appeared|first seen|seen first|shows? up|showed up)\b"):
        return None
    q.require_objects(articles=False)  # its wording ("the following categories") is not about objects
    labels = unique(m.label for m in q.mentions) or q.option_labels() or []
    if len(labels) < 2:
        return None
    return TaskFrame(task="appearance_order", objects=[ObjectRef(label=label) for label in labels])
