"""Question generators: support relations and listings, next to / near, between, differences, ratios,
comparisons with a number, clearance, referring expressions, viewpoints, multiple choice."""

from __future__ import annotations

import itertools

import geometry as g
import phrasing as p
from context import Ctx, lettered, separated, winner
from questions_measures import DIMENSION, sized

# ------------------------------------------------------------------------------------------ support
SUPPORT = {
    "on": ("is {A} on {B}?", "is {A} sitting on {B}?", "is {A} resting on top of {B}?", "does {A} stand on {B}?"),
    "under": ("is {A} under {B}?", "is {A} underneath {B}?", "does {A} sit under {B}?"),
    "above": ("is {A} above {B}?", "is {A} up above {B}?", "is {A} located above {B}?"),
    "below": ("is {A} below {B}?", "is {A} somewhere below {B}?", "is {A} down below {B}?"),
}
SUPPORT_ANY = {"on": "is there {a} on {B}?", "under": "is there {a} under {B}?", "above": "is there {a} above {B}?",
               "below": "is there {a} below {B}?"}


def _ref(ctx: Ctx, label: str) -> str:
    """'the sofa' for one instance, 'one of the chairs' for several."""
    return ctx.the(label) if ctx.scene.single(label) else "one of the " + ctx.pl(label)


NOT_SUPPORTS = {"door", "window", "mirror", "whiteboard", "curtain", "ceiling light"}


def plausible(ctx: Ctx, rel: str, x: g.Box, y: g.Box) -> bool:
    """Whether asking "is x <rel> y" is a question people would ask (the truth is computed either way):
    nothing rests on or sits under a door or a window, a thing on another is the smaller one, and so on."""
    s = ctx.scene
    if rel in ("on", "under") and (x.label in NOT_SUPPORTS or y.label in NOT_SUPPORTS):
        return False
    if rel == "on":
        return x.area < y.area and x.top > y.top and s.elevation(y, "top") < 1.3
    if rel == "under":
        return x.area <= 1.2 * y.area and x.top < y.top
    if rel == "above":
        return x.bottom > y.top - 0.05
    return y.bottom > x.top - 0.05  # below


def support(ctx: Ctx) -> list[dict]:
    s = ctx.scene
    true, false = [], []
    for a, b in itertools.permutations(ctx.askable(), 2):
        for rel in SUPPORT:
            state = s.relation(rel, a, b)
            if state is None:
                continue
            relation = g.RELATIONS[rel]
            pairs = [(x, y) for x in s.of(a) for y in s.of(b) if plausible(ctx, rel, x, y)]
            if state and any(relation(x, y, loose=-1) for x, y in pairs):
                true.append((rel, a, b))
            elif not state and pairs and s.hdist(a, b) < 1.0:  # a plausible no: the two are close
                false.append((rel, a, b))
    out = []
    for rel, a, b in ctx.sample(true, min(3, len(true))) + ctx.sample(false, min(3, len(false))):
        if s.single(a):
            text = ctx.rng.choice(SUPPORT[rel]).format(A=ctx.the(a), B=_ref(ctx, b))
        else:
            text = SUPPORT_ANY[rel].format(a=ctx.a(a), B=_ref(ctx, b))
        out.append(ctx.q("support", text, "yes_no", s.relation(rel, a, b)))
    return ctx.shuffled(out)


LISTING = {
    "on": ("what is on {B}?", "what's sitting on top of {B}?", "what can you find on {B}?", "name everything that's on {B}."),
    "under": ("what's under {B}?", "what is underneath {B}?", "what's been put under {B}?"),
    "above": ("what's above {B}?", "what is up above {B}?"),
    "below": ("what's below {B}?", "what is down below {B}?"),
}


def _listable(ctx: Ctx, rel: str, ref: g.Box) -> bool:
    """References people ask these about: what is on a surface, under furniture standing on the floor,
    below something raised, above anything but a ceiling light."""
    bottom, top = ctx.scene.elevation(ref, "bottom"), ctx.scene.elevation(ref, "top")
    if ref.label == "door":
        return False
    if rel == "on":
        return top <= 1.3 and ref.area >= 0.05 and ref.label not in NOT_SUPPORTS
    if rel == "under":
        return bottom < 0.15 and top >= 0.4 and ref.area >= 0.2 and ref.label not in NOT_SUPPORTS
    if rel == "below":
        return bottom >= 0.3
    return ref.label != "ceiling light"


def support_listing(ctx: Ctx) -> list[dict]:
    s = ctx.scene
    full, empty = [], []
    for ref in ctx.singles():
        for rel in LISTING:
            if not _listable(ctx, rel, ctx.box(ref)):
                continue
            found = s.listing(rel, ref)
            if found is not None:
                (full if found else empty).append((rel, ref, found))
    out = []
    for rel, ref, found in ctx.sample(full, min(3, len(full))) + ctx.sample(empty, min(1, len(empty))):
        text = ctx.rng.choice(LISTING[rel]).format(B=ctx.the(ref))
        out.append(ctx.q("support_listing", text, "labels", sorted(found)))
    return out


