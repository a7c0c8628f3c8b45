"""Writes the everyday set's held-out questions, `heldout.jsonl`: the same categories, kinds, scenes and
record format as `questions.jsonl`, with ground truth from the same helpers (geometry.py, scenes.py,
context.py) and the same near-tie and people-sense exclusions (the generators' filters are reused), but
in phrasings written separately from phrasing.py's names and the generators' templates: as a robot
operator, someone furnishing a flat, a benchmark author, a child or a non-native speaker would ask,
short and long, with context, synonyms, British and American spelling, numbers and units in words and
symbols. It tests whether a question reader generalises to wordings it was not tuned on.

    .venv/bin/python benchmarks/everyday/make_heldout.py [--seed 11] [--per-category 9]

Deterministic for a seed. Reads rooms.json (does not rewrite it) and ../shared/data for the real scenes.
No question text equals one in questions.jsonl.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import geometry as g  # noqa: E402
import phrasing as p  # noqa: E402  (plural, article, cap, in_unit, UNASKED, WIDTH_SENSE only: no templates)
import questions_measures as qm  # noqa: E402  (sized, MOUNTED: which measures people would ask)
import questions_reference as qf  # noqa: E402  (_view, direction_word: the observer's exclusions)
import questions_relations as qr  # noqa: E402  (plausible, _listable, _standing: the relation filters)
from context import Ctx, lettered, separated, winner  # noqa: E402
from make_questions import META, SCENES  # noqa: E402
from scenes import ROOT, Scene  # noqa: E402

HELDOUT_FILE = HERE / "heldout.jsonl"
DEV_FILE = HERE / "questions.jsonl"

# ------------------------------------------------------------------------------------------- names
# Scene label -> what people call it here (British and American words, informal names).
NAMES: dict[str, tuple[str, ...]] = {
    "sofa": ("sofa", "couch", "settee"),
    "tv": ("TV", "television", "telly", "tv"),
    "trash bin": ("bin", "rubbish bin", "waste bin", "trash can", "garbage bin"),
    "trash can": ("trash can", "garbage can", "rubbish bin", "bin"),
    "nightstand": ("nightstand", "bedside table", "night table", "bedside cabinet"),
    "bookshelf": ("bookshelf", "bookcase", "book shelf"),
    "refrigerator": ("fridge", "refrigerator"),
    "washer": ("washing machine", "washer"),
    "plant": ("plant", "pot plant", "houseplant", "potted plant"),
    "telephone": ("phone", "telephone"),
    "closet": ("wardrobe", "closet"),
    "monitor": ("monitor", "computer monitor", "screen"),
    "computer mouse": ("mouse", "computer mouse"),
    "tv stand": ("TV stand", "TV unit", "television stand"),
    "stove": ("stove", "cooker", "hob"),
    "ceiling light": ("ceiling light", "ceiling lamp", "overhead light"),
    "counter": ("counter", "worktop", "kitchen counter", "countertop"),
    "pillow": ("pillow", "cushion"),
    "backpack": ("backpack", "rucksack"),
    "cutting board": ("cutting board", "chopping board"),
    "microwave": ("microwave", "microwave oven"),
    "keyboard": ("keyboard", "computer keyboard"),
}
# Things surely not in a room (checked against every word of its labels' names): name -> other names.
ABSENT: dict[str, tuple[str, ...]] = {
    "piano": ("piano",), "bathtub": ("bathtub", "bath tub"), "guitar": ("guitar",),
    "treadmill": ("treadmill", "running machine"), "aquarium": ("aquarium", "fish tank"),
    "bicycle": ("bicycle", "bike"), "drum kit": ("drum kit", "drum set"), "hammock": ("hammock",),
    "dartboard": ("dartboard",), "rocking horse": ("rocking horse",), "sofa": ("couch", "settee"),
    "tv": ("television", "telly"), "fireplace": ("fireplace",), "refrigerator": ("fridge",),
    "washer": ("washing machine",), "dishwasher": ("dishwasher",), "bed": ("bed",),
}


class HCtx(Ctx):
    """Ctx with this file's names (Ctx.the / a / pl go through name)."""

    def name(self, label: str) -> str:
        return self.rng.choice(NAMES.get(label, (label,)))

    def ref(self, label: str) -> str:
        """'the sofa' for one instance; 'one of the chairs' / 'either of the two tables' for several."""
        if self.scene.single(label):
            return self.the(label)
        if self.scene.count(label) == 2 and self.rng.random() < 0.5:
            return "either of the " + self.pl(label)
        return self.rng.choice(("one of the ", "any of the ")) + self.pl(label)

    def some(self, label: str) -> str:
        """'the sofa' / 'the chairs'."""
        return self.the(label) if self.scene.single(label) else "the " + self.pl(label)


def absent_names(scene: Scene) -> list[str]:
    """Keys of ABSENT with no label of the scene and no word shared with any name of its labels."""
    words = set()
    for label in scene.labels:
        for name in (label, *NAMES.get(label, ())):
            words |= set(name.lower().split())
    out = []
    for key, names in ABSENT.items():
        family = {w for n in (key, *names) for w in n.lower().split()}
        if key not in scene.labels and not family & words:
            out.append(key)
    return out


# ------------------------------------------------------------------------------------------- units
ASKS = {
    "length": (("", "m"), (" in metres", "m"), (" in m", "m"), (" in centimeters", "cm"), (" in cm", "cm"),
               (" in ft", "ft"), (" in feet", "ft"), (" in inches", "in"), (", answer in metres", "m"),
               (" (in centimetres, please)", "cm")),
    "area": (("", "m2"), (" in m²", "m2"), (" in m^2", "m2"), (" in sq m", "m2"), (" in square meters", "m2"),
             (" in square feet", "ft2"), (" in ft²", "ft2"), (" in sq. ft.", "ft2")),
    "volume": (("", "m3"), (" in m³", "m3"), (" in cubic meters", "m3"), (" in litres", "l"), (" in L", "l"),
               (" in cubic feet", "ft3"), (" in ft³", "ft3"), (" in liters", "l")),
}
# For "how many {U} ..." questions.
UNIT_WORDS = {
    "length": (("metres", "m"), ("meters", "m"), ("centimetres", "cm"), ("cm", "cm"), ("feet", "ft"), ("inches", "in")),
    "area": (("square metres", "m2"), ("square feet", "ft2"), ("m²", "m2"), ("sq ft", "ft2")),
    "volume": (("litres", "l"), ("liters", "l"), ("cubic metres", "m3"), ("cubic feet", "ft3")),
}
DIM_OF = {"height": "length", "length": "length", "width": "length", "longest": "length", "footprint": "area",
          "volume": "volume", "top": "length", "distance": "length"}


def measured(ctx: HCtx, category: str, text: str, value_base: float, dimension: str) -> dict:
    """A measure question: `text` holds `{u}` (a unit phrase, or none) or `{U}` (a unit word)."""
    if "{U}" in text:
        word, unit = ctx.rng.choice(UNIT_WORDS[dimension])
        text = text.replace("{U}", word)
    else:
        phrase, unit = ctx.rng.choice(ASKS[dimension])
        text = text.replace("{u}", phrase)
    return ctx.q(category, text, dimension, p.in_unit(value_base, unit), unit)


def fill(template: str, **names) -> str:
    return template.format(u="{u}", U="{U}", **names)


