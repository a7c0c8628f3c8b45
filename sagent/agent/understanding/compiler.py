"""Task frame -> DSL program. The one place that knows which ops answer which task."""

from __future__ import annotations

from sagent.agent.understanding.errors import PlanningError
from sagent.agent.understanding.frame import PAIR_MEASURES, ObjectRef, TaskFrame, measure_kind

DEFAULT_UNITS = {"length": "m", "area": "m2", "volume": "m3"}
SIZE_UNIT = "cm"  # an object's own size reads best in centimetres; distances in metres


def string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def objects(label: str) -> str:
    if not label.strip():
        raise PlanningError("the question names an empty object; name one of the scene's objects")
    return f"objects({string(label)})"


def ref(item: ObjectRef) -> str:
    """An object reference as an expression: the label's instances, or the one picked."""
    base = objects(item.label)
    if item.pick is None or item.reference is None and item.pick != "largest" and item.pick != "smallest":
        return base
    if item.pick in ("nearest", "farthest"):
        return f"pick_{item.pick}({base}, {ref(item.reference)})"
    if item.pick == "related":
        return f"pick_related({base}, {string(item.relation)}, {ref(item.reference)})"
    return f"pick_{item.pick}({base}, dimension={string(item.measure or 'volume')})"


def refs(items: list[ObjectRef]) -> str:
    return "[" + ", ".join(ref(i) for i in items) + "]"


def measure_of(measure: str, first: str, second: str | None = None) -> str:
    """The expression measuring one object (or the gap between two)."""
    if measure in PAIR_MEASURES:
        if second is None:
            raise PlanningError(f"a {measure.replace('_', ' ')} needs two objects; the question names one")
        return f"{measure}({first}, {second})"
    if measure == "footprint":
        return f"footprint({first})"
    if measure == "volume":
        return f"volume({first})"
    if measure.startswith("elevation"):
        return f"elevation({first}, part={string(measure.split('_')[1])})"
    return f"size({first}, dimension={string(measure)})"


def answer_unit(frame: TaskFrame, measure: str) -> str:
    kind = measure_kind(measure)
    if frame.unit:
        return frame.unit
    if kind == "length" and measure not in PAIR_MEASURES and not measure.startswith("elevation"):
        return SIZE_UNIT
    return DEFAULT_UNITS[kind]


