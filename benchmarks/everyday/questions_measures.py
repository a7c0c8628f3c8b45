"""Question generators: existence, counting, distances, sizes, elevation, room area, size comparison,
superlatives, nearest / farthest. Each takes a Ctx and returns candidate questions for its scene."""

from __future__ import annotations

import itertools

import geometry as g
import phrasing as p
from context import Ctx, separated, winner

# ---------------------------------------------------------------------------------------- existence
EXIST = ("is there {a} in the room?", "do you see any {pl} here?", "does this room have {a}?",
         "are there any {pl} in here?", "could you tell me if there's {a} somewhere in the room?",
         "I'm looking for {a}. Is there one?", "is there {a} anywhere around?")


def existence(ctx: Ctx) -> list[dict]:
    out = []
    for label in ctx.sample(ctx.askable(), 3):
        name = ctx.name(label)
        out.append(ctx.q("existence", ctx.rng.choice(EXIST).format(a=p.article(name), pl=p.plural(name)),
                         "yes_no", True))
    absent = p.absent_words(ctx.scene.labels)
    for word in ["piano"] * ("piano" in absent) + ctx.sample([w for w in absent if w != "piano"], 3):
        name = ctx.rng.choice((word, *p.ABSENT_POOL[word]))
        out.append(ctx.q("existence", ctx.rng.choice(EXIST).format(a=p.article(name), pl=p.plural(name)),
                         "yes_no", False))
    return ctx.shuffled(out)


# ----------------------------------------------------------------------------------------- counting
COUNT = ("how many {pl} are there?", "how many {pl} can you see in this room?", "count the {pl} for me, please.",
         "what's the number of {pl} in here?", "how many {pl} does the room have?",
         "could you tell me how many {pl} there are?")
SUM = ("how many {x} and {y} are there altogether?", "if you add up the {x} and the {y}, how many is that?",
       "how many {x} and {y} are there in total?", "counting the {x} and the {y} together, how many are there?")


def counting(ctx: Ctx) -> list[dict]:
    s, out = ctx.scene, []
    for label in ctx.sample(ctx.askable(), 3):
        out.append(ctx.q("counting", ctx.rng.choice(COUNT).format(pl=ctx.pl(label)), "count", s.count(label)))
    for word in ctx.sample(p.absent_words(s.labels), 1):
        out.append(ctx.q("counting", ctx.rng.choice(COUNT).format(pl=p.plural(word)), "count", 0))

    def some(label):  # "the sofa" / "the chairs"
        return ctx.the(label) if s.count(label) == 1 else "the " + ctx.pl(label)

    seats = [label for label in ("sofa", "chair", "stool") if label in ctx.askable()]
    if len(seats) >= 2:
        a, b = seats[:2]
        phrase = ctx.rng.choice(("how many seats are there, counting {x} and {y}?",
                                 "counting {x} and {y}, how many places are there to sit?"))
        out.append(ctx.q("counting", phrase.format(x=some(a), y=some(b)), "count", s.count(a) + s.count(b)))
    pair = ctx.sample(ctx.askable(), 2)
    if pair:
        a, b = pair
        out.append(ctx.q("counting", ctx.rng.choice(SUM).format(x=ctx.pl(a), y=ctx.pl(b)),
                         "count", s.count(a) + s.count(b)))
    return ctx.shuffled(out)


# ---------------------------------------------------------------------------------------- distances
DIST = ("how far is {A} from {B}{u}?", "what's the distance between {A} and {B}{u}?",
        "how far apart are {A} and {B}{u}?", "could you tell me how far {A} is from {B}{u}?",
        "how close is {A} to {B}{u}?", "what is the distance from {A} to {B}{u}?")
DIST_NEAREST = ("how far is the closest {x} from {B}{u}?", "what's the distance from {B} to the nearest {x}{u}?",
                "how far away is the nearest {x} from {B}{u}?")
HDIST = ("ignoring height, how far is {A} from {B}{u}?", "measured along the floor, how far apart are {A} and {B}{u}?",
         "what's the horizontal distance between {A} and {B}{u}?", "seen from above, how far is {A} from {B}{u}?",
         "how far is {A} from {B} horizontally{u}?")
VDIST_ABOVE = ("how far above {B} is {A}{u}?", "how far below {A} is {B}{u}?",
               "how much higher is the bottom of {A} than the top of {B}{u}?")
VDIST = ("what's the vertical gap between {A} and {B}{u}?", "how big is the vertical distance between {A} and {B}{u}?",
         "vertically, how far apart are {A} and {B}{u}?")