# ---------------------------------------------------------------------------------------- existence
EXIST = ("is there {a} somewhere in this room?", "quick check: do we have {a} in here?", "can you spot {a} anywhere?",
         "does the room contain {a}?", "any {pl} in this room?", "room has {a}, yes or no?",
         "I'm doing an inventory of this room. Is there {a}?", "my little brother says there's {a} in here. Is that true?",
         "is at least one {n} present in the scene?", "have you got {a} in this room?")


def existence(ctx: HCtx) -> list[dict]:
    out = []
    for label in ctx.sample(ctx.askable(), 3):
        n = ctx.name(label)
        out.append(ctx.q("existence", fill(ctx.rng.choice(EXIST), a=p.article(n), pl=p.plural(n), n=n), "yes_no", True))
    for key in ctx.sample(absent_names(ctx.scene), min(3, len(absent_names(ctx.scene)))):
        n = ctx.rng.choice(ABSENT[key])
        out.append(ctx.q("existence", fill(ctx.rng.choice(EXIST), a=p.article(n), pl=p.plural(n), n=n), "yes_no", False))
    return ctx.shuffled(out)


# ----------------------------------------------------------------------------------------- counting
COUNT = ("how many {pl} do we have in here?", "what is the total number of {pl} in the scene?",
         "how much {pl} are in this room?", "I'm making an inventory. How many {pl} are in the room?",
         "give me the count of {pl}.", "number of {pl} in the room?", "can you count the {pl}? How many are there?",
         "how many {pl} are in this space?")
SUM = ("how many {x} plus {y} are there?", "{x} and {y} together: how many?",
       "taken together, how many {x} and {y} does the room have?", "what's the combined number of {x} and {y}?",
       "add the number of {x} to the number of {y}. What's the total?")
SEATS = ("how many pieces of seating are there if you count {x} and {y}?",
         "counting {x} as well as {y}, how many seats does the room have?", "if I count {x} and {y}, how many seats is that?")


def counting(ctx: HCtx) -> list[dict]:
    s, out = ctx.scene, []
    for label in ctx.sample(ctx.askable(), 3):
        out.append(ctx.q("counting", fill(ctx.rng.choice(COUNT), pl=ctx.pl(label)), "count", s.count(label)))
    for key in ctx.sample(absent_names(s), 1):
        name = ctx.rng.choice(ABSENT[key])
        out.append(ctx.q("counting", fill(ctx.rng.choice(COUNT), pl=p.plural(name)), "count", 0))
    seats = [label for label in ("sofa", "chair", "stool") if label in ctx.askable()]
    if len(seats) >= 2:
        a, b = seats[:2]
        out.append(ctx.q("counting", fill(ctx.rng.choice(SEATS), x=ctx.some(a), y=ctx.some(b)), "count",
                         s.count(a) + s.count(b)))
    pair = ctx.sample(ctx.askable(), 2)
    if pair:
        a, b = pair
        out.append(ctx.q("counting", fill(ctx.rng.choice(SUM), x=ctx.pl(a), y=ctx.pl(b)), "count", s.count(a) + s.count(b)))
    return ctx.shuffled(out)


# ---------------------------------------------------------------------------------------- distances
DIST = ("what is the shortest distance between {A} and {B}{u}?", "how many {U} is {A} from {B}?",
        "I'm thinking of moving {A}. How far is it from {B} right now{u}?", "distance from {A} to {B}{u}, please.",
        "how far {An} is from {Bn}{u}?", "report the distance between {A} and {B}{u}.",
        "could you measure how far apart {A} and {B} are{u}?", "how far away is {A} from {B}{u}?",
        "what's the distance separating {A} from {B}{u}?")
DIST_NEAREST = ("how far from {B} is the nearest of the {xpl}{u}?", "what's the distance from {B} to whichever {x} is closest{u}?",
                "how far is {B} from the closest {x}{u}?", "how many {U} is it from {B} to the nearest {x}?")
HDIST = ("if you look down from the ceiling, how far apart are {A} and {B}{u}?",
         "on the floor plan, what's the distance between {A} and {B}{u}?", "not counting height, how far is {A} from {B}{u}?",
         "along the ground, how far is {A} from {B}{u}?", "in plan view, how far is {A} from {B}{u}?",
         "horizontally speaking, how far is {A} from {B}{u}?", "what's the horizontal gap between {A} and {B}{u}?",
         "leaving height out of it, how far is {A} from {B}{u}?")
VDIST_ABOVE = ("how much space is there between the top of {B} and the bottom of {A}{u}?", "how far up from {B} is {A}{u}?",
               "what's the vertical clearance between {B} and {A}{u}?", "how far does {A} sit above {B}{u}?",
               "how far is the bottom of {A} above the top of {B}{u}?")
VDIST = ("measured straight up and down, how far apart are {A} and {B}{u}?", "what's the vertical separation of {A} and {B}{u}?",
         "how far is {A} from {B} in the vertical direction{u}?", "ignoring horizontal distance, how far apart are {A} and {B}{u}?")


# Things nobody moves (the "I'm thinking of moving" and "hang a picture above" wordings skip or need them).
FIXED = {"door", "window", "radiator", "heater", "fireplace", "ceiling light", "counter", "toilet", "stove", "mirror",
         "closet", "dishwasher", "washer", "towel"}
FURNITURE = {"sofa", "bed", "table", "tv stand", "bookshelf", "nightstand", "counter", "refrigerator", "fireplace",
             "radiator", "heater", "closet", "desk", "dresser", "coffee table", "chair", "stool", "toilet"}


def distance(ctx: HCtx) -> list[dict]:
    s, out = ctx.scene, []
    pairs = [(a, b) for a, b in itertools.combinations(ctx.singles(), 2) if s.dist3(a, b) >= 0.15]
    for a, b in ctx.sample(pairs, min(4, len(pairs))):
        if a in FIXED:
            a, b = b, a
        templates = [t for t in DIST if "moving" not in t or a not in FIXED]
        text = fill(ctx.rng.choice(templates), A=ctx.the(a), B=ctx.the(b), An=ctx.name(a), Bn=ctx.name(b))
        out.append(measured(ctx, "distance", text, s.dist3(a, b), "length"))
    multi = [(x, b) for x in ctx.multiples() for b in ctx.singles() if s.dist3(x, b) >= 0.15]
    for x, b in ctx.sample(multi, min(2, len(multi))):
        text = fill(ctx.rng.choice(DIST_NEAREST), x=ctx.name(x), xpl=ctx.pl(x), B=ctx.the(b))
        out.append(measured(ctx, "distance", text, s.dist3(x, b), "length"))
    return ctx.shuffled(out)


def horizontal_distance(ctx: HCtx) -> list[dict]:
    s, out = ctx.scene, []
    pairs = [(a, b) for a, b in itertools.combinations(ctx.singles(), 2) if s.hdist(a, b) >= 0.1]
    lifted = [ab for ab in pairs if s.dist3(*ab) - s.hdist(*ab) >= 0.05]  # where the two distances differ
    chosen = ctx.sample(lifted, min(3, len(lifted)))
    chosen += ctx.sample([ab for ab in pairs if ab not in chosen], min(2, len(pairs) - len(chosen)))
    for a, b in chosen:
        text = fill(ctx.rng.choice(HDIST), A=ctx.the(a), B=ctx.the(b))
        out.append(measured(ctx, "horizontal_distance", text, s.hdist(a, b), "length"))
    return ctx.shuffled(out)