# ---------------------------------------------------------------------------------------- proximity
PROXIMITY = {
    "next_to": ("is {A} next to {B}?", "is {A} beside {B}?", "is {A} right by {B}?"),
    "near": ("is {A} near {B}?", "is {A} anywhere near {B}?", "is {A} near to {B}?"),
}
PROXIMITY_ANY = {"next_to": "is there {a} next to {B}?", "near": "is there {a} near {B}?"}
PROXIMITY_LIST = {
    "next_to": ("what's next to {B}?", "which objects are beside {B}?", "what is right next to {B}?",
                "list the things next to {B}."),
    "near": ("what is near {B}?", "what do you find near {B}?", "which things are near {B}?"),
}


def proximity(ctx: Ctx) -> list[dict]:
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
            text = ctx.rng.choice(PROXIMITY[rel]).format(A=ctx.the(a), B=ctx.the(b))
        else:
            text = PROXIMITY_ANY[rel].format(a=ctx.a(a), B=ctx.the(b))
        out.append(ctx.q("proximity", text, "yes_no", state))
    lists = [(rel, ref, s.listing(rel, ref)) for ref in ctx.singles() for rel in PROXIMITY_LIST]
    lists = [item for item in lists if item[2]]
    for rel, ref, found in ctx.sample(lists, min(2, len(lists))):
        out.append(ctx.q("proximity", ctx.rng.choice(PROXIMITY_LIST[rel]).format(B=ctx.the(ref)), "labels", sorted(found)))
    return ctx.shuffled(out)


# ------------------------------------------------------------------------------------------ between
BETWEEN = ("is {T} between {A} and {B}?", "does {T} sit between {A} and {B}?", "is {T} located in between {A} and {B}?",
           "would I find {T} between {A} and {B}?")


def between(ctx: Ctx) -> list[dict]:
    s = ctx.scene
    true, false = [], []
    singles = ctx.singles()
    for a, b in itertools.combinations(singles, 2):
        for t in ctx.askable():
            if t in (a, b):
                continue
            state = s.between(t, a, b)
            if state is None:
                continue
            close = s.hdist(t, a) < 2.0 and s.hdist(t, b) < 2.0
            if state:
                true.append((t, a, b, state))
            elif close:
                false.append((t, a, b, state))
    out = []
    for t, a, b, state in ctx.sample(true, min(2, len(true))) + ctx.sample(false, min(2, len(false))):
        if s.single(t):
            text = ctx.rng.choice(BETWEEN).format(T=ctx.the(t), A=ctx.the(a), B=ctx.the(b))
        else:
            text = "is there {t} between {A} and {B}?".format(t=ctx.a(t), A=ctx.the(a), B=ctx.the(b))
        out.append(ctx.q("between", text, "yes_no", state))
    return ctx.shuffled(out)


# ---------------------------------------------------------------------------------- arithmetic
DIFFERENCES = (("how much taller is {A} than {B}{u}?", "height"), ("how much longer is {A} than {B}{u}?", "length"),
               ("by how much is {A} bigger than {B}{u}?", "volume"),
               ("how much more floor space does {A} take up than {B}{u}?", "footprint"),
               ("how much higher does the top of {A} reach than the top of {B}{u}?", "top"),
               ("how much farther from {T} is {A} than {B}{u}?", "distance"))
RATIOS = (("how many times longer is {A} than {B}?", "length"), ("how many times taller is {A} than {B}?", "height"),
          ("how many times bigger is {A} than {B}?", "volume"), ("{A} is how many times as tall as {B}?", "height"),
          ("how many times more floor space does {A} take up than {B}?", "footprint"),
          ("how many times farther from {T} is {A} than {B}?", "distance"))


def _value(ctx: Ctx, label: str, what: str, target: str | None = None) -> float:
    if what == "top":
        return ctx.scene.elevation(ctx.box(label), "top")
    if what == "distance":
        return ctx.scene.dist3(label, target)
    return ctx.box(label).measure(what)


def _arith_pairs(ctx: Ctx, what: str):
    singles = ctx.singles(upright=True)
    for a, b in itertools.permutations(singles, 2):
        if what == "length" and not (sized(ctx, a, "length") and sized(ctx, b, "length")):
            continue
        targets = [t for t in singles if t not in (a, b)] if what == "distance" else [None]
        for t in targets:
            yield a, b, t


def difference(ctx: Ctx) -> list[dict]:
    out = []
    for text, what in ctx.shuffled(DIFFERENCES)[:4]:
        pairs = list(_arith_pairs(ctx, what))
        ctx.rng.shuffle(pairs)
        negative = ctx.rng.random() < 0.2  # "how much taller is A than B" with A shorter: a signed answer
        for a, b, t in pairs[:40]:
            va, vb = _value(ctx, a, what, t), _value(ctx, b, what, t)
            diff = va - vb
            absolute = 0.1 if what not in ("volume", "footprint") else 0.05
            if (diff < 0) != negative or not separated(va, vb, 0.15, absolute):
                continue
            dim = {"volume": "volume", "footprint": "area"}.get(what, "length")
            q = ctx.measure_q("difference", text.format(A=ctx.the(a), B=ctx.the(b), T=ctx.the(t) if t else "", u="{u}"),
                              diff, dim, ctx.unit_ask(dim))
            out.append(q)
            break
    return out


