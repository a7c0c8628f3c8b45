"""Question generators: referring expressions that pick one instance, viewpoints, multiple choice."""

from __future__ import annotations

import itertools

import geometry as g
import phrasing as p
from context import Ctx, lettered, separated, winner

# ---------------------------------------------------------------------------------------- referring
NEAR_WORDS = ("next to", "by", "beside", "nearest", "closest to", "near")
BY_MEASURE = (("larger", "largest", "volume", True), ("bigger", "biggest", "volume", True),
              ("smaller", "smallest", "volume", False), ("taller", "tallest", "height", True),
              ("shorter", "shortest", "height", False))
ON_WORDS = ("on", "on top of", "sitting on")
ASKED = (("how tall is {R}{u}?", "height"), ("how far is {R} from {Z}{u}?", "distance"),
         ("how high is the top of {R}{u}?", "top"), ("what's the height of {R}{u}?", "height"),
         ("could you tell me how far {R} is from {Z}{u}?", "distance"))


def _picks(ctx: Ctx, x: str) -> list[tuple[str, g.Box, str | None]]:
    """Referring expressions for one instance of label x: (phrase, the instance, the other label it names)."""
    s, boxes, out = ctx.scene, ctx.scene.of(x), []
    for y in ctx.singles():
        if y == x:
            continue
        d = {i: g.dist3(b, ctx.box(y)) for i, b in enumerate(boxes)}
        best = winner(d, largest=False, absolute=0.05)
        if best is not None:
            out.append((f"the {ctx.name(x)} {ctx.rng.choice(NEAR_WORDS)} {ctx.the(y)}", boxes[best], y))
    for comparative, superlative, dim, largest in BY_MEASURE:
        best = winner({i: b.measure(dim) for i, b in enumerate(boxes)}, largest)
        if best is not None:
            word = comparative if len(boxes) == 2 else superlative
            out.append((f"the {word} {ctx.name(x)}", boxes[best], None))
    for y in ctx.askable():
        if y == x:
            continue
        states = [s.relation("on", [b], y) for b in boxes]
        if None not in states and states.count(True) == 1:
            support = ctx.the(y) if s.single(y) else ctx.a(y)
            out.append((f"the {ctx.name(x)} {ctx.rng.choice(ON_WORDS)} {support}", boxes[states.index(True)], y))
    return out


def _asked_value(ctx: Ctx, box: g.Box, what: str, z: str | None) -> float:
    if what == "top":
        return ctx.scene.elevation(box, "top")
    if what == "distance":
        return g.dist3(box, ctx.box(z))
    return box.measure(what)


def referring(ctx: Ctx) -> list[dict]:
    s, out = ctx.scene, []
    for x in ctx.multiples():
        picks = ctx.shuffled(_picks(ctx, x))[:2]
        for phrase, chosen, named in picks:
            for text, what in ctx.shuffled(ASKED):
                zs = [z for z in ctx.singles() if z not in (x, named)] if what == "distance" else [None]
                z = ctx.rng.choice(zs) if zs else None
                if what == "distance" and z is None:
                    continue
                value = _asked_value(ctx, chosen, what, z)
                others = [_asked_value(ctx, b, what, z) for b in s.of(x) if b is not chosen]
                if not all(separated(value, o, 0.05, 0.02) for o in others):  # a wrong pick must give a wrong answer
                    continue
                question = text.format(R=phrase, Z=ctx.the(z) if z else "", u="{u}")
                out.append(ctx.measure_q("referring", question, value, "length", ctx.unit_ask("length")))
                break
    return ctx.shuffled(out)


# ---------------------------------------------------------------------------------------- viewpoint
SIT = (("if I sit on {A} facing {B}", ", "), ("I'm sitting on {A} looking at {B}", ". "),
       ("sitting on {A} and facing {B}", ", "))
STAND = (("standing at {A} looking at {B}", ", "), ("if I stand by {A} facing {B}", ", "),
         ("I'm standing next to {A}, facing {B}", ". "), ("say I'm at {A} and I face {B}", ": "))
ASK_SIDE = {
    "left_right": ("is {C} on my left or my right?", "is {C} to my left or right?", "which side is {C} on, left or right?"),
    "front_back": ("is {C} in front of me or behind me?", "is {C} ahead of me or behind me?"),
    "quadrant": ("is {C} to my front-left, front-right, back-left or back-right?",
                 "which quadrant is {C} in: front-left, front-right, back-left or back-right?"),
    "left_right_back": ("is {C} to my left, to my right, or behind me?",),
}


def direction_word(angle: float, scheme: str) -> str | None:
    """The answer for a bearing (degrees, positive left), or None within 15 degrees of a boundary."""
    a = abs(angle)
    side = "left" if angle > 0 else "right"
    if scheme == "left_right":
        return side if 15 <= a <= 165 else None
    if scheme == "front_back":
        return ("front" if a < 90 else "back") if abs(a - 90) >= 15 else None
    if scheme == "quadrant":
        ok = 15 <= a <= 165 and abs(a - 90) >= 15
        return (("front-" if a < 90 else "back-") + side) if ok else None
    if a >= 150:
        return "back"
    return side if 15 <= a <= 120 else None