def vertical_distance(ctx: HCtx) -> list[dict]:
    s, out = ctx.scene, []
    singles = ctx.singles()
    above = [(a, b) for a in singles for b in singles if a != b and ctx.box(a).bottom - ctx.box(b).top >= 0.1]
    for a, b in ctx.sample(above, min(4, len(above))):
        text = fill(ctx.rng.choice(VDIST_ABOVE + VDIST), A=ctx.the(a), B=ctx.the(b))
        out.append(measured(ctx, "vertical_distance", text, s.vdist(a, b), "length"))
    level = [(a, b) for a, b in itertools.combinations(singles, 2)
             if ctx.box(a).bottom < ctx.box(b).top - 0.1 and ctx.box(b).bottom < ctx.box(a).top - 0.1]
    for a, b in ctx.sample(level, min(1, len(level))):
        text = fill(ctx.rng.choice(VDIST), A=ctx.the(a), B=ctx.the(b))
        out.append(measured(ctx, "vertical_distance", text, 0.0, "length"))
    return out


# -------------------------------------------------------------------------------------------- sizes
SIZE = {
    "height": ("how tall {An} is{u}?", "tell me the height of {A}{u}.", "how tall is {A}, measured from its bottom to its top{u}?",
               "I need the height of {A}{u}. How tall is it?", "what is {A}'s height{u}?"),
    "length": ("how long {An} is{u}?", "what's {A}'s length{u}?", "measure the length of {A}{u}, please.",
               "how long is {A} from end to end{u}?", "I'm measuring up for the removal van. How long is {A}{u}?"),
    "width": ("how wide is {A} across{u}?", "tell me how wide {A} is{u}.", "what is {A}'s width{u}?", "what width is {A}{u}?"),
    "longest": ("what is the biggest side of {A}{u}?", "how long is the longest edge of {A}{u}?",
                "what's the largest dimension of {A}{u}?", "how big is {A} along its longest side{u}?"),
    "footprint": ("how much floor does {A} cover{u}?", "what area of floor does {A} occupy{u}?",
                  "how many {U} of floor does {A} take up?", "what's the footprint area of {A}{u}?"),
    "volume": ("how much volume does {A} take up{u}?", "what is the bounding-box volume of {A}{u}?",
               "I'm packing for a move. What's the volume of {A}{u}?", "how many {U} is {A}'s volume?"),
}


def size(ctx: HCtx) -> list[dict]:
    out = []
    for label in ctx.shuffled(ctx.singles(upright=True))[:6]:
        dim = ctx.rng.choice([d for d in SIZE if qm.sized(ctx, label, d)])
        text = fill(ctx.rng.choice(SIZE[dim]), A=ctx.the(label), An=ctx.name(label))
        out.append(measured(ctx, "size", text, ctx.box(label).measure(dim), DIM_OF[dim]))
    return out


# ---------------------------------------------------------------------------------------- elevation
BOTTOM = ("how far off the floor is {A}{u}?", "what's the distance from the floor to the bottom of {A}{u}?",
          "at what height above the floor is the underside of {A}{u}?", "how far above the ground is the bottom of {A}{u}?")
BOTTOM_MOUNTED = ("at what height is {A} mounted on the wall{u}?", "how high up has {A} been hung{u}?",
                  "how high above the floor is {A} mounted{u}?")
TOP = ("how far above the floor is the top of {A}{u}?", "from the floor, how high up does the top of {A} go{u}?",
       "how high off the floor is the top edge of {A}{u}?",
       "I want to hang a picture just above {A}. How far above the floor is its top{u}?",
       "what's the distance from the floor up to the top of {A}{u}?")
HIGHER = (("which sits higher up in the room, {A} or {B}?", True), ("of {A} and {B}, which one is lower down?", False),
          ("which is positioned higher: {A} or {B}?", True), ("which one is placed lower, {A} or {B}?", False),
          ("{A} or {B}, which is further up?", True))


def _resting(ctx: HCtx, label: str) -> bool:
    """Whether the object stands on another (a tv on a tv stand is not 'mounted' or 'hung')."""
    return any(ctx.scene.relation("on", label, other) is not False for other in ctx.scene.labels
               if other != label and ctx.scene.of(other))


def elevation(ctx: HCtx) -> list[dict]:
    s, out = ctx.scene, []
    singles = ctx.singles(upright=True)
    raised = [label for label in singles if s.elevation(ctx.box(label), "bottom") >= 0.25]
    for label in ctx.sample(raised, min(2, len(raised))):
        templates = BOTTOM + (BOTTOM_MOUNTED if label in qm.MOUNTED and not _resting(ctx, label) else ())
        out.append(measured(ctx, "elevation", fill(ctx.rng.choice(templates), A=ctx.the(label)),
                            s.elevation(ctx.box(label), "bottom"), "length"))
    for label in ctx.sample(singles, min(2, len(singles))):
        templates = [t for t in TOP if "picture" not in t or label in FURNITURE]
        out.append(measured(ctx, "elevation", fill(ctx.rng.choice(templates), A=ctx.the(label)),
                            s.elevation(ctx.box(label), "top"), "length"))
    pairs = [(a, b) for a, b in itertools.combinations(singles, 2)
             if separated(s.elevation(ctx.box(a), "center"), s.elevation(ctx.box(b), "center"), 0.10, 0.15)]
    for a, b in ctx.sample(pairs, min(1, len(pairs))):
        text, higher = ctx.rng.choice(HIGHER)
        ea, eb = s.elevation(ctx.box(a), "center"), s.elevation(ctx.box(b), "center")
        out.append(ctx.q("elevation", fill(text, A=ctx.the(a), B=ctx.the(b)), "label", a if (ea > eb) == higher else b))
    return ctx.shuffled(out)


# ---------------------------------------------------------------------------------------- room area
ROOM = (("how many {U} does this room have?", None), ("what is the room's total floor area{u}?", None),
        ("how big is this room, in m²?", "m2"), ("I'm buying carpet for the whole room. What's its floor area{u}?", None),
        ("what's the area of the floor here{u}?", None), ("how many sq ft is the room?", "ft2"),
        ("room size in square meters?", "m2"), ("what is the surface area of this room's floor{u}?", None))


def room_area(ctx: HCtx) -> list[dict]:
    out = []
    for text, unit in ctx.sample(ROOM, 3):
        value = float(ctx.scene.room_size)
        if unit:
            out.append(ctx.q("room_area", text, "area", p.in_unit(value, unit), unit))
        else:
            out.append(measured(ctx, "room_area", text, value, "area"))
    return out


# ---------------------------------------------------------------------------------- size comparison
ADJECTIVES = (("bigger", "volume", True), ("larger", "volume", True), ("smaller", "volume", False),
              ("taller", "height", True), ("shorter", "height", False), ("longer", "length", True),
              ("wider", "width", True))
COMPARE_YN = ("is {A} {adj} than {B} or not?", "am I right that {A} is {adj} than {B}?", "yes or no: is {A} {adj} than {B}?",
              "{An} {adj} than {Bn}?", "tell me, is {A} {adj} than {B}?")
COMPARE_WHICH = ("{A} or {B}: which is {adj}?", "which of the two is {adj}, {A} or {B}?",
                 "I'm comparing {A} and {B}. Which one is {adj}?", "which is the {adj} one, {A} or {B}?",
                 "who is {adj}, {A} or {B}?")


def _comparable(ctx: HCtx, a: str, b: str, dim: str) -> bool:
    if dim in ("length", "width") and not (qm.sized(ctx, a, dim) and qm.sized(ctx, b, dim)):
        return False
    return separated(ctx.box(a).measure(dim), ctx.box(b).measure(dim))