def ratio(ctx: Ctx) -> list[dict]:
    out = []
    for text, what in ctx.shuffled(RATIOS)[:4]:
        pairs = list(_arith_pairs(ctx, what))
        ctx.rng.shuffle(pairs)
        for a, b, t in pairs[:40]:
            va, vb = _value(ctx, a, what, t), _value(ctx, b, what, t)
            if vb < 0.05 or not 1.25 <= va / vb <= 12:
                continue
            out.append(ctx.q("ratio", text.format(A=ctx.the(a), B=ctx.the(b), T=ctx.the(t) if t else ""), "number",
                             va / vb))
            break
    return out


# -------------------------------------------------------------------------------- with a number
THRESHOLD = (
    ("height", p.LENGTH_THRESHOLDS, (("is {A} taller than {n}?", True), ("is {A} more than {n} tall?", True),
                                     ("is {A} shorter than {n}?", False), ("is {A} under {n} tall?", False))),
    ("length", p.LENGTH_THRESHOLDS, (("is {A} longer than {n}?", True), ("is {A} more than {n} long?", True))),
    ("distance", p.LENGTH_THRESHOLDS, (("are {A} and {B} less than {n} apart?", False),
                                       ("is {A} more than {n} away from {B}?", True),
                                       ("is {A} within {n} of {B}?", False))),
    ("footprint", p.AREA_THRESHOLDS, (("does {A} take up more than {n} of floor space?", True),
                                      ("is the footprint of {A} bigger than {n}?", True))),
    ("volume", p.VOLUME_THRESHOLDS, (("is the volume of {A} under {n}?", False), ("is {A} bigger than {n} in volume?", True))),
)


def threshold(ctx: Ctx) -> list[dict]:
    out = []
    for what, table, templates in ctx.shuffled(THRESHOLD)[:4]:
        singles = ctx.singles(upright=True)
        if what == "distance":
            pairs = [pair for pair in itertools.combinations(singles, 2) if ctx.scene.dist3(*pair) >= 0.1]
        else:
            pairs = [(a, None) for a in singles if what != "length" or sized(ctx, a, "length")]
        if not pairs:
            continue
        a, b = ctx.rng.choice(pairs)
        value = ctx.scene.dist3(a, b) if what == "distance" else ctx.box(a).measure(what)
        chosen = p.threshold_near(value, table, ctx.rng, side=ctx.rng.choice((-1, 1)))
        if chosen is None:
            continue
        limit, words = chosen
        text, more = ctx.rng.choice(templates)
        out.append(ctx.q("threshold", text.format(A=ctx.the(a), B=ctx.the(b) if b else "", n=words), "yes_no",
                         (value > limit) == more))
    return out


CLEARANCE = ("would {n} wide {thing} fit between {A} and {B}?", "is there room for {n} wide {thing} between {A} and {B}?",
             "can I squeeze {a_thing} that's {w} wide in between {A} and {B}?",
             "is the gap between {A} and {B} wide enough for {n} wide {thing}?",
             "could {n} wide {thing} go between {A} and {B}?")
# What might be carried between two pieces of furniture, and the widths it comes in (m).
THINGS = (("dresser", 0.6, 1.5), ("cart", 0.45, 1.0), ("wheelchair", 0.6, 0.8), ("armchair", 0.7, 1.0),
          ("cabinet", 0.45, 1.5), ("storage unit", 0.45, 1.5), ("bench", 0.9, 1.5))


def _standing(ctx: Ctx, label: str) -> bool:
    """A piece of furniture on the floor (what a gap is measured between)."""
    box = ctx.box(label)
    return ctx.scene.elevation(box, "bottom") < 0.15 and box.measure("height") >= 0.3


def clearance(ctx: Ctx) -> list[dict]:
    s, out = ctx.scene, []
    standing = [x for x in ctx.singles() if _standing(ctx, x)]
    pairs = [pair for pair in itertools.combinations(standing, 2) if 0.3 <= s.hdist(*pair) <= 2.5]
    for a, b in ctx.sample(pairs, min(5, len(pairs))):
        gap = s.hdist(a, b)
        chosen = p.threshold_near(gap, p.WIDTHS, ctx.rng, side=ctx.rng.choice((-1, 1)))
        if chosen is None:
            continue
        width, words = chosen
        fitting = [t for t, low, high in THINGS if low <= width <= high]
        if not fitting:
            continue
        thing = ctx.rng.choice(fitting)
        n = ("an " if words[0] == "8" else "a ") + words
        text = ctx.rng.choice(CLEARANCE).format(n=n, w=words, thing=thing, a_thing=p.article(thing), A=ctx.the(a),
                                                B=ctx.the(b))
        out.append(ctx.q("clearance", text, "yes_no", gap >= width))
    return out
