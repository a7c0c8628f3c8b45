"""Writes `heldout2.jsonl`: a second held-out set of everyday spatial questions, worded by a new author,
to measure how sagent's question reader copes with phrasings it has never seen.

    .venv/bin/python benchmarks/everyday/make_heldout2.py [--verbose]

Every wording below is written by hand (spoken, terse, robot-operator, benchmark-style, with a leading
statement of context, and with the names people use: couch, telly, fridge, bin, bookcase, nightstand,
bedside table). Only the ground truth is computed, from the layout boxes, by the set's own helpers
(`geometry.py`, `scenes.py`, `context.py`), following the definitions of README.md and its near-tie
exclusions: a question whose answer would hinge on a near-tie, a threshold or a boundary raises here,
so the file is only written when every question is clean. Deterministic (no randomness at all).
The same scenes as `questions.jsonl`; no question text equals one in `questions.jsonl` or `heldout.jsonl`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import geometry as g  # noqa: E402
from context import MEASURE_TOLERANCE, TIE, lettered, separated  # noqa: E402
from scenes import ROOT, Scene  # noqa: E402

OUT_FILE = HERE / "heldout2.jsonl"
OTHER_SETS = (HERE / "questions.jsonl", HERE / "heldout.jsonl")
ROOMS = "benchmarks/everyday/rooms.json"
META = "../shared/data/vsibench_meta_info/"
SCENES = {
    "BED": (ROOMS, "everyday_bedroom"), "LIV": (ROOMS, "everyday_living"), "DIN": (ROOMS, "everyday_dining"),
    "STU": (ROOMS, "everyday_study"), "STD": (ROOMS, "everyday_studio"), "FAM": (ROOMS, "everyday_family"),
    "LR": ("examples/living_room/layout.json", "living_room"),
    "S207": (META + "scannet_meta_info_val.json", "scene0207_02"),
    "S356": (META + "scannet_meta_info_val.json", "scene0356_00"),
    "A457": (META + "arkitscenes_meta_info_val.json", "47333457"),
    "A972": (META + "arkitscenes_meta_info_val.json", "47331972"),
    "P3DB": (META + "scannetpp_meta_info_val.json", "3db0a1c8f3"),
    "PC49": (META + "scannetpp_meta_info_val.json", "c49a8c6cff"),
}
CATEGORIES = ["existence", "counting", "distance", "horizontal_distance", "vertical_distance", "size", "elevation",
              "size_comparison", "superlative", "nearest_farthest", "closer_farther", "support", "support_listing",
              "proximity", "between", "difference", "ratio", "threshold", "clearance", "referring", "room_area",
              "viewpoint", "multiple_choice"]

# Unit factors: how many of the unit in one m, m2 or m3.
FACTOR = {"m": 1.0, "cm": 100.0, "ft": 1 / 0.3048, "in": 1 / 0.0254,
          "m2": 1.0, "ft2": 1 / 0.3048 ** 2, "m3": 1.0, "l": 1000.0, "ft3": 1 / 0.3048 ** 3}
KIND_OF_UNIT = {"m": "length", "cm": "length", "ft": "length", "in": "length", "m2": "area", "ft2": "area",
                "m3": "volume", "l": "volume", "ft3": "volume"}
BASE_UNIT = {"length": "m", "area": "m2", "volume": "m3"}
NUMBER_MARGIN = 0.12  # a number in the question within 12 % of the measure is not asked
BEARING_MARGIN = 15.0  # degrees from a boundary of the scheme
OBSERVER_CLEAR = 0.5  # metres between the observer and what it faces or the target
DIST_TIE_M = 0.05  # distances within 5 cm are a near-tie as well


class Bad(Exception):
    """The question would hinge on a near-tie, a threshold, a boundary, or break a people-sense rule."""


_scenes: dict[str, Scene] = {}


def scene(key: str) -> Scene:
    if key not in _scenes:
        _scenes[key] = Scene.load(*SCENES[key])
    return _scenes[key]


# --------------------------------------------------------------------------------------- references
# A reference is a label (all its instances) or a tuple naming one instance by a referring expression:
#   ("on", label, support)         the one instance of label on an instance of support
#   ("nearest", label, reference)  the instance with the smallest dist3 to the reference
#   ("largest" | "smallest", label), ("tallest" | "shortest", label): by volume or height
def boxes(sc: Scene, ref) -> list[g.Box]:
    if isinstance(ref, str):
        found = sc.of(ref)
        if not found:
            raise Bad(f"no {ref} in {sc.name}")
        return found
    how, label = ref[0], ref[1]
    candidates = boxes(sc, label)
    if len(candidates) < 2:
        raise Bad(f"referring expression over a single {label}")
    if how == "on":
        supports = boxes(sc, ref[2])
        states = [g.relation_state(g.on, [(b, s) for s in supports if s is not b]) for b in candidates]
        if None in states or states.count(True) != 1:
            raise Bad(f"not exactly one {label} on a {ref[2]}: {states}")
        return [candidates[states.index(True)]]
    if how == "nearest":
        targets = boxes(sc, ref[2])
        ranked = sorted(candidates, key=lambda b: min(g.dist3(b, t) for t in targets if t is not b))
        d = [min(g.dist3(b, t) for t in targets if t is not b) for b in ranked[:2]]
        if not separated(d[0], d[1], TIE, DIST_TIE_M):
            raise Bad(f"nearest {label} to {ref[2]} is a near-tie: {d}")
        return [ranked[0]]
    dim = {"largest": "volume", "smallest": "volume", "tallest": "height", "shortest": "height"}[how]
    ranked = sorted(candidates, key=lambda b: b.measure(dim), reverse=how in ("largest", "tallest"))
    v = [b.measure(dim) for b in ranked[:2]]
    if not separated(v[0], v[1], TIE):
        raise Bad(f"{how} {label} is a near-tie: {v}")
    return [ranked[0]]


def one(sc: Scene, ref) -> g.Box:
    found = boxes(sc, ref)
    if len(found) != 1 or (isinstance(ref, str) and sc.count(ref) != 1):
        raise Bad(f"{ref} is not a single object in {sc.name}")
    return found[0]


def several(sc: Scene, ref, multi: bool) -> list[g.Box]:
    """All instances; a label with several of them only where the question says "nearest" / "any"."""
    found = boxes(sc, ref)
    if len(found) > 1 and not multi:
        raise Bad(f"{ref} has {len(found)} instances and the question does not say which")
    return found


def pair_min(fn, xs, ys) -> float:
    return min(fn(x, y) for x in xs for y in ys if x is not y)


def label_of(ref) -> str:
    return ref if isinstance(ref, str) else ref[1]


# ------------------------------------------------------------------------------------------ answers
def in_unit(value: float, unit: str) -> float:
    return value * FACTOR[unit]


def quantity(value: float, unit: str) -> tuple[str, float, str]:
    return KIND_OF_UNIT[unit], in_unit(value, unit), unit


def measure(sc: Scene, ref, dim: str) -> float:
    box = one(sc, ref)
    if dim in ("bottom", "top", "centre"):
        return sc.elevation(box, dim)
    return box.measure(dim)


def size(ref, dim, unit=None):
    base = {"footprint": "m2", "volume": "m3"}.get(dim, "m")
    return lambda sc: quantity(measure(sc, ref, dim), unit or base)


def dist(a, b, unit="m", multi=False, fn=g.dist3):
    def truth(sc):
        value = pair_min(fn, several(sc, a, multi), several(sc, b, multi))
        if value < 0.05:
            raise Bad(f"{a} and {b} (almost) touch: {value:.3f}")
        return quantity(value, unit)
    return truth


def hdist(a, b, unit="m", multi=False):
    return dist(a, b, unit, multi, g.hdist)


def vdist(a, b, unit="m", multi=False):
    return dist(a, b, unit, multi, g.vdist)


def elevation(ref, which, unit="m"):
    return lambda sc: quantity(measure(sc, ref, which), unit)


def winner_label(values: dict[str, float], largest: bool, absolute: float = 0.0) -> str:
    ranked = sorted(values.items(), key=lambda kv: kv[1], reverse=largest)
    if len(ranked) < 2 or not separated(ranked[0][1], ranked[1][1], TIE, absolute):
        raise Bad(f"near-tie: {ranked[:3]}")
    return ranked[0][0]


def which_of(a, b, dim, largest=True):
    """Which of two single objects has the larger (smaller) measure: its label."""
    return lambda sc: ("label", winner_label({label_of(a): measure(sc, a, dim), label_of(b): measure(sc, b, dim)},
                                             largest), None)


def is_more(a, b, dim, more=True):
    def truth(sc):
        va, vb = measure(sc, a, dim), measure(sc, b, dim)
        if not separated(va, vb, TIE):
            raise Bad(f"near-tie {va:.3f} / {vb:.3f}")
        return "yes_no", (va > vb) == more, None
    return truth


def superlative(dim, largest=True, among=None):
    """Over every instance of every label (or each named label's largest / smallest instance)."""
    def truth(sc):
        labels = among or [label for label in sc.labels if sc.of(label)]
        pick = max if largest else min
        values = {label: pick(b.measure(dim) for b in boxes(sc, label)) for label in labels}
        return "label", winner_label(values, largest), None
    return truth


def extreme_object(target, farthest=False):
    """The label (other than the target's) nearest to / farthest from the target, by closest pair."""
    def truth(sc):
        ts = boxes(sc, target)
        values = {label: pair_min(g.dist3, sc.of(label), ts) for label in sc.labels
                  if sc.of(label) and label != label_of(target)}
        return "label", winner_label(values, farthest, DIST_TIE_M), None
    return truth


def closer_of(a, b, target, farther=False, multi=False):
    def truth(sc):
        ts = several(sc, target, multi)
        values = {label_of(r): pair_min(g.dist3, several(sc, r, multi), ts) for r in (a, b)}
        return "label", winner_label(values, farther, DIST_TIE_M), None
    return truth


def relation(name, a, b, multi=False):
    def truth(sc):
        xs, ys = several(sc, a, multi), several(sc, b, multi)
        state = sc.relation(name, xs, ys)
        if state is None:
            raise Bad(f"{name}({a}, {b}) is within the margin of a threshold")
        if not state and name in ("on", "under", "above", "below") and pair_min(g.dist3, xs, ys) > 1.0:
            raise Bad(f"a 'no' for {name} about objects more than a metre apart")
        return "yes_no", state, None
    return truth


def listing(name, ref):
    def truth(sc):
        found = sc.listing(name, boxes(sc, ref) if not isinstance(ref, str) else one_or_all(sc, ref))
        if found is None:
            raise Bad(f"listing {name} {ref}: a label within the margin")
        return "labels", sorted(found), None
    return truth


def one_or_all(sc, label):
    found = boxes(sc, label)
    if len(found) > 1:
        raise Bad(f"listing around {label}, which has several instances")
    return label


def between(t, a, b):
    """t between a and b; a == b means the two instances of that label ("between the bookcases")."""
    def truth(sc):
        if a == b:
            ends = boxes(sc, a)
            if len(ends) != 2:
                raise Bad(f"'between the {a}s' needs exactly two of them")
            triples = [(x, ends[0], ends[1]) for x in boxes(sc, t)]
        else:
            triples = [(x, y, z) for x in boxes(sc, t) for y in several(sc, a, False) for z in several(sc, b, False)]
        state = g.relation_state(g.between, triples)
        if state is None:
            raise Bad(f"between({t}, {a}, {b}) within the margin")
        if len(boxes(sc, t)) > 1:
            raise Bad(f"{t} has several instances")
        return "yes_no", state, None
    return truth


def _value(sc, ref, dim, target=None):
    if dim == "distance":
        return pair_min(g.dist3, [one(sc, ref)], several(sc, target, False))
    return measure(sc, ref, dim)


def difference(a, b, dim, unit=None, target=None):
    """A's measure minus B's (signed): height, length, volume, footprint, top, or distance from target."""
    def truth(sc):
        value = _value(sc, a, dim, target) - _value(sc, b, dim, target)
        base = {"footprint": "m2", "volume": "m3"}.get(dim, "m")
        return quantity(value, unit or base)
    return truth


def ratio(a, b, dim, target=None):
    def truth(sc):
        vb = _value(sc, b, dim, target)
        if vb < 0.05 * max(1.0, _value(sc, a, dim, target)) and dim == "distance":
            raise Bad("ratio over a near-zero distance")
        return "number", _value(sc, a, dim, target) / vb, None
    return truth


def _clear_of(number: float, value: float) -> None:
    if abs(number - value) < NUMBER_MARGIN * max(abs(number), abs(value)):
        raise Bad(f"the number {number:.3f} is within 12 % of the measure {value:.3f}")


def threshold(ref, dim, more, number_m):
    """Is ref's measure more (less) than the number (in m, m2, m3)."""
    def truth(sc):
        value = measure(sc, ref, dim)
        _clear_of(number_m, value)
        return "yes_no", (value > number_m) == more, None
    return truth


def apart(a, b, less, number_m, multi=False):
    def truth(sc):
        value = pair_min(g.dist3, several(sc, a, multi), several(sc, b, multi))
        _clear_of(number_m, value)
        return "yes_no", (value < number_m) == less, None
    return truth


def clearance(a, b, width_m):
    def truth(sc):
        value = g.hdist(one(sc, a), one(sc, b))
        _clear_of(width_m, value)
        return "yes_no", value >= width_m, None
    return truth


def room_area(unit="m2"):
    return lambda sc: quantity(float(sc.room_size), unit)


SCHEMES = {
    "left_right": (0.0, 180.0),
    "front_back": (90.0,),
    "quadrant": (0.0, 90.0, 180.0),
    "left_right_behind": (0.0, 135.0),
}


def viewpoint(at, facing, target, scheme):
    def truth(sc):
        a, f, t = one(sc, at), one(sc, facing), one(sc, target)
        if min(g.dist3(a, f), g.dist3(a, t)) < OBSERVER_CLEAR:
            raise Bad("observer too close to what it faces or to the target")
        b = g.bearing(a, f, t)
        if any(abs(abs(b) - edge) < BEARING_MARGIN for edge in SCHEMES[scheme]):
            raise Bad(f"bearing {b:.1f} near a boundary of {scheme}")
        side = "left" if b > 0 else "right"
        if scheme == "left_right":
            answer = side
        elif scheme == "front_back":
            answer = "front" if abs(b) < 90 else "back"
        elif scheme == "quadrant":
            answer = ("front-" if abs(b) < 90 else "back-") + side
        else:
            answer = "back" if abs(b) >= 135 else side
        return "direction", answer, None
    return truth


def exists(label):
    return lambda sc: ("yes_no", sc.count(label) > 0, None)


def count(*labels):
    return lambda sc: ("count", sum(sc.count(label) for label in labels), None)


def choice(inner, options: list):
    """Multiple choice over the inner question's answer: options are answers (numbers in the unit)."""
    def truth(sc):
        kind, value, unit = inner(sc)
        if kind in ("length", "area", "volume"):
            errors = [abs(o - value) / value for o in options]
            best = min(range(len(options)), key=errors.__getitem__)
            if errors[best] > 0.15 or sorted(errors)[1] < 0.3:
                raise Bad(f"options not clear around {value:.3f}: {errors}")
            shown = [f"{o:g} {unit}" for o in options]
        else:
            if options.count(value) != 1:
                raise Bad(f"answer {value!r} not exactly once among {options}")
            best, shown = options.index(value), [str(o) for o in options]
        return kind, chr(65 + best), unit if kind in ("length", "area", "volume") else None, lettered(shown)
    return truth


def absent_choice(options: list):
    """Which of these is not in the room: exactly one option absent."""
    def truth(sc):
        missing = [i for i, o in enumerate(options) if sc.count(o) == 0]
        if len(missing) != 1:
            raise Bad(f"not exactly one option missing: {missing}")
        return "label", chr(65 + missing[0]), None, lettered(options)
    return truth


# ---------------------------------------------------------------------------------------- questions
# (category, scene, question, truth); the truth is a function of the scene.
NEAREST, ON, LARGEST, SMALLEST = "nearest", "on", "largest", "smallest"
QUESTIONS = [
    # existence ------------------------------------------------------------------------------------
    ("existence", "BED", "Hey, is there a telly in here?", exists("tv")),
    ("existence", "DIN", "Any fridge in this room?", exists("refrigerator")),
    ("existence", "A457", "Quick check: do we have a washing machine in this space?", exists("washer")),
    ("existence", "LR", "I'm looking for a piano. Is there one in this room?", exists("piano")),
    ("existence", "S207", "Does the scan include a microwave?", exists("microwave")),
    ("existence", "A972", "Confirm whether a bathtub is present in the scene.", exists("bathtub")),
    ("existence", "P3DB", "Considering the 3D layout, is there at least one kettle?", exists("kettle")),
    # counting -------------------------------------------------------------------------------------
    ("counting", "BED", "How many bedside tables are there?", count("nightstand")),
    ("counting", "FAM", "So how many plants have we got in here altogether?", count("plant")),
    ("counting", "A972", "Number of sofas?", count("sofa")),
    ("counting", "S356", "How many doors does this room have?", count("door")),
    ("counting", "P3DB", "How many seats are there if you count the chairs and the couch?", count("chair", "sofa")),
    ("counting", "DIN", "What's the total number of lamps and wastebaskets?", count("lamp", "trash bin")),
    ("counting", "STD", "How many mirrors can you find in the room?", count("mirror")),
    # distance -------------------------------------------------------------------------------------
    ("distance", "LIV", "Hey, how far's the couch from the door?", dist("sofa", "door")),
    ("distance", "BED", "What's the distance from the bed to the bookcase, in centimetres?",
     dist("bed", "bookshelf", "cm")),
    ("distance", "STU", "Report the distance between the sofa and the bin in feet.", dist("sofa", "trash bin", "ft")),
    ("distance", "S207", "Considering the 3D layout, what is the distance between the wardrobe and the fridge?",
     dist("closet", "refrigerator")),
    ("distance", "PC49", "How far is the bed from the heater, in inches?", dist("bed", "heater", "in")),
    ("distance", "LR", "Roughly how many metres are there between the telly and the coffee table?",
     dist("tv", "coffee table")),
    # horizontal distance --------------------------------------------------------------------------
    ("horizontal_distance", "STD", "Looking at the floor plan, how far is the bed from the bookcase?",
     hdist("bed", "bookshelf")),
    ("horizontal_distance", "FAM", "What's the horizontal gap between the bookcase and the telly?",
     hdist("bookshelf", "tv")),
    ("horizontal_distance", "DIN", "Ignoring height, how far is the plant from the door?", hdist("plant", "door")),
    ("horizontal_distance", "LR", "Horizontal distance, lamp to couch?", hdist("lamp", "sofa")),
    ("horizontal_distance", "S356", "In cm, how far is the radiator from the window horizontally?",
     hdist("radiator", "window", "cm")),
    ("horizontal_distance", "A972", "How far is the fireplace from the fridge horizontally, in feet?",
     hdist("fireplace", "refrigerator", "ft")),
    ("horizontal_distance", "P3DB", "Give me the horizontal distance between the sofa and the fridge in metres.",
     hdist("sofa", "refrigerator")),
    # vertical distance ----------------------------------------------------------------------------
    ("vertical_distance", "BED", "Report the vertical gap between the telly and the bed.", vdist("tv", "bed")),
    ("vertical_distance", "LR", "How far above the top of the tv stand is the bottom of the telly?",
     vdist("tv", "tv stand")),
    ("vertical_distance", "STD", "What's the vertical distance between the plant and the bin in cm?",
     vdist("plant", "trash bin", "cm")),
    ("vertical_distance", "FAM", "How big is the vertical gap between the telly and the couch nearest to it?",
     vdist("tv", (NEAREST, "sofa", "tv"))),
    ("vertical_distance", "P3DB", "What is the vertical separation between the couch and the ceiling light "
     "closest to it?", vdist("sofa", (NEAREST, "ceiling light", "sofa"))),
    ("vertical_distance", "S207", "Tell me the vertical gap between the printer and the radiator in inches.",
     vdist("printer", "radiator", "in")),
    ("vertical_distance", "PC49", "How much higher is the underside of the ceiling light than the top of the bed?",
     vdist("ceiling light", "bed")),
    # size -----------------------------------------------------------------------------------------
    ("size", "BED", "Bed length?", size("bed", "length")),
    ("size", "LIV", "Door height in cm", size("door", "height", "cm")),
    ("size", "STU", "How wide is the table, in inches?", size("table", "width", "in")),
    ("size", "DIN", "What's the footprint of the bookcase in square feet?", size("bookshelf", "footprint", "ft2")),
    ("size", "STD", "Tell me the volume of the couch in litres.", size("sofa", "volume", "l")),
    ("size", "LR", "How tall's the bookcase?", size("bookshelf", "height")),
    # elevation ------------------------------------------------------------------------------------
    ("elevation", "BED", "How far off the floor is the bottom of the telly?", elevation("tv", "bottom")),
    ("elevation", "LIV", "How far above the floor is the top edge of the TV, in cm?", elevation("tv", "top", "cm")),
    ("elevation", "FAM", "At what height is the telly mounted?", elevation("tv", "bottom")),
    ("elevation", "PC49", "Which sits higher up, the headphones or the keyboard?",
     which_of("headphones", "keyboard", "centre")),
    ("elevation", "S207", "Of the mirror and the radiator, which one is lower down?",
     which_of("mirror", "radiator", "centre", largest=False)),
    ("elevation", "STD", "Report the elevation of the bottom of the plant above the floor.",
     elevation("plant", "bottom")),
    ("elevation", "P3DB", "How far up from the floor is the top of the kettle, in centimetres?",
     elevation("kettle", "top", "cm")),
    # size comparison ------------------------------------------------------------------------------
    ("size_comparison", "LIV", "Which is bigger, the couch or the bookcase?", which_of("sofa", "bookshelf", "volume")),
    ("size_comparison", "BED", "Is the bookcase taller than the door?", is_more("bookshelf", "door", "height")),
    ("size_comparison", "STU", "Couch or table: which one is longer?", which_of("sofa", "table", "length")),
    ("size_comparison", "STD", "Is the bed wider than the table?", is_more("bed", "table", "width")),
    ("size_comparison", "A972", "Fridge or dishwasher, which one's taller?",
     which_of("refrigerator", "dishwasher", "height")),
    ("size_comparison", "DIN", "Is the bin smaller than the plant?", is_more("trash bin", "plant", "volume", False)),
    ("size_comparison", "P3DB", "Is the fridge bigger than the sofa?", is_more("refrigerator", "sofa", "volume")),
    # superlative ----------------------------------------------------------------------------------
    ("superlative", "BED", "What's the tallest thing in here?", superlative("height")),
    ("superlative", "FAM", "Among the couches, the tables and the bookcase, which is longest?",
     superlative("length", among=["sofa", "table", "bookshelf"])),
    ("superlative", "A457", "What's the smallest object in the room?", superlative("volume", largest=False)),
    ("superlative", "S356", "Identify the tallest object in this room.", superlative("height")),
    ("superlative", "STD", "Out of the telly, the lamp and the bin, which is the shortest?",
     superlative("height", largest=False, among=["tv", "lamp", "trash bin"])),
    ("superlative", "A972", "Which thing in the room is the longest?", superlative("length")),
    # nearest / farthest ---------------------------------------------------------------------------
    ("nearest_farthest", "BED", "What's closest to the door?", extreme_object("door")),
    ("nearest_farthest", "FAM", "Which object is furthest from the door?", extreme_object("door", farthest=True)),
    ("nearest_farthest", "DIN", "What's nearest the bookcase?", extreme_object("bookshelf")),
    ("nearest_farthest", "S356", "What is the closest thing to the telephone?", extreme_object("telephone")),
    ("nearest_farthest", "A457", "Hey, what's the closest thing to the stool?", extreme_object("stool")),
    ("nearest_farthest", "PC49", "Tell me which object is nearest to the door.", extreme_object("door")),
    ("nearest_farthest", "STD", "Identify the object nearest to the bin.", extreme_object("trash bin")),
    # closer / farther -----------------------------------------------------------------------------
    ("closer_farther", "LIV", "Which is closer to the couch, the lamp or the bookcase?",
     closer_of("lamp", "bookshelf", "sofa")),
    ("closer_farther", "FAM", "Which is further from the telly: the door or the bookcase?",
     closer_of("door", "bookshelf", "tv", farther=True)),
    ("closer_farther", "A972", "Is the dishwasher or the fireplace closer to the fridge?",
     closer_of("dishwasher", "fireplace", "refrigerator")),
    ("closer_farther", "S207", "Between the monitor and the microwave, which is farther from the bed?",
     closer_of("monitor", "microwave", "bed", farther=True)),
    ("closer_farther", "P3DB", "Of the kettle and the printer, which one is nearer to the fridge?",
     closer_of("kettle", "printer", "refrigerator")),
    ("closer_farther", "STU", "Is the plant closer to the door or to the bin?",
     closer_of("door", "trash bin", "plant")),
    # support --------------------------------------------------------------------------------------
    ("support", "LIV", "Is the telly sitting on the tv stand?", relation("on", "tv", "tv stand")),
    ("support", "DIN", "Is there a bin underneath one of the tables?", relation("under", "trash bin", "table", True)),
    ("support", "STU", "Is the lamp resting on the table?", relation("on", "lamp", "table")),
    ("support", "LR", "Is the window up above the couch?", relation("above", "window", "sofa")),
    ("support", "STD", "Is the plant sitting on the couch?", relation("on", "plant", "sofa")),
    ("support", "BED", "Is the bin tucked under the chair?", relation("under", "trash bin", "chair")),
    ("support", "FAM", "Is the TV above either of the couches?", relation("above", "tv", "sofa", True)),
    # support listing ------------------------------------------------------------------------------
    ("support_listing", "BED", "What's on the bedside table next to the bed?",
     listing("on", (NEAREST, "nightstand", "bed"))),
    ("support_listing", "LIV", "What's sitting on the tv stand?", listing("on", "tv stand")),
    ("support_listing", "DIN", "List everything under the table nearest the door.",
     listing("under", (NEAREST, "table", "door"))),
    ("support_listing", "STU", "What is on top of the table?", listing("on", "table")),
    ("support_listing", "S356", "Anything on the table?", listing("on", "table")),
    ("support_listing", "P3DB", "What's located above the couch?", listing("above", "sofa")),
    ("support_listing", "PC49", "Tell me what's underneath the table.", listing("under", "table")),
    # proximity ------------------------------------------------------------------------------------
    ("proximity", "BED", "Name everything that's next to the bed.", listing("next_to", "bed")),
    ("proximity", "LIV", "What's near the lamp?", listing("near", "lamp")),
    ("proximity", "S207", "What's next to the fridge?", listing("next_to", "refrigerator")),
    ("proximity", "STU", "Is the bin right by a chair?", relation("next_to", "trash bin", "chair", True)),
    ("proximity", "FAM", "Is the door near the bookcase?", relation("near", "door", "bookshelf")),
    ("proximity", "A457", "Is the toilet beside the washing machine?", relation("next_to", "toilet", "washer")),
    ("proximity", "LR", "Is the lamp anywhere near the couch?", relation("near", "lamp", "sofa")),
    # between --------------------------------------------------------------------------------------
    ("between", "LR", "Is the coffee table between the couch and the telly?",
     between("coffee table", "sofa", "tv")),
    ("between", "LIV", "Does the lamp stand between the table and the bin?", between("lamp", "table", "trash bin")),
    ("between", "BED", "Is the chair in between the bin and the bookcase?", between("chair", "trash bin", "bookshelf")),
    ("between", "STU", "Is the table located between the bookcases?", between("table", "bookshelf", "bookshelf")),
    ("between", "STD", "Is the couch between the bed and the table?", between("sofa", "bed", "table")),
    ("between", "A972", "Is the fridge between the bed and the dishwasher?",
     between("refrigerator", "bed", "dishwasher")),
    ("between", "S207", "Is the chair between the bed and the sofa?", between("chair", "bed", "sofa")),
    # difference -----------------------------------------------------------------------------------
    ("difference", "BED", "How much taller is the door than the bookcase?", difference("door", "bookshelf", "height")),
    ("difference", "LIV", "By how many centimetres is the couch longer than the table?",
     difference("sofa", "table", "length", "cm")),
    ("difference", "STU", "How much more floor space does the couch take up than the table, in square feet?",
     difference("sofa", "table", "footprint", "ft2")),
    ("difference", "STD", "In cubic metres, how much bigger is the bed than the couch?",
     difference("bed", "sofa", "volume")),
    ("difference", "FAM", "How much higher is the top of the bookcase than the top of the telly, in cm?",
     difference("bookshelf", "tv", "top", "cm")),
    ("difference", "A972", "How much farther from the fridge is the dishwasher than the bed?",
     difference("dishwasher", "bed", "distance", target="refrigerator")),
    # ratio ----------------------------------------------------------------------------------------
    ("ratio", "LIV", "How many times taller is the bookcase than the bin?", ratio("bookshelf", "trash bin", "height")),
    ("ratio", "BED", "How many times longer is the bed than the chair?", ratio("bed", "chair", "length")),
    ("ratio", "STD", "How many times bigger is the couch than the nightstand?", ratio("sofa", "nightstand", "volume")),
    ("ratio", "A972", "How many times farther from the bed is the dishwasher than the fridge?",
     ratio("dishwasher", "refrigerator", "distance", target="bed")),
    ("ratio", "LR", "What's the ratio of the couch's length to the coffee table's length?",
     ratio("sofa", "coffee table", "length")),
    ("ratio", "STU", "How many times more floor space does the table take up than the bin?",
     ratio("table", "trash bin", "footprint")),
    # threshold ------------------------------------------------------------------------------------
    ("threshold", "BED", "Is the bed more than 1.5 m long?", threshold("bed", "length", True, 1.5)),
    ("threshold", "LIV", "Is the table taller than 90 cm?", threshold("table", "height", True, 0.9)),
    ("threshold", "STU", "Are the bin and the table less than half a metre apart?",
     apart("trash bin", "table", True, 0.5)),
    ("threshold", "STD", "Is the couch wider than 80 cm?", threshold("sofa", "width", True, 0.8)),
    ("threshold", "A972", "Is the fridge taller than 1.5 metres?", threshold("refrigerator", "height", True, 1.5)),
    ("threshold", "FAM", "Is the bookcase shorter than 1.5 m?", threshold("bookshelf", "height", False, 1.5)),
    ("threshold", "PC49", "Is the bed under 80 cm tall?", threshold("bed", "height", False, 0.8)),
    # clearance ------------------------------------------------------------------------------------
    ("clearance", "LIV", "Could I squeeze a 75 cm wide armchair in between the couch and the table?",
     clearance("sofa", "table", 0.75)),
    ("clearance", "BED", "Is there enough space for a 1 m wide dresser between the bed and the bookcase?",
     clearance("bed", "bookshelf", 1.0)),
    ("clearance", "STU", "Would a 2 ft wide filing cabinet fit between the sofa and the table?",
     clearance("sofa", "table", 2 * 0.3048)),
    ("clearance", "STD", "I want to put an 80 cm wide side table between the bed and the couch. Will it fit?",
     clearance("bed", "sofa", 0.8)),
    ("clearance", "LR", "Is there room for a 50 cm wide stool between the couch and the coffee table?",
     clearance("sofa", "coffee table", 0.5)),
    ("clearance", "A972", "Can a 70 cm wide cart pass between the fridge and the bed?",
     clearance("refrigerator", "bed", 0.7)),
    # referring ------------------------------------------------------------------------------------
    ("referring", "BED", "How far is the lamp on the bedside table from the door?",
     dist((ON, "lamp", "nightstand"), "door")),
    ("referring", "DIN", "How far is the table nearest the bookcase from the door?",
     dist((NEAREST, "table", "bookshelf"), "door")),
    ("referring", "LIV", "How tall is the chair closest to the couch?", size((NEAREST, "chair", "sofa"), "height")),
    ("referring", "FAM", "What's the height of the plant on the table, in cm?",
     size((ON, "plant", "table"), "height", "cm")),
    ("referring", "A972", "How far is the sofa nearest the telly from the fridge?",
     dist((NEAREST, "sofa", "tv"), "refrigerator")),
    ("referring", "S356", "What's the distance from the door closest to the bed to the chair?",
     dist((NEAREST, "door", "bed"), "chair")),
    ("referring", "A457", "How far is the smallest chair from the bed?", dist((SMALLEST, "chair"), "bed")),
    # room area ------------------------------------------------------------------------------------
    ("room_area", "BED", "How many square metres does this bedroom cover?", room_area()),
    ("room_area", "LIV", "Room size in sq ft?", room_area("ft2")),
    ("room_area", "S207", "Considering the whole room, what is its total floor area in square feet?",
     room_area("ft2")),
    ("room_area", "A457", "I'm thinking of re-carpeting. How much floor area does this room have?", room_area()),
    ("room_area", "PC49", "What's the area of the room in m²?", room_area()),
    ("room_area", "A972", "How large is the room's floor, in square feet?", room_area("ft2")),
    # viewpoint ------------------------------------------------------------------------------------
    ("viewpoint", "LIV", "Imagine you're at the couch, facing the bookcase. Is the door front-left, front-right, "
     "back-left or back-right of you?", viewpoint("sofa", "bookshelf", "door", "quadrant")),
    ("viewpoint", "A972", "From the dishwasher, looking toward the fridge, is the bed in front of me or behind me?",
     viewpoint("dishwasher", "refrigerator", "bed", "front_back")),
    ("viewpoint", "A457", "I'm at the stove, facing the fridge. Is the toilet to my left, to my right, or behind me?",
     viewpoint("stove", "refrigerator", "toilet", "left_right_behind")),
    ("viewpoint", "STD", "Standing at the bed and facing the door, is the bookcase front-left, front-right, "
     "back-left or back-right of me?", viewpoint("bed", "door", "bookshelf", "quadrant")),
    ("viewpoint", "STU", "Position yourself at the table and face the sofa. Is the door to the left, to the right, "
     "or behind you?", viewpoint("table", "sofa", "door", "left_right_behind")),
    ("viewpoint", "LR", "Observer at the bookcase, heading toward the couch. Report whether the door lies to the "
     "left or the right.", viewpoint("bookshelf", "sofa", "door", "left_right")),
    ("viewpoint", "S207", "When I stand by the fridge looking at the bed, is the sofa on my left or on my right?",
     viewpoint("refrigerator", "bed", "sofa", "left_right")),
    # multiple choice ------------------------------------------------------------------------------
    ("multiple_choice", "LIV", "How many chairs are in the room?", choice(count("chair"), [1, 2, 3, 5])),
    ("multiple_choice", "BED", "About how long is the bed?", choice(size("bed", "length"), [1.0, 2.0, 3.0, 4.0])),
    ("multiple_choice", "A972", "Which of the following can't be found in this room?",
     absent_choice(["fireplace", "dishwasher", "piano", "bed"])),
    ("multiple_choice", "STD", "Which of these is closest to the tv stand?",
     choice(extreme_object("tv stand"), ["tv", "bed", "door", "bookshelf"])),
    ("multiple_choice", "FAM", "Standing at the door facing the bookcase, where is the couch nearest the door?",
     choice(viewpoint("door", "bookshelf", (NEAREST, "sofa", "door"), "quadrant"),
            ["front-left", "front-right", "back-left", "back-right"])),
    ("multiple_choice", "P3DB", "Which of these is the tallest?",
     choice(superlative("height", among=["refrigerator", "sofa", "door", "table"]),
            ["refrigerator", "sofa", "door", "table"])),
    ("multiple_choice", "S356", "Roughly how far apart are the bed and the telephone?",
     choice(dist("bed", "telephone"), [0.5, 1.0, 2.0, 3.5])),
]


# ------------------------------------------------------------------------------------------ writing
def build(verbose: bool = False) -> list[dict]:
    records, bad = [], []
    numbers: Counter = Counter()
    for category, key, text, truth in QUESTIONS:
        if truth is None:
            bad.append(f"[{category}] {key}: {text} -> no truth written")
            continue
        sc = scene(key)
        try:
            result = truth(sc)
        except Bad as why:
            bad.append(f"[{category}] {key}: {text} -> {why}")
            continue
        kind, value, unit, options = (*result, None) if len(result) == 3 else result
        if isinstance(value, float):
            value = round(value, 4)
        tolerance = MEASURE_TOLERANCE if kind in ("length", "area", "volume", "number") else 0.0
        record = {"id": f"{category}-{numbers[category]:02d}", "scene_file": sc.file, "scene_name": sc.name,
                  "category": category, "question": text, "options": options, "kind": kind,
                  "ground_truth": value, "unit": unit, "tolerance": tolerance}
        numbers[category] += 1
        records.append(record)
        if verbose:
            print(f"{record['id']:24s} {key:5s} {text} -> {value!r} {unit or ''}")
    if bad:
        raise SystemExit("questions to rewrite:\n  " + "\n  ".join(bad))
    return records


def check(records: list[dict]) -> None:
    texts = [r["question"] for r in records]
    if len(set(texts)) != len(texts):
        raise SystemExit(f"repeated question texts: {[t for t, n in Counter(texts).items() if n > 1]}")
    taken = set()
    for path in OTHER_SETS:
        if path.exists():
            taken |= {" ".join(json.loads(line)["question"].lower().split())
                      for line in path.read_text().splitlines() if line.strip()}
    clash = [t for t in texts if " ".join(t.lower().split()) in taken]
    if clash:
        raise SystemExit(f"question texts already in the other sets: {clash}")
    missing = [c for c in CATEGORIES if not any(r["category"] == c for r in records)]
    if missing:
        raise SystemExit(f"categories without questions: {missing}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print every question with its truth")
    args = parser.parse_args()
    if not (ROOT / META).is_dir():
        sys.exit(f"needs the real layouts at {(ROOT / META).resolve()}")
    records = build(args.verbose)
    check(records)
    records.sort(key=lambda r: (CATEGORIES.index(r["category"]), r["id"]))
    with OUT_FILE.open("w") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    by_category = Counter(r["category"] for r in records)
    print(f"{len(records)} questions over {len({r['scene_name'] for r in records})} scenes "
          f"-> {OUT_FILE.relative_to(ROOT)}")
    for category in CATEGORIES:
        yes = sum(1 for r in records if r["category"] == category and r["ground_truth"] is True)
        no = sum(1 for r in records if r["category"] == category and r["ground_truth"] is False)
        balance = f"  yes {yes} / no {no}" if yes + no else ""
        print(f"  {category:20s} {by_category[category]:3d}{balance}")


if __name__ == "__main__":
    main()