def size_comparison(ctx: HCtx) -> list[dict]:
    out = []
    pairs = list(itertools.combinations(ctx.singles(upright=True), 2))
    for a, b in ctx.sample(pairs, min(5, len(pairs))):
        adj, dim, larger = ctx.rng.choice(ADJECTIVES)
        if not _comparable(ctx, a, b, dim):
            continue
        va, vb = ctx.box(a).measure(dim), ctx.box(b).measure(dim)
        names = dict(A=ctx.the(a), B=ctx.the(b), An=ctx.name(a), Bn=ctx.name(b), adj=adj)
        if ctx.rng.random() < 0.5:
            out.append(ctx.q("size_comparison", fill(ctx.rng.choice(COMPARE_YN), **names), "yes_no", (va > vb) == larger))
        else:
            out.append(ctx.q("size_comparison", fill(ctx.rng.choice(COMPARE_WHICH), **names), "label",
                             a if (va > vb) == larger else b))
    return out


# ------------------------------------------------------------------------------------- superlatives
SUPERLATIVES = (("tallest", "height", True), ("biggest", "volume", True), ("largest", "volume", True),
                ("smallest", "volume", False), ("shortest", "height", False), ("longest", "length", True))
WHOLE = ("name the {adj} thing in the room.", "which item in the scene is the {adj}?",
         "looking at all the objects here, which one is the {adj}?", "of all the things in this room, which is the {adj}?",
         "what is the {adj} object you can see?", "what's the very {adj} thing in here?")
NAMED = ("{A}, {B}, {C}: which is the {adj}?", "which is the {adj} out of {A}, {B} and {C}?",
         "I have {A}, {B} and {C} here. Which one is the {adj}?", "pick the {adj} of these: {A}, {B}, {C}.",
         "between {A}, {B} and {C}, which would be the {adj}?")


def _extreme(ctx: HCtx, labels, dim: str, largest: bool) -> str | None:
    values = {}
    for label in labels:
        measures = [b.measure(dim) for b in ctx.scene.of(label)]
        values[label] = max(measures) if largest else min(measures)
    return winner(values, largest, absolute=0.02 if dim in ("height", "length") else 0.0)


def superlative(ctx: HCtx) -> list[dict]:
    out = []
    for adj, dim, largest in ctx.sample(SUPERLATIVES, 2):
        best = _extreme(ctx, [label for label in ctx.scene.labels if ctx.scene.of(label)], dim, largest)
        if best is not None and best not in p.UNASKED:
            out.append(ctx.q("superlative", fill(ctx.rng.choice(WHOLE), adj=adj), "label", best))
    for _ in range(3):
        adj, dim, largest = ctx.rng.choice(SUPERLATIVES)
        labels = ctx.sample(ctx.askable(), 3)
        if not labels:
            break
        best = _extreme(ctx, labels, dim, largest)
        if best is None:
            continue
        a, b, c = [ctx.some(x) for x in labels]
        out.append(ctx.q("superlative", fill(ctx.rng.choice(NAMED), adj=adj, A=a, B=b, C=c), "label", best))
    return ctx.shuffled(out)


# --------------------------------------------------------------------------------- nearest/farthest
NEAREST = ("what's the nearest thing to {T}?", "which object is located nearest to {T}?",
           "what object is the closest one to {T}?", "which item sits nearest {T}?", "what is most close to {T}?")
FARTHEST = ("which thing is furthest away from {T}?", "what lies farthest from {T}?", "what object is the most far from {T}?",
            "which is the farthest object from {T} in this room?", "what's furthest from {T}?")


def nearest_farthest(ctx: HCtx) -> list[dict]:
    s, out = ctx.scene, []
    for target in ctx.sample(ctx.singles(), min(3, len(ctx.singles()))):
        distances = {label: s.dist3(label, target) for label in s.labels if label != target and s.of(label)}
        nearest = ctx.rng.random() < 0.55
        best = winner(distances, largest=not nearest, absolute=0.05)
        if best is None or best in p.UNASKED:
            continue
        out.append(ctx.q("nearest_farthest", fill(ctx.rng.choice(NEAREST if nearest else FARTHEST), T=ctx.the(target)),
                         "label", best))
    return out


CLOSER = ("{A} or {B}: which one is nearer to {T}?", "is {T} closer to {A} or to {B}?", "which of {A} and {B} is closer to {T}?",
          "which is nearer {T}, {A} or {B}?", "which one is less far from {T}, {A} or {B}?")
FARTHER = ("which is further from {T}: {A} or {B}?", "which of {A} and {B} is farther away from {T}?",
           "is {T} farther from {A} or from {B}?", "{A} or {B}, which is more far from {T}?",
           "which one sits further away from {T}, {A} or {B}?")


def closer_farther(ctx: HCtx) -> list[dict]:
    s, out = ctx.scene, []
    for _ in range(4):
        trio = ctx.sample(ctx.singles(), 3)
        if not trio:
            break
        t, a, b = trio
        da, db = s.dist3(a, t), s.dist3(b, t)
        if not separated(da, db, absolute=0.05):
            continue
        closer = ctx.rng.random() < 0.55
        text = fill(ctx.rng.choice(CLOSER if closer else FARTHER), T=ctx.the(t), A=ctx.the(a), B=ctx.the(b))
        out.append(ctx.q("closer_farther", text, "label", a if (da < db) == closer else b))
    return out


# ------------------------------------------------------------------------------------------ support
SUPPORT = {
    "on": ("is {A} placed on {B}?", "is {A} on top of {B}?", "does {A} rest on {B}?", "is {A} standing on {B}?",
           "is {A} sitting on top of {B}?"),
    "under": ("is {A} tucked under {B}?", "is {A} located under {B}?", "can I find {A} underneath {B}?",
              "is {A} under {B} or not?"),
    "above": ("is {A} over {B}?", "is {A} situated above {B}?", "does {A} sit above {B}?", "is {A} positioned up above {B}?"),
    "below": ("is {A} positioned below {B}?", "does {A} sit below {B}?", "would I find {A} below {B}?", "is {A} found below {B}?"),
}
SUPPORT_ANY = {
    "on": ("is there {a} sitting on top of {B}?", "can you see {a} on {B}?", "do we have {a} resting on {B}?"),
    "under": ("is there {a} underneath {B}?", "can I find {a} under {B}?"),
    "above": ("is there {a} somewhere above {B}?", "do you see {a} above {B}?"),
    "below": ("is there {a} somewhere below {B}?", "can you find {a} below {B}?"),
}


def support(ctx: HCtx) -> list[dict]:
    s = ctx.scene
    true, false = [], []
    for a, b in itertools.permutations(ctx.askable(), 2):
        for rel in SUPPORT:
            state = s.relation(rel, a, b)
            if state is None:
                continue
            relation = g.RELATIONS[rel]
            pairs = [(x, y) for x in s.of(a) for y in s.of(b) if qr.plausible(ctx, rel, x, y)]
            if state and any(relation(x, y, loose=-1) for x, y in pairs):
                true.append((rel, a, b))
            elif not state and pairs and s.hdist(a, b) < 1.0:  # a plausible no: the two are close
                false.append((rel, a, b))
    out = []
    for rel, a, b in ctx.sample(true, min(3, len(true))) + ctx.sample(false, min(3, len(false))):
        if s.single(a):
            text = fill(ctx.rng.choice(SUPPORT[rel]), A=ctx.the(a), B=ctx.ref(b))
        else:
            text = fill(ctx.rng.choice(SUPPORT_ANY[rel]), a=ctx.a(a), B=ctx.ref(b))
        out.append(ctx.q("support", text, "yes_no", s.relation(rel, a, b)))
    return ctx.shuffled(out)