def distance(ctx: Ctx) -> list[dict]:
    s, out = ctx.scene, []
    pairs = [(a, b) for a, b in itertools.combinations(ctx.singles(), 2) if s.dist3(a, b) >= 0.15]
    for a, b in ctx.sample(pairs, min(4, len(pairs))):
        out.append(ctx.measure_q("distance", ctx.rng.choice(DIST).format(A=ctx.the(a), B=ctx.the(b), u="{u}"),
                                 s.dist3(a, b), "length", ctx.unit_ask("length")))
    multi = [(x, b) for x in ctx.multiples() for b in ctx.singles() if s.dist3(x, b) >= 0.15]
    for x, b in ctx.sample(multi, min(2, len(multi))):
        out.append(ctx.measure_q("distance", ctx.rng.choice(DIST_NEAREST).format(x=ctx.name(x), B=ctx.the(b), u="{u}"),
                                 s.dist3(x, b), "length", ctx.unit_ask("length")))
    return ctx.shuffled(out)


def horizontal_distance(ctx: Ctx) -> list[dict]:
    s, out = ctx.scene, []
    pairs = [(a, b) for a, b in itertools.combinations(ctx.singles(), 2) if s.hdist(a, b) >= 0.1]
    lifted = [ab for ab in pairs if s.dist3(*ab) - s.hdist(*ab) >= 0.05]  # where the two distances differ
    chosen = ctx.sample(lifted, min(3, len(lifted)))
    chosen += ctx.sample([ab for ab in pairs if ab not in chosen], min(2, len(pairs) - len(chosen)))
    for a, b in chosen:
        out.append(ctx.measure_q("horizontal_distance", ctx.rng.choice(HDIST).format(A=ctx.the(a), B=ctx.the(b), u="{u}"),
                                 s.hdist(a, b), "length", ctx.unit_ask("length")))
    return ctx.shuffled(out)


def vertical_distance(ctx: Ctx) -> list[dict]:
    s, out = ctx.scene, []
    singles = ctx.singles()
    above = [(a, b) for a in singles for b in singles if a != b and ctx.box(a).bottom - ctx.box(b).top >= 0.1]
    for a, b in ctx.sample(above, min(4, len(above))):
        text = ctx.rng.choice(VDIST_ABOVE + VDIST).format(A=ctx.the(a), B=ctx.the(b), u="{u}")
        out.append(ctx.measure_q("vertical_distance", text, s.vdist(a, b), "length", ctx.unit_ask("length")))
    level = [(a, b) for a, b in itertools.combinations(singles, 2)
             if ctx.box(a).bottom < ctx.box(b).top - 0.1 and ctx.box(b).bottom < ctx.box(a).top - 0.1]
    for a, b in ctx.sample(level, min(1, len(level))):
        out.append(ctx.measure_q("vertical_distance", ctx.rng.choice(VDIST).format(A=ctx.the(a), B=ctx.the(b), u="{u}"),
                                 0.0, "length", ctx.unit_ask("length")))
    return out


# -------------------------------------------------------------------------------------------- sizes
SIZE = {
    "height": ("how tall is {A}{u}?", "what's the height of {A}{u}?", "could you tell me how tall {A} is{u}?",
               "how tall would you say {A} is{u}?"),
    "length": ("how long is {A}{u}?", "what's the length of {A}{u}?", "how long would you say {A} is{u}?"),
    "width": ("how wide is {A}{u}?", "what's the width of {A}{u}?"),
    "longest": ("what's the longest side of {A}{u}?", "how big is {A} along its longest dimension{u}?",
                "what is the biggest dimension of {A}{u}?"),
    "footprint": ("how much floor space does {A} take up{u}?", "what's the footprint of {A}{u}?",
                  "how much floor area does {A} cover{u}?"),
    "volume": ("what's the volume of {A}{u}?", "how much space does {A} occupy{u}?", "what is {A}'s volume{u}?"),
}
DIMENSION = {"height": "length", "length": "length", "width": "length", "longest": "length",
             "footprint": "area", "volume": "volume"}


def sized(ctx: Ctx, label: str, dim: str) -> bool:
    """Whether asking `dim` of the label is what people would mean by it (see the README)."""
    box = ctx.scene.of(label)[0]
    length, width = box.measure("length"), box.measure("width")
    if dim == "length":
        return width >= 0.15 and length >= 1.3 * width
    if dim == "width":
        return label in p.WIDTH_SENSE and length >= 1.15 * width
    return True