class Compiler:
    """Writes a frame's program. `labels`: the scene's labels (an absent object is counted as 0 and
    is not there, rather than refused)."""

    def __init__(self, labels: list[str]):
        self.labels = set(labels)

    def compile(self, frame: TaskFrame) -> str:
        return getattr(self, f"_{frame.task}")(frame)

    def _one(self, frame: TaskFrame) -> ObjectRef:
        if not frame.objects:
            raise PlanningError(f"the question names no object to {frame.task.replace('_', ' ')}")
        return frame.objects[0]

    def _count_expr(self, item: ObjectRef) -> str:
        if item.label not in self.labels and item.pick is None:
            return f"count_named({string(item.label)})"
        return f"count({ref(item)})"

    def _exists(self, frame: TaskFrame) -> str:
        item = self._one(frame)
        if frame.relation and frame.target:
            if item.label not in self.labels:
                return f"answer exists({string(item.label)})"
            return f"answer related({ref(item)}, {string(frame.relation)}, {ref(frame.target)})"
        return f"answer exists({string(item.label)})"

    def _count(self, frame: TaskFrame) -> str:
        return f"answer {self._count_expr(self._one(frame))}"

    def _count_total(self, frame: TaskFrame) -> str:
        if not frame.objects:
            labels = sorted(self.labels)
            if not labels:
                raise PlanningError("the scene has no objects to count")
            return "answer total([" + ", ".join(f"count({objects(label)})" for label in labels) + "])"
        return "answer total([" + ", ".join(self._count_expr(o) for o in frame.objects) + "])"

    def _list_related(self, frame: TaskFrame) -> str:
        return f"answer related_to({string(frame.relation)}, {ref(self._one(frame))})"

    def _list_objects(self, frame: TaskFrame) -> str:
        return "answer every_object()"

    def _measure(self, frame: TaskFrame) -> str:
        measure = frame.measure or "longest"
        first = ref(self._one(frame))
        second = ref(frame.objects[1]) if len(frame.objects) > 1 else None
        return f"answer to({measure_of(measure, first, second)}, {string(answer_unit(frame, measure))})"

    def _pair_sides(self, frame: TaskFrame) -> tuple[str, str]:
        """The two quantities a comparison, difference or ratio relates."""
        measure = frame.measure or "volume"
        if measure in ("bearing", "camera_distance"):  # as the observer sees them
            if len(frame.objects) < 2:
                raise PlanningError("comparing as seen from a viewpoint needs two objects")
            op = "bearing" if measure == "bearing" else "distance_from"
            me = self._observer(frame)
            return f"{op}({me}, {ref(frame.objects[0])})", f"{op}({me}, {ref(frame.objects[1])})"
        if frame.amount is not None:
            amount = f"{frame.amount.value:g}{frame.amount.unit}"
            if measure in PAIR_MEASURES:
                if len(frame.objects) < 2:
                    raise PlanningError(f"a {measure.replace('_', ' ')} compared with {amount} needs two objects")
                return measure_of(measure, ref(frame.objects[0]), ref(frame.objects[1])), amount
            return measure_of(measure, ref(self._one(frame))), amount
        if len(frame.objects) < 2:
            raise PlanningError("the comparison needs two objects or a stated amount")
        a, b = frame.objects[:2]
        if measure in PAIR_MEASURES:  # "is A closer to C than B is": both to the target
            if frame.target is None:
                raise PlanningError("comparing distances needs the object they are measured to")
            return measure_of(measure, ref(a), ref(frame.target)), measure_of(measure, ref(b), ref(frame.target))
        first, second = (frame.measures + [measure, measure])[:2] if frame.measures else (measure, measure)
        return measure_of(first, ref(a)), measure_of(second, ref(b))

    def _compare(self, frame: TaskFrame) -> str:
        left, right = self._pair_sides(frame)
        return f"answer compare({left}, {string(frame.comparison or '>')}, {right})"

    def _difference(self, frame: TaskFrame) -> str:
        left, right = self._pair_sides(frame)
        unit = frame.unit or DEFAULT_UNITS[measure_kind(frame.measure or "volume")]
        if measure_kind(frame.measure or "volume") == "length" and not frame.unit:
            unit = SIZE_UNIT
        return f"answer to(difference({left}, {right}), {string(unit)})"

    def _ratio(self, frame: TaskFrame) -> str:
        left, right = self._pair_sides(frame)
        return f"answer ratio({left}, {right})"

    def _choose(self, frame: TaskFrame) -> str:
        measure = frame.measure or "volume"
        if not frame.over_scene and len(frame.objects) < 2:
            raise PlanningError("a choice needs two or more objects to choose among (or every object of the scene)")
        if measure == "camera_distance":
            chooser = "farthest_from_observer" if frame.best == "max" else "closest_to_observer"
            return f"answer {chooser}({refs(frame.objects)}, {self._observer(frame)})"
        if measure in PAIR_MEASURES:  # nearest / farthest to a target
            if frame.target is None:
                raise PlanningError("nearest or farthest needs the object distances are measured to")
            chooser = "nearest" if frame.best == "min" else "farthest"
            candidates = f"other_objects({ref(frame.target)})" if frame.over_scene else refs(frame.objects)
            return f"answer {chooser}({candidates}, {ref(frame.target)})"
        candidates = "every_object()" if frame.over_scene else refs(frame.objects)
        if measure.startswith("elevation"):
            chooser = "lowest" if frame.best == "min" else "highest"
            return f"answer {chooser}({candidates}, part={string(measure.split('_')[1])})"
        chooser = "smallest" if frame.best == "min" else "largest"
        return f"answer {chooser}({candidates}, dimension={string(measure)})"

    def _locate(self, frame: TaskFrame) -> str:
        thing = ref(self._one(frame))
        reference = ref(frame.objects[1]) if len(frame.objects) > 1 else f"nearest(other_objects({thing}), {thing})"
        return f"answer where_is({thing}, {reference})"

    def _list_side(self, frame: TaskFrame) -> str:
        return f"answer objects_on_side({self._observer(frame)}, {string(frame.word or 'left')})"

    def _absent_choice(self, frame: TaskFrame) -> str:
        if len(frame.objects) < 2:
            raise PlanningError("which one is missing needs two or more names to choose from")
        return "answer not_in_scene([" + ", ".join(string(o.label) for o in frame.objects) + "])"

    def _relation(self, frame: TaskFrame) -> str:
        if len(frame.objects) < 2:
            raise PlanningError("a relation needs two objects")
        a, b = frame.objects[:2]
        return f"answer related({ref(a)}, {string(frame.relation)}, {ref(b)})"

    def _between(self, frame: TaskFrame) -> str:
        if len(frame.objects) < 3:
            raise PlanningError("'between' needs an object and the two it may stand between")
        thing, a, b = frame.objects[:3]
        return f"answer between({ref(thing)}, {ref(a)}, {ref(b)})"

    def _room_area(self, frame: TaskFrame) -> str:
        return f"answer to(room_area(), {string(frame.unit or 'm2')})"

    def _room_size(self, frame: TaskFrame) -> str:
        return f"answer to(room_size(dimension={string(frame.measure or 'length')}), {string(frame.unit or 'm')})"

    def _observer(self, frame: TaskFrame) -> str:
        observer = frame.observer
        if observer is None:
            raise PlanningError("the question says where to stand but not where to face")
        if observer.view is not None:
            return f"view({observer.view})"
        if observer.at is None or observer.facing is None:
            raise PlanningError("a viewpoint needs where the observer stands and what it faces")
        return f"viewpoint({ref(observer.at)}, {ref(observer.facing)})"

    def _direction(self, frame: TaskFrame) -> str:
        target = ref(self._one(frame))
        return (f"me = {self._observer(frame)}\n"
                f"answer direction(me, {target}, scheme={string(frame.scheme or 'left_right')})")

    def _direction_check(self, frame: TaskFrame) -> str:
        target = ref(self._one(frame))
        return (f"me = {self._observer(frame)}\n"
                f"where = direction(me, {target}, scheme={string(frame.scheme or 'left_right')})\n"
                f"answer equals(where, {string(frame.word or 'left')})")

    def _view_direction(self, frame: TaskFrame) -> str:
        return (f"answer direction({self._observer(frame)}, {ref(self._one(frame))}, "
                f"scheme={string(frame.scheme or 'left_right')})")

    def _route(self, frame: TaskFrame) -> str:
        observer = frame.observer
        if observer is None or observer.at is None or observer.facing is None or not frame.objects:
            raise PlanningError("a route needs a start, a facing and at least one waypoint")
        return f"answer route({ref(observer.at)}, {ref(observer.facing)}, {refs(frame.objects)})"

    def _appearance_order(self, frame: TaskFrame) -> str:
        return f"answer appearance_order({refs(frame.objects)})"

    @staticmethod
    def _views(frame: TaskFrame, count: int) -> list[int]:
        if len(frame.views) < count:
            raise PlanningError(f"a {frame.task.replace('_', ' ')} question names {count} input view(s)")
        return frame.views[:count]

    def _view_movement(self, frame: TaskFrame) -> str:
        start, end = self._views(frame, 2)
        return f"answer movement(view({start}), view({end}))"

    def _view_turn(self, frame: TaskFrame) -> str:
        start, end = self._views(frame, 2)
        return f"answer turn_direction(view({start}), view({end}))"

    def _view_turn_angle(self, frame: TaskFrame) -> str:
        start, end = self._views(frame, 2)
        return f"answer turn_angle(view({start}), view({end}))"

    def _view_after_turn(self, frame: TaskFrame) -> str:
        (start,) = self._views(frame, 1)
        return f"answer nearest_view(turn(view({start}), {frame.angle or 90:g}deg))"