LISTING = {
    "on": ("what's on top of {B}?", "which objects are resting on {B}?", "tell me everything that sits on {B}.",
           "list what is standing on {B}.", "what has been placed on {B}?"),
    "under": ("what can be found under {B}?", "which things are underneath {B}?", "what's tucked underneath {B}?",
              "list everything under {B}."),
    "above": ("what is located above {B}?", "which objects are above {B}?", "name whatever is up above {B}."),
    "below": ("what sits below {B}?", "which objects are below {B}?", "name anything located below {B}."),
}


def support_listing(ctx: HCtx) -> list[dict]:
    s = ctx.scene
    full, empty = [], []
    for ref in ctx.singles():
        for rel in LISTING:
            if not qr._listable(ctx, rel, ctx.box(ref)):
                continue
            found = s.listing(rel, ref)
            if found is not None:
                (full if found else empty).append((rel, ref, found))
    out = []
    for rel, ref, found in ctx.sample(full, min(3, len(full))) + ctx.sample(empty, min(1, len(empty))):
        out.append(ctx.q("support_listing", fill(ctx.rng.choice(LISTING[rel]), B=ctx.the(ref)), "labels", sorted(found)))
    return out


# ---------------------------------------------------------------------------------------- proximity
PROXIMITY = {
    "next_to": ("is {A} right next to {B}?", "does {A} stand beside {B}?", "is {A} placed next to {B}?",
                "are {A} and {B} next to each other?", "{A} is beside {B}, yes?"),
    "near": ("is {A} somewhere near {B}?", "would you say {A} is near {B}?", "is {A} located near {B}?",
             "are {A} and {B} near each other?", "is {A} anywhere near to {B}?"),
}
PROXIMITY_ANY = {
    "next_to": ("do you see {a} next to {B}?", "is any {n} beside {B}?", "is there {a} right by {B}?"),
    "near": ("is there {a} anywhere near {B}?", "is any {n} near {B}?", "can I find {a} near {B}?"),
}
PROXIMITY_LIST = {
    "next_to": ("which things are right next to {B}?", "name the objects beside {B}.", "what stands next to {B}?",
                "tell me what's beside {B}."),
    "near": ("which objects are located near {B}?", "what's anywhere near {B}?", "list everything near {B}.",
             "what things can I find near {B}?"),
}


def proximity(ctx: HCtx) -> list[dict]:
    s = ctx.scene
    true, false = [], []
    for a, b in itertools.permutations(ctx.askable(), 2):
        if not s.single(b):
            continue
        for rel in PROXIMITY:
            state = s.relation(rel, a, b)
            if state is not None and s.dist3(a, b) < 2.5:
                (true if state else false).append((rel, a, b, state))
    out = []
    for rel, a, b, state in ctx.sample(true, min(2, len(true))) + ctx.sample(false, min(2, len(false))):
        if s.single(a):
            text = fill(ctx.rng.choice(PROXIMITY[rel]), A=ctx.the(a), B=ctx.the(b))
        else:
            n = ctx.name(a)
            text = fill(ctx.rng.choice(PROXIMITY_ANY[rel]), a=p.article(n), n=n, B=ctx.the(b))
        out.append(ctx.q("proximity", text, "yes_no", state))
    lists = [(rel, ref, s.listing(rel, ref)) for ref in ctx.singles() for rel in PROXIMITY_LIST]
    lists = [item for item in lists if item[2]]
    for rel, ref, found in ctx.sample(lists, min(2, len(lists))):
        out.append(ctx.q("proximity", fill(ctx.rng.choice(PROXIMITY_LIST[rel]), B=ctx.the(ref)), "labels", sorted(found)))
    return ctx.shuffled(out)


# ------------------------------------------------------------------------------------------ between
BETWEEN = ("is {T} in between {A} and {B}?", "would you say {T} sits between {A} and {B}?",
           "looking at the floor plan, is {T} between {A} and {B}?", "does {T} lie between {A} and {B}?",
           "{T}: is it between {A} and {B}?", "is {T} placed somewhere between {A} and {B}?")
BETWEEN_ANY = ("do we have {t} somewhere between {A} and {B}?", "is any {n} between {A} and {B}?",
               "can you see {t} in between {A} and {B}?")


def between(ctx: HCtx) -> list[dict]:
    s = ctx.scene
    true, false = [], []
    for a, b in itertools.combinations(ctx.singles(), 2):
        for t in ctx.askable():
            if t in (a, b):
                continue
            state = s.between(t, a, b)
            if state is None:
                continue
            if state:
                true.append((t, a, b, state))
            elif s.hdist(t, a) < 2.0 and s.hdist(t, b) < 2.0:
                false.append((t, a, b, state))
    out = []
    for t, a, b, state in ctx.sample(true, min(2, len(true))) + ctx.sample(false, min(2, len(false))):
        if s.single(t):
            text = fill(ctx.rng.choice(BETWEEN), T=ctx.the(t), A=ctx.the(a), B=ctx.the(b))
        else:
            n = ctx.name(t)
            text = fill(ctx.rng.choice(BETWEEN_ANY), t=p.article(n), n=n, A=ctx.the(a), B=ctx.the(b))
        out.append(ctx.q("between", text, "yes_no", state))
    return ctx.shuffled(out)


# ---------------------------------------------------------------------------------------- arithmetic
# (template, what, whether a negative answer reads naturally)
DIFFERENCES = (
    ("by how much is {A} taller than {B}{u}?", "height", True),
    ("what's the height of {A} minus the height of {B}{u}?", "height", True),
    ("how much taller than {B} is {A}{u}?", "height", True),
    ("by how much is {A} longer than {B}{u}?", "length", True),
    ("how much longer than {B} is {A}{u}?", "length", True),
    ("how much more volume does {A} have than {B}{u}?", "volume", True),
    ("how much bigger than {B} is {A} by volume{u}?", "volume", True),
    ("how much more floor area does {A} cover than {B}{u}?", "footprint", True),
    ("by how much does {A}'s footprint exceed {B}'s{u}?", "footprint", False),
    ("how much higher is the top of {A} than the top of {B}{u}?", "top", True),
    ("by how much does the top of {A} stand above the top of {B}{u}?", "top", False),
    ("how much further is {A} from {T} than {B} is{u}?", "distance", True),
    ("by how much is {A} farther from {T} than {B}{u}?", "distance", True),
)
RATIOS = (
    ("how many times as long as {B} is {A}?", "length"), ("{A} is how many times longer than {B}?", "length"),
    ("what's the ratio of {A}'s height to {B}'s height?", "height"), ("by what factor is {A} taller than {B}?", "height"),
    ("height of {An} divided by height of {Bn}?", "height"),
    ("{A}'s volume is how many times {B}'s?", "volume"), ("how many times the volume of {B} does {A} have?", "volume"),
    ("how many times more floor area does {A} cover than {B}?", "footprint"),
    ("what's {A}'s footprint divided by {B}'s footprint?", "footprint"),
    ("how many times as far from {T} is {A} as {B}?", "distance"),
    ("how many times farther away from {T} is {A} compared with {B}?", "distance"),
)


def _value(ctx: HCtx, label: str, what: str, target: str | None = None) -> float:
    if what == "top":
        return ctx.scene.elevation(ctx.box(label), "top")
    if what == "distance":
        return ctx.scene.dist3(label, target)
    return ctx.box(label).measure(what)