def size(ctx: Ctx) -> list[dict]:
    out = []
    for label in ctx.shuffled(ctx.singles(upright=True))[:6]:
        dims = [d for d in SIZE if sized(ctx, label, d)]
        dim = ctx.rng.choice(dims)
        text = ctx.rng.choice(SIZE[dim]).format(A=ctx.the(label), u="{u}")
        value = ctx.box(label).measure(dim)
        out.append(ctx.measure_q("size", text, value, DIMENSION[dim], ctx.unit_ask(DIMENSION[dim])))
    return out


# ---------------------------------------------------------------------------------------- elevation
MOUNTED = {"tv", "mirror", "whiteboard", "window", "towel", "clock", "ceiling light", "picture"}
BOTTOM = ("how far above the floor is {A}{u}?", "at what height is the bottom of {A}{u}?",
          "how high off the ground is {A}{u}?")
BOTTOM_MOUNTED = ("how high is {A} mounted{u}?", "how high up on the wall is {A}{u}?")
TOP = ("how high is the top of {A}{u}?", "how high does {A} reach{u}?", "how far is the top of {A} from the floor{u}?",
       "what height does the top of {A} reach{u}?")
HIGHER = (("which is higher up, {A} or {B}?", True), ("which one sits lower, {A} or {B}?", False),
          ("which is placed higher: {A} or {B}?", True), ("is {A} or {B} lower down?", False))


def elevation(ctx: Ctx) -> list[dict]:
    s, out = ctx.scene, []
    singles = ctx.singles(upright=True)
    raised = [label for label in singles if s.elevation(ctx.box(label), "bottom") >= 0.25]
    for label in ctx.sample(raised, min(2, len(raised))):
        templates = BOTTOM + (BOTTOM_MOUNTED if label in MOUNTED else ())
        text = ctx.rng.choice(templates).format(A=ctx.the(label), u="{u}")
        out.append(ctx.measure_q("elevation", text, s.elevation(ctx.box(label), "bottom"), "length",
                                 ctx.unit_ask("length")))
    for label in ctx.sample(singles, min(2, len(singles))):
        text = ctx.rng.choice(TOP).format(A=ctx.the(label), u="{u}")
        out.append(ctx.measure_q("elevation", text, s.elevation(ctx.box(label), "top"), "length", ctx.unit_ask("length")))
    pairs = [(a, b) for a, b in itertools.combinations(singles, 2)
             if separated(s.elevation(ctx.box(a), "center"), s.elevation(ctx.box(b), "center"), 0.10, 0.15)]
    for a, b in ctx.sample(pairs, min(1, len(pairs))):
        text, higher = ctx.rng.choice(HIGHER)
        ea, eb = s.elevation(ctx.box(a), "center"), s.elevation(ctx.box(b), "center")
        truth = a if (ea > eb) == higher else b
        out.append(ctx.q("elevation", text.format(A=ctx.the(a), B=ctx.the(b)), "label", truth))
    return ctx.shuffled(out)


# ---------------------------------------------------------------------------------------- room area
ROOM = (("what's the floor area of this room{u}?", None), ("how many square metres is this room?", "m2"),
        ("how big is the room in square feet?", "ft2"), ("what's the size of this room{u}?", None),
        ("roughly how much floor space does the room have{u}?", None), ("could you tell me the area of the room{u}?", None),
        ("how large is this room's floor{u}?", None))


def room_area(ctx: Ctx) -> list[dict]:
    out = []
    for text, unit in ctx.sample(ROOM, 2):
        ask = (("", unit) if unit else ctx.unit_ask("area"))
        out.append(ctx.measure_q("room_area", text, float(ctx.scene.room_size), "area", ask))
    return out


# ---------------------------------------------------------------------------------- size comparison
ADJECTIVES = (("bigger", "volume", True), ("larger", "volume", True), ("smaller", "volume", False),
              ("taller", "height", True), ("shorter", "height", False), ("longer", "length", True),
              ("wider", "width", True))
COMPARE_YN = ("is {A} {adj} than {B}?", "would you say {A} is {adj} than {B}?", "is {A} any {adj} than {B}?",
              "{A} is {adj} than {B}, right?")
COMPARE_WHICH = ("which is {adj}, {A} or {B}?", "which one is {adj}: {A} or {B}?", "between {A} and {B}, which is {adj}?",
                 "out of {A} and {B}, which one's {adj}?")


def _comparable(ctx: Ctx, a: str, b: str, dim: str) -> bool:
    if dim in ("length", "width") and not (sized(ctx, a, dim) and sized(ctx, b, dim)):
        return False
    return separated(ctx.box(a).measure(dim), ctx.box(b).measure(dim))