def _observer(ctx: Ctx, a: str, b: str) -> tuple[str, str]:
    text, joiner = ctx.rng.choice(SIT if a in p.SITTABLE else STAND)
    return text.format(A=ctx.the(a), B=ctx.the(b)), joiner


def _view(ctx: Ctx, a: str, b: str, c: str, scheme: str) -> str | None:
    at, facing, target = ctx.box(a), ctx.box(b), ctx.box(c)
    if ctx.scene.elevation(at, "bottom") > 0.3 or at.area < 0.08:  # one stands by furniture on the floor
        return None
    if g.center_distance_2d(at, facing) < 0.5 or g.center_distance_2d(at, target) < 0.5:
        return None
    return direction_word(g.bearing(at, facing, target), scheme)


def viewpoint(ctx: Ctx) -> list[dict]:
    out = []
    for _ in range(40):
        trio = ctx.sample(ctx.singles(), 3)
        if not trio or len(out) >= 4:
            break
        a, b, c = trio
        scheme = ctx.rng.choice(("left_right", "left_right", "front_back", "quadrant", "left_right_back"))
        word = _view(ctx, a, b, c, scheme)
        if word is None:
            continue
        observer, joiner = _observer(ctx, a, b)
        ask = ctx.rng.choice(ASK_SIDE[scheme]).format(C=ctx.the(c))
        out.append(ctx.q("viewpoint", observer + joiner + (p.cap(ask) if joiner == ". " else ask), "direction", word))
    return out


# ---------------------------------------------------------------------------------- multiple choice
def _letter(options: list, truth) -> str:
    return chr(65 + options.index(truth))


def multiple_choice(ctx: Ctx) -> list[dict]:
    s, out = ctx.scene, []
    singles, askable = ctx.singles(), ctx.askable()
    # Nearest of four.
    for t in ctx.sample(singles, min(1, len(singles))):
        candidates = ctx.sample([x for x in askable if x != t], 4)
        if candidates:
            best = winner({x: s.dist3(x, t) for x in candidates}, largest=False, absolute=0.05)
            if best:
                text = ctx.rng.choice(("which of these is closest to {T}?", "which of the following is nearest to {T}?"))
                out.append(ctx.q("multiple_choice", text.format(T=ctx.the(t)), "label", _letter(candidates, best),
                                 options=lettered([ctx.name(x) for x in candidates])))
    # A count.
    for x in ctx.sample(askable, 1):
        n = s.count(x)
        options = ctx.shuffled(sorted({n, n + 1, n + 2, max(0, n - 1)} | ({n + 3} if n == 0 else set())))[:4]
        if n not in options:
            options[0] = n
        text = ctx.rng.choice(("how many {pl} are in the room?", "how many {pl} do you count?"))
        out.append(ctx.q("multiple_choice", text.format(pl=ctx.pl(x)), "count", _letter(options, n),
                         options=lettered([str(o) for o in options])))
    # A height, in metres.
    for x in ctx.sample(ctx.singles(upright=True), 1):
        h = ctx.box(x).measure("height")
        values = ctx.shuffled([h, h * 0.5, h * 1.6, h * 2.3])
        text = ctx.rng.choice(("about how tall is {A}?", "roughly what height is {A}?"))
        out.append(ctx.q("multiple_choice", text.format(A=ctx.the(x)), "length", _letter(values, h),
                         options=lettered([f"{v:.2f} m" for v in values]), unit="m"))
    # A direction.
    for _ in range(20):
        trio = ctx.sample(singles, 3)
        if not trio:
            break
        a, b, c = trio
        word = _view(ctx, a, b, c, "quadrant")
        if word is None:
            continue
        observer, joiner = _observer(ctx, a, b)
        ask = "where is {C}?".format(C=ctx.the(c))
        options = ctx.shuffled(["front-left", "front-right", "back-left", "back-right"])
        out.append(ctx.q("multiple_choice", observer + joiner + (p.cap(ask) if joiner == ". " else ask), "direction",
                         _letter(options, word), options=lettered(options)))
        break
    # Which is not in the room.
    absent = p.absent_words(s.labels)
    present = ctx.sample(askable, 3)
    if absent and present:
        missing = ctx.rng.choice(absent)
        options = ctx.shuffled(present + [missing])
        text = ctx.rng.choice(("which of these is not in the room?", "which one of these can't be found here?"))
        out.append(ctx.q("multiple_choice", text, "label", _letter(options, missing),
                         options=lettered([ctx.name(o) if o in s.labels else o for o in options])))
    return ctx.shuffled(out)