def _arith_pairs(ctx: HCtx, what: str):
    singles = ctx.singles(upright=True)
    for a, b in itertools.permutations(singles, 2):
        if what == "length" and not (qm.sized(ctx, a, "length") and qm.sized(ctx, b, "length")):
            continue
        for t in ([t for t in singles if t not in (a, b)] if what == "distance" else [None]):
            yield a, b, t


def _one_per_measure(ctx: HCtx, table) -> list[tuple]:
    """Templates in a random order, at most one for each measure, four measures at most."""
    out, seen = [], set()
    for entry in ctx.shuffled(table):
        if entry[1] not in seen:
            seen.add(entry[1])
            out.append(entry)
    return out[:4]


def difference(ctx: HCtx) -> list[dict]:
    out = []
    for text, what, signed in _one_per_measure(ctx, DIFFERENCES):
        pairs = list(_arith_pairs(ctx, what))
        ctx.rng.shuffle(pairs)
        negative = signed and ctx.rng.random() < 0.2  # "how much taller is A than B" with A shorter
        for a, b, t in pairs[:40]:
            va, vb = _value(ctx, a, what, t), _value(ctx, b, what, t)
            absolute = 0.1 if what not in ("volume", "footprint") else 0.05
            if (va - vb < 0) != negative or not separated(va, vb, 0.15, absolute):
                continue
            question = fill(text, A=ctx.the(a), B=ctx.the(b), T=ctx.the(t) if t else "")
            out.append(measured(ctx, "difference", question, va - vb, DIM_OF[what]))
            break
    return out


def ratio(ctx: HCtx) -> list[dict]:
    out = []
    for text, what in _one_per_measure(ctx, RATIOS):
        pairs = list(_arith_pairs(ctx, what))
        ctx.rng.shuffle(pairs)
        for a, b, t in pairs[:40]:
            va, vb = _value(ctx, a, what, t), _value(ctx, b, what, t)
            if vb < 0.05 or not 1.25 <= va / vb <= 12:
                continue
            question = fill(text, A=ctx.the(a), B=ctx.the(b), An=ctx.name(a), Bn=ctx.name(b), T=ctx.the(t) if t else "")
            out.append(ctx.q("ratio", question, "number", va / vb))
            break
    return out


# ------------------------------------------------------------------------------------ with a number
# Thresholds as people say them (value in m, m2 or m3; ways of saying it).
LENGTHS = ((0.3, ("thirty centimetres", "30cm", "one foot")), (0.4, ("forty centimetres", "40 cm")),
           (0.5, ("half a metre", "0.5 m", "fifty centimeters")), (0.6096, ("two feet", "2 ft")),
           (0.8, ("eighty centimetres", "0.8 m")), (0.9144, ("three feet", "3 ft")), (1.0, ("one metre", "1m", "a meter")),
           (1.2, ("one point two metres", "1.2 m")), (1.5, ("one and a half metres", "1,5 m", "1.5 metres")),
           (1.8288, ("six feet", "6 ft")), (2.0, ("two meters", "2 m", "200 cm")), (2.5, ("two and a half metres", "2.5m")),
           (3.0, ("three metres", "3m")))
AREAS = ((0.25, ("a quarter of a square metre", "0.25 m²")), (0.5, ("half a square metre", "0.5 sq m")),
         (0.9290, ("ten square feet", "10 sq ft")), (1.0, ("one square metre", "1 m^2", "a square meter")),
         (2.0, ("two square metres", "2 sqm")), (3.0, ("three square meters", "3 m²")))
VOLUMES = ((0.05, ("fifty liters", "50 l")), (0.1, ("one hundred litres", "100 L", "0.1 m³")),
           (0.2, ("two hundred litres", "0.2 cubic metres")), (0.5, ("half a cubic metre", "500 litres")),
           (1.0, ("one cubic metre", "1 m³")), (2.0, ("two cubic meters", "2 m3")))
THRESHOLD = (
    ("height", LENGTHS, (("is {A} at least {n} tall?", True), ("is the height of {A} less than {n}?", False),
                         ("is {A} over {n} tall?", True), ("would you say {A} is under {n} in height?", False),
                         ("does {A} measure more than {n} in height?", True))),
    ("length", LENGTHS, (("is {A} over {n} long?", True), ("is the length of {A} greater than {n}?", True),
                         ("is {A} less than {n} long?", False))),
    ("distance", LENGTHS, (("are {A} and {B} more than {n} apart?", True), ("is the distance between {A} and {B} under {n}?", False),
                           ("is {A} further than {n} from {B}?", True), ("do {A} and {B} sit within {n} of each other?", False))),
    ("footprint", AREAS, (("does {A} cover more than {n} of floor?", True), ("is {A}'s footprint under {n}?", False),
                          ("is the floor area taken up by {A} over {n}?", True))),
    ("volume", VOLUMES, (("does {A} have a volume of more than {n}?", True), ("is {A}'s volume less than {n}?", False),
                         ("is the volume of {A} greater than {n}?", True))),
)


def said_near(ctx: HCtx, value: float, table, side: int, margin: float = 0.12):
    """A threshold from `table` at least `margin` (relative) away from `value`, on the `side` asked
    (+1 above, -1 below), among the three closest: (threshold, words) or None."""
    options = [(t, words) for t, words in table if abs(t - value) >= margin * max(t, value) and (t - value) * side >= 0]
    if not options:
        return None
    options.sort(key=lambda tw: abs(tw[0] - value))
    t, words = ctx.rng.choice(options[:3])
    return t, ctx.rng.choice(words)


def threshold(ctx: HCtx) -> list[dict]:
    out = []
    for what, table, templates in ctx.shuffled(THRESHOLD)[:4]:
        singles = ctx.singles(upright=True)
        if what == "distance":
            pairs = [pair for pair in itertools.combinations(singles, 2) if ctx.scene.dist3(*pair) >= 0.1]
        else:
            pairs = [(a, None) for a in singles if what != "length" or qm.sized(ctx, a, "length")]
        if not pairs:
            continue
        a, b = ctx.rng.choice(pairs)
        value = ctx.scene.dist3(a, b) if what == "distance" else ctx.box(a).measure(what)
        chosen = said_near(ctx, value, table, ctx.rng.choice((-1, 1)))
        if chosen is None:
            continue
        limit, words = chosen
        text, more = ctx.rng.choice(templates)
        out.append(ctx.q("threshold", fill(text, A=ctx.the(a), B=ctx.the(b) if b else "", n=words), "yes_no",
                         (value > limit) == more))
    return out


WIDTHS = ((0.45, ("45 cm", "forty-five centimetres")), (0.6, ("60cm", "sixty centimetres")),
          (0.75, ("75 cm", "three quarters of a metre")), (0.8, ("80 cm", "eighty centimetres")),
          (0.9, ("90 cm", "ninety centimeters")), (0.9144, ("three feet", "3 ft")), (1.0, ("one metre", "1 m")),
          (1.2, ("1.2 m", "a hundred and twenty centimetres")), (1.5, ("1.5 m", "one and a half metres")))
CLEARANCE = ("will {a_thing} {w} wide fit through the gap between {A} and {B}?",
             "I want to put {a_thing} that's {w} across between {A} and {B}. Is there enough space?",
             "is the space between {A} and {B} at least {w} wide?",
             "could I fit {a_thing} measuring {w} in width between {A} and {B}?",
             "can {a_thing} of {w} width get between {A} and {B}?")