def size_comparison(ctx: Ctx) -> list[dict]:
    out = []
    pairs = list(itertools.combinations(ctx.singles(upright=True), 2))
    for a, b in ctx.sample(pairs, min(4, len(pairs))):
        adj, dim, larger = ctx.rng.choice(ADJECTIVES)
        if not _comparable(ctx, a, b, dim):
            continue
        va, vb = ctx.box(a).measure(dim), ctx.box(b).measure(dim)
        if ctx.rng.random() < 0.5:
            text = ctx.rng.choice(COMPARE_YN).format(A=ctx.the(a), B=ctx.the(b), adj=adj)
            out.append(ctx.q("size_comparison", text, "yes_no", (va > vb) == larger))
        else:
            text = ctx.rng.choice(COMPARE_WHICH).format(A=ctx.the(a), B=ctx.the(b), adj=adj)
            out.append(ctx.q("size_comparison", text, "label", a if (va > vb) == larger else b))
    return out


# ------------------------------------------------------------------------------------- superlatives
SUPERLATIVES = (("tallest", "height", True), ("biggest", "volume", True), ("largest", "volume", True),
                ("smallest", "volume", False), ("shortest", "height", False), ("longest", "length", True))
WHOLE = ("which object is the {adj}?", "what is the {adj} thing in the room?", "what's the {adj} object here?",
         "of everything in this room, what's the {adj}?", "what's the {adj} item in here?")
NAMED = ("which is the {adj}: {A}, {B} or {C}?", "of {A}, {B} and {C}, which is {adj}?",
         "among {A}, {B} and {C}, which one is the {adj}?", "which of these is {adj}: {A}, {B} or {C}?")


def _extreme(ctx: Ctx, labels, dim: str, largest: bool) -> str | None:
    values = {}
    for label in labels:
        measures = [b.measure(dim) for b in ctx.scene.of(label)]
        values[label] = max(measures) if largest else min(measures)
    return winner(values, largest, absolute=0.02 if dim in ("height", "length") else 0.0)


def superlative(ctx: Ctx) -> list[dict]:
    out = []
    for adj, dim, largest in ctx.sample(SUPERLATIVES, 2):
        best = _extreme(ctx, [label for label in ctx.scene.labels if ctx.scene.of(label)], dim, largest)
        if best is not None and best not in p.UNASKED:
            out.append(ctx.q("superlative", ctx.rng.choice(WHOLE).format(adj=adj), "label", best))
    for _ in range(3):
        adj, dim, largest = ctx.rng.choice(SUPERLATIVES)
        labels = ctx.sample(ctx.askable(), 3)
        if not labels:
            break
        best = _extreme(ctx, labels, dim, largest)
        if best is None:
            continue
        names = [ctx.the(x) if ctx.scene.single(x) else "the " + ctx.pl(x) for x in labels]
        text = ctx.rng.choice(NAMED).format(adj=adj, A=names[0], B=names[1], C=names[2])
        out.append(ctx.q("superlative", text, "label", best))
    return ctx.shuffled(out)


# --------------------------------------------------------------------------------- nearest/farthest
NEAREST = ("what is the closest object to {T}?", "what's nearest to {T}?", "which thing is closest to {T}?",
           "what's the nearest object to {T}?", "what sits closest to {T}?")
FARTHEST = ("which object is farthest from {T}?", "what's the furthest thing from {T}?",
            "what object is farthest away from {T}?", "which thing is the farthest from {T}?")


def nearest_farthest(ctx: Ctx) -> list[dict]:
    s, out = ctx.scene, []
    for target in ctx.sample(ctx.singles(), min(3, len(ctx.singles()))):
        distances = {label: s.dist3(label, target) for label in s.labels if label != target and s.of(label)}
        nearest = ctx.rng.random() < 0.55
        best = winner(distances, largest=not nearest, absolute=0.05)
        if best is None or best in p.UNASKED:
            continue
        text = ctx.rng.choice(NEAREST if nearest else FARTHEST).format(T=ctx.the(target))
        out.append(ctx.q("nearest_farthest", text, "label", best))
    return out


CLOSER = ("which is closer to {T}, {A} or {B}?", "is {A} or {B} nearer to {T}?",
          "out of {A} and {B}, which is closer to {T}?", "which one's nearer {T}: {A} or {B}?")
FARTHER = ("which is farther from {T}: {A} or {B}?", "which one is further away from {T}, {A} or {B}?",
           "is {A} or {B} farther from {T}?")


def closer_farther(ctx: Ctx) -> list[dict]:
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
        text = ctx.rng.choice(CLOSER if closer else FARTHER).format(T=ctx.the(t), A=ctx.the(a), B=ctx.the(b))
        out.append(ctx.q("closer_farther", text, "label", a if (da < db) == closer else b))
    return out
