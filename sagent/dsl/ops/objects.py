"""Selecting and counting objects, and the helpers ops share to take instances apart."""

from __future__ import annotations

from typing import Callable, Iterator

from sagent.dsl.context import ExecContext
from sagent.dsl.errors import OpError
from sagent.dsl.registry import op
from sagent.dsl.types import Bool, Count, Label, Objects, Text
from sagent.memory.scene import SceneMemory, SceneObject
from sagent.memory.vocabulary import Vocabulary


@op
def objects(ctx: ExecContext, label: Label) -> Objects:
    """All instances of a label in the scene.

    Args:
        label: an object label from the scene inventory, e.g. "chair".

    Examples:
        chairs = objects("chair"); answer count(chairs)
    """
    instances = tuple(ctx.scene.instances(label))
    if not instances:  # the checker refuses unknown labels first; this holds when it was skipped
        raise OpError(f"the scene has no {label!r}; it has: {', '.join(ctx.scene.labels()) or 'no objects'}")
    return Objects(label=label, instances=instances)


@op
def count(ctx: ExecContext, things: Objects) -> Count:
    """How many instances there are (the annotation's stated count when the scene has one).

    Args:
        things: the objects to count.

    Examples:
        answer count(objects("chair"))
    """
    if things.instances == tuple(ctx.scene.instances(things.label)):
        return Count(ctx.scene.count(things.label))
    return Count(len(things.instances))


def _named(scene: SceneMemory, name: str) -> list[str]:
    """The scene labels a word names: exactly (plurals and synonyms too), else the labels it is the
    head noun of ("lamp" names a "table lamp"); never a partial or close spelling ("table lamp" is
    not the table). Labels the source only states a count for are names too: the stated count wins."""
    return Vocabulary(sorted({*scene.labels(), *scene.record.stated_counts})).kinds_of(name)


@op
def count_named(ctx: ExecContext, name: Text) -> Count:
    """How many of something the scene has, by any name: 0 when it has none (never an error).

    The name may be a plural or a synonym ("couches" counts the sofa) or a kind's head noun ("lamps"
    counts table lamps too); the stated count wins, as in count.

    Args:
        name: the object's name, e.g. "piano" or "chairs".

    Examples:
        answer count_named("piano")
    """
    return Count(sum(ctx.scene.count(label) for label in _named(ctx.scene, name)))


@op
def exists(ctx: ExecContext, name: Text) -> Bool:
    """Whether the scene has something of that name (plurals and synonyms count); "no" for an
    absent object, never an error.

    Args:
        name: the object's name, e.g. "piano".

    Examples:
        answer exists("piano")
    """
    return Bool(count_named(ctx, name).value > 0)


@op
def not_in_scene(ctx: ExecContext, names: list[Text]) -> Text:
    """The one name of the list that the scene has nothing of ("which of these is not in the room?").
    An op error when every name is there, or more than one is missing (no single answer).

    Args:
        names: the names to check, e.g. the options' objects.

    Examples:
        answer not_in_scene(["chair", "piano", "sofa"])
    """
    missing = [name for name in names if not _named(ctx.scene, name)]
    if len(missing) != 1:
        found = ", ".join(missing) if missing else "none: the scene has all of them"
        raise OpError(f"it needs exactly one name the scene lacks; missing: {found}")
    return Text(missing[0])


@op
def every_object(ctx: ExecContext) -> list[Objects]:
    """Every label of the scene, each with all its instances, in label order ("the biggest object
    in the room": largest(every_object())).

    Examples:
        answer largest(every_object())
    """
    return [Objects(label, tuple(ctx.scene.instances(label))) for label in ctx.scene.labels()]


@op
def other_objects(ctx: ExecContext, than: Objects) -> list[Objects]:
    """Every label of the scene but one, each with all its instances ("the object nearest the
    sofa": nearest(other_objects(sofa), sofa)). Empty when the scene has no other label.

    Args:
        than: the object to leave out (its whole label).

    Examples:
        answer nearest(other_objects(objects("sofa")), objects("sofa"))
    """
    return [things for things in every_object(ctx) if things.label != than.label]


def present(things: Objects, purpose: str) -> Objects:
    """`things`, when it holds at least one instance; an op error when it is empty."""
    if not things.instances:
        raise OpError(f"no {things.label!r} to use as {purpose}: the selection is empty")
    return things


def single(things: Objects, purpose: str):
    """The one instance behind `things`; an op error when there are none or several."""
    present(things, purpose)
    if len(things.instances) != 1:
        ids = ", ".join(o.id for o in things.instances)
        raise OpError(f"{purpose} needs one {things.label} but the scene has {len(things.instances)} ({ids})")
    return things.instances[0]


def only(things: Objects, *instances: SceneObject) -> Objects:
    """The same label holding only these instances."""
    return Objects(things.label, tuple(instances))


def instance_pairs(a: Objects, b: Objects, purpose: str) -> Iterator[tuple[SceneObject, SceneObject]]:
    """Every pair of an instance of `a` and a different instance of `b`; an op error when there is
    none (both name the same single object: nothing is measured against itself)."""
    pairs = [(x, y) for x in present(a, purpose).instances for y in present(b, purpose).instances if x.id != y.id]
    if not pairs:
        raise OpError(f"{purpose} needs two different objects; both name the one {a.label} ({a.instances[0].id})")
    return iter(pairs)


Score = Callable[[Objects], tuple[float, SceneObject]]


def choose(name: str, candidates: list[Objects], score: Score, best, target: Objects | None = None) -> Objects:
    """The candidate whose score is `best` (min or max), holding only the instance that scored it;
    `score` gives a candidate's value and that instance.

    An op error unless there are two or more different, non-empty candidates, none of them the
    target: a choice among fewer is no choice, and answering it would hide a dropped candidate.
    """
    labels = [present(c, f"a {name} candidate").label for c in candidates]
    if len(set(labels)) < 2:
        got = ", ".join(labels) or "none"
        raise OpError(f"it needs two or more different candidates to choose between; got {got}")
    repeated = next((label for label in labels if labels.count(label) > 1), None)
    if repeated:
        raise OpError(f"the candidate {repeated!r} is listed twice")
    if target is not None and target.label in labels:
        raise OpError(f"the target {target.label!r} is also a candidate")
    scored = [score(c) for c in candidates]
    winner = scored.index(best(scored, key=lambda s: s[0]))
    return only(candidates[winner], scored[winner][1])