ROBOT = ("my robot is {w} wide. Can it drive between {A} and {B}?",
         "the robot base measures {w} across. Will it pass between {A} and {B}?")
# Things carried between pieces of furniture and the widths they come in (m); none is a scene label.
THINGS = (("dresser", 0.6, 1.5), ("chest of drawers", 0.6, 1.2), ("wheelchair", 0.6, 0.8), ("pram", 0.45, 0.75),
          ("trolley", 0.45, 1.0), ("filing cabinet", 0.45, 0.8), ("shoe rack", 0.45, 1.2), ("robot", 0.3, 0.8))


def clearance(ctx: HCtx) -> list[dict]:
    s, out = ctx.scene, []
    standing = [x for x in ctx.singles() if qr._standing(ctx, x)]
    pairs = [pair for pair in itertools.combinations(standing, 2) if 0.3 <= s.hdist(*pair) <= 2.5]
    for a, b in ctx.sample(pairs, min(5, len(pairs))):
        gap = s.hdist(a, b)
        chosen = said_near(ctx, gap, WIDTHS, ctx.rng.choice((-1, 1)))
        if chosen is None:
            continue
        width, words = chosen
        fitting = [t for t, low, high in THINGS if low <= width <= high]
        if not fitting:
            continue
        thing = ctx.rng.choice(fitting)
        if thing == "robot":
            template = ctx.rng.choice(ROBOT)
        else:
            template = ctx.rng.choice(CLEARANCE)
        text = fill(template, w=words, a_thing=p.article(thing), A=ctx.the(a), B=ctx.the(b))
        out.append(ctx.q("clearance", text, "yes_no", gap >= width))
    return out


# ---------------------------------------------------------------------------------------- referring
NEAR_PHRASES = ("the {x} closest to {Y}", "the {x} nearest to {Y}", "the {x} right next to {Y}", "the {x} by {Y}",
                "the {x} beside {Y}", "the {x} that's nearest {Y}", "the {x} that is closest to {Y}")
BY_MEASURE = (("larger", "largest", "volume", True), ("bigger", "biggest", "volume", True),
              ("smaller", "smallest", "volume", False), ("taller", "tallest", "height", True),
              ("shorter", "shortest", "height", False))
ON_PHRASES = ("the {x} on top of {Y}", "the {x} that's on {Y}", "the {x} standing on {Y}", "the {x} resting on {Y}")
ASKED = (("tell me how tall {R} is{u}.", "height"), ("{R}: how tall is it{u}?", "height"),
         ("there's more than one {x} here. How tall is {R}{u}?", "height"),
         ("how far away from {Z} is {R}{u}?", "distance"), ("what's the distance from {R} to {Z}{u}?", "distance"),
         ("measure the distance between {R} and {Z}{u}.", "distance"),
         ("how far above the floor is the top of {R}{u}?", "top"),
         ("at what height above the floor is the top of {R}{u}?", "top"))


def _picks(ctx: HCtx, x: str) -> list[tuple[str, g.Box, str | None]]:
    """Referring expressions for one instance of label x: (phrase, the instance, the other label it names)."""
    s, boxes, out = ctx.scene, ctx.scene.of(x), []
    for y in ctx.singles():
        if y == x:
            continue
        best = winner({i: g.dist3(b, ctx.box(y)) for i, b in enumerate(boxes)}, largest=False, absolute=0.05)
        if best is not None:
            out.append((fill(ctx.rng.choice(NEAR_PHRASES), x=ctx.name(x), Y=ctx.the(y)), boxes[best], y))
    for comparative, superlative, dim, largest in BY_MEASURE:
        best = winner({i: b.measure(dim) for i, b in enumerate(boxes)}, largest)
        if best is not None:
            if len(boxes) == 2:
                phrase = ctx.rng.choice((f"the {comparative} {ctx.name(x)}", f"the {comparative} of the two {ctx.pl(x)}"))
            else:
                phrase = ctx.rng.choice((f"the {superlative} {ctx.name(x)}", f"the {superlative} of the {ctx.pl(x)}"))
            out.append((phrase, boxes[best], None))
    for y in ctx.askable():
        if y == x:
            continue
        states = [s.relation("on", [b], y) for b in boxes]
        if None not in states and states.count(True) == 1:
            support_name = ctx.the(y) if s.single(y) else ctx.a(y)
            out.append((fill(ctx.rng.choice(ON_PHRASES), x=ctx.name(x), Y=support_name), boxes[states.index(True)], y))
    return out


def _asked_value(ctx: HCtx, box: g.Box, what: str, z: str | None) -> float:
    if what == "top":
        return ctx.scene.elevation(box, "top")
    if what == "distance":
        return g.dist3(box, ctx.box(z))
    return box.measure(what)


def referring(ctx: HCtx) -> list[dict]:
    s, out = ctx.scene, []
    for x in ctx.multiples():
        for phrase, chosen, named in ctx.shuffled(_picks(ctx, x))[:2]:
            for text, what in ctx.shuffled(ASKED):
                zs = [z for z in ctx.singles() if z not in (x, named)] if what == "distance" else [None]
                z = ctx.rng.choice(zs) if zs else None
                if what == "distance" and z is None:
                    continue
                value = _asked_value(ctx, chosen, what, z)
                others = [_asked_value(ctx, b, what, z) for b in s.of(x) if b is not chosen]
                if not all(separated(value, o, 0.05, 0.02) for o in others):  # a wrong pick must give a wrong answer
                    continue
                question = fill(text, R=phrase, x=ctx.name(x), Z=ctx.the(z) if z else "")
                out.append(measured(ctx, "referring", question, value, "length"))
                break
    return ctx.shuffled(out)


# ---------------------------------------------------------------------------------------- viewpoint
# (observer, possessive, object pronoun, joiner to the question)
SIT = (("sitting on {A} with my face towards {B}", "my", "me", ", "), ("I sit on {A} and look towards {B}", "my", "me", ". "),
       ("imagine you're sitting on {A}, facing {B}", "your", "you", ". "))
STAND = (("I'm at {A}, looking towards {B}", "my", "me", ". "),
         ("suppose the robot is at {A} facing {B}", "the robot's", "the robot", ". "),
         ("if you stand at {A} and look at {B}", "your", "you", ", "),
         ("picture yourself next to {A}, facing {B}", "your", "you", ". "),
         ("from {A}, looking straight at {B}", "my", "me", ", "))
ASK_SIDE = {
    "left_right": ("is {C} on {my} left side or {my} right side?", "does {C} appear to {my} left or to {my} right?",
                   "is {C} on the left or on the right of {me}?", "left or right: where is {C}?"),
    "front_back": ("is {C} in front of {me}, or is it behind {me}?", "is {C} ahead of {me} or at {my} back?",
                   "would {C} be in front or behind?"),
    "quadrant": ("in which direction is {C}: front-left, front-right, back-left or back-right?",
                 "is {C} front-left, front-right, back-left or back-right of {me}?"),
    "left_right_back": ("is {C} on {my} left, on {my} right, or behind {me}?",
                        "would {C} be to {my} left, to {my} right, or behind {me}?"),
}


def _observer(ctx: HCtx, a: str, b: str) -> tuple[str, str, str, str]:
    text, my, me, joiner = ctx.rng.choice(SIT if a in p.SITTABLE else STAND)
    return fill(text, A=ctx.the(a), B=ctx.the(b)), my, me, joiner


def _joined(observer: str, joiner: str, ask: str) -> str:
    return observer + joiner + (p.cap(ask) if joiner == ". " else ask)


def viewpoint(ctx: HCtx) -> list[dict]:
    out = []
    for _ in range(40):
        trio = ctx.sample(ctx.singles(), 3)
        if not trio or len(out) >= 4:
            break
        a, b, c = trio
        scheme = ctx.rng.choice(("left_right", "left_right", "front_back", "quadrant", "left_right_back"))
        word = qf._view(ctx, a, b, c, scheme)
        if word is None:
            continue
        observer, my, me, joiner = _observer(ctx, a, b)
        ask = fill(ctx.rng.choice(ASK_SIDE[scheme]), C=ctx.the(c), my=my, me=me)
        out.append(ctx.q("viewpoint", _joined(observer, joiner, ask), "direction", word))
    return out


# ---------------------------------------------------------------------------------- multiple choice
def _letter(options: list, truth) -> str:
    return chr(65 + options.index(truth))


def multiple_choice(ctx: HCtx) -> list[dict]:
    s, out = ctx.scene, []
    singles, askable = ctx.singles(), ctx.askable()
    for t in ctx.sample(singles, min(1, len(singles))):  # nearest of four
        candidates = ctx.sample([x for x in askable if x != t], 4)
        if candidates:
            best = winner({x: s.dist3(x, t) for x in candidates}, largest=False, absolute=0.05)
            if best:
                text = ctx.rng.choice(("which one of these is nearest to {T}?", "out of these options, what's closest to {T}?",
                                       "pick the object closest to {T}."))
                out.append(ctx.q("multiple_choice", fill(text, T=ctx.the(t)), "label", _letter(candidates, best),
                                 options=lettered([ctx.name(x) for x in candidates])))
    for x in ctx.sample(askable, 1):  # a count
        n = s.count(x)
        options = ctx.shuffled(sorted({n, n + 1, n + 2, max(0, n - 1)} | ({n + 3} if n == 0 else set())))[:4]
        if n not in options:
            options[0] = n
        text = ctx.rng.choice(("how many {pl} can be seen?", "choose the number of {pl} in the room.",
                               "what's the correct count of {pl}?", "how many {pl} are here in total?"))
        out.append(ctx.q("multiple_choice", fill(text, pl=ctx.pl(x)), "count", _letter(options, n),
                         options=lettered([str(o) for o in options])))
    for x in ctx.sample(ctx.singles(upright=True), 1):  # a height, in metres or centimetres
        h = ctx.box(x).measure("height")
        values = ctx.shuffled([h, h * 0.55, h * 1.7, h * 2.5])
        shown = [f"{v:.2f} m" for v in values] if ctx.rng.random() < 0.5 else [f"{100 * v:.0f} cm" for v in values]
        text = ctx.rng.choice(("approximately how tall is {A}?", "pick the best estimate of {A}'s height.",
                               "{A} is about how tall?"))
        out.append(ctx.q("multiple_choice", fill(text, A=ctx.the(x)), "length", _letter(values, h),
                         options=lettered(shown), unit="m"))
    for _ in range(20):  # a direction
        trio = ctx.sample(singles, 3)
        if not trio:
            break
        a, b, c = trio
        word = qf._view(ctx, a, b, c, "quadrant")
        if word is None:
            continue
        observer, my, me, joiner = _observer(ctx, a, b)
        ask = fill(ctx.rng.choice(("which way is {C}?", "where would {C} be relative to {me}?")), C=ctx.the(c), me=me)
        options = ctx.shuffled(["front-left", "front-right", "back-left", "back-right"])
        out.append(ctx.q("multiple_choice", _joined(observer, joiner, ask), "direction", _letter(options, word),
                         options=lettered(options)))
        break
    absent, present = absent_names(s), ctx.sample(askable, 3)  # which is not in the room
    if absent and present:
        missing = ctx.rng.choice(absent)
        options = ctx.shuffled(present + [missing])
        text = ctx.rng.choice(("which of these objects is missing from the room?", "which of the following can't you find here?",
                               "one of these is not in the scene. Which one?"))
        names = [ctx.name(o) if o in present else ctx.rng.choice(ABSENT[o]) for o in options]
        out.append(ctx.q("multiple_choice", text, "label", _letter(options, missing), options=lettered(names)))
    return ctx.shuffled(out)


CATEGORIES = {
    "existence": existence, "counting": counting, "distance": distance, "horizontal_distance": horizontal_distance,
    "vertical_distance": vertical_distance, "size": size, "elevation": elevation, "size_comparison": size_comparison,
    "superlative": superlative, "nearest_farthest": nearest_farthest, "closer_farther": closer_farther,
    "support": support, "support_listing": support_listing, "proximity": proximity, "between": between,
    "difference": difference, "ratio": ratio, "threshold": threshold, "clearance": clearance,
    "referring": referring, "room_area": room_area, "viewpoint": viewpoint, "multiple_choice": multiple_choice,
}


def select(candidates: dict[str, list[dict]], target: int, rotate: int) -> list[dict]:
    """make_questions.select's round-robin over the scenes (from a different one per category) with its
    yes/no balancing, preferring a wording not yet picked in the category."""
    names = list(candidates)
    names = names[rotate % len(names):] + names[:rotate % len(names)]
    chosen, texts, tally = [], set(), Counter()
    while len(chosen) < target and any(candidates[n] for n in names):
        for name in names:
            queue = candidates[name]
            if not queue or len(chosen) >= target:
                continue
            fresh = [item for item in queue if item["question"] not in texts] or queue
            item = fresh[0]
            if item["kind"] == "yes_no" and item["options"] is None:
                wanted = tally[True] > tally[False]
                item = next((i for i in fresh if i["ground_truth"] is not wanted), item)
            if item["kind"] == "yes_no" and item["options"] is None:
                tally[item["ground_truth"]] += 1
            queue.remove(item)
            texts.add(item["question"])
            chosen.append(item)
    return chosen


def build(seed: int, per_category: int) -> list[dict]:
    dev = {json.loads(line)["question"] for line in DEV_FILE.read_text().splitlines() if line.strip()}
    scenes = [Scene.load(file, name) for file, name in SCENES]
    questions = []
    for index, (category, generate) in enumerate(CATEGORIES.items()):
        candidates = {}
        for s in scenes:
            made = generate(HCtx(s, random.Random(f"heldout:{seed}:{category}:{s.name}")))
            candidates[s.name] = [q for q in made if q["question"] not in dev]
        for number, item in enumerate(select(candidates, per_category, 5 * index + 3)):
            questions.append({"id": f"{category}-{number:02d}", **item})
    return questions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--per-category", type=int, default=9)
    args = parser.parse_args()
    if not (ROOT / META).is_dir():
        sys.exit(f"needs the real layouts at {(ROOT / META).resolve()}")
    questions = build(args.seed, args.per_category)
    with HELDOUT_FILE.open("w") as out:
        for item in questions:
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    by_category = Counter(q["category"] for q in questions)
    by_scene = Counter(q["scene_name"] for q in questions)
    print(f"{len(questions)} questions over {len(by_scene)} scenes -> {HELDOUT_FILE.relative_to(ROOT)}")
    for category in CATEGORIES:
        n_scenes = len({q["scene_name"] for q in questions if q["category"] == category})
        print(f"  {category:20s} {by_category[category]:3d}  ({n_scenes} scenes)")
    for scene, n in by_scene.items():
        print(f"  {scene:20s} {n:3d}")


if __name__ == "__main__":
    main()
