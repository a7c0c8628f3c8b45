"""The task frame as a model writes it: a compact JSON object whose keys depend on the task, its
strict JSON schema for providers that enforce one, and a GBNF grammar per scene (the scene's labels
as the only object names, every field's words from the frame's own types) for servers that take one.

    {"task": "measure", "measure": "height", "objects": ["lamp"], "unit": "cm"}
    {"task": "direction", "at": "sofa", "facing": "tv", "objects": ["door"], "scheme": "quadrant"}

An object is a label, or an instance picked by a relation or a measure:
{"label": "lamp", "pick": "nearest", "reference": "bed"}.
"""

from __future__ import annotations

import itertools
import json
import typing

from pydantic import ValidationError

from sagent.agent.understanding.frame import (
    PAIR_MEASURES,
    TASKS,
    Amount,
    Comparison,
    Measure,
    ObjectRef,
    Observer,
    Relation,
    Scheme,
    TaskFrame,
)
from sagent.dsl import Diagnostic
from sagent.dsl import types as t
from sagent.errors import ModelError
from sagent.memory import units
from sagent.memory.files import json_objects
from sagent.memory.vocabulary import Vocabulary, normalize

# The keys each task's reply holds, in the order the grammar writes them.
TASK_FIELDS: dict[str, tuple[str, ...]] = {
    "exists": ("objects", "relation", "target"),
    "count": ("objects",),
    "count_total": ("objects",),
    "list_related": ("relation", "objects"),
    "list_objects": (),
    "absent_choice": ("objects",),
    "locate": ("objects",),
    "list_side": ("at", "facing", "word"),
    "measure": ("measure", "objects", "unit"),
    "compare": ("measure", "objects", "comparison", "amount", "target", "views"),
    "choose": ("measure", "best", "objects", "over_scene", "target", "views"),
    "difference": ("measure", "measures", "objects", "unit"),
    "ratio": ("measure", "measures", "objects"),
    "relation": ("relation", "objects"),
    "between": ("objects",),
    "room_area": ("unit",),
    "room_size": ("measure", "unit"),
    "direction": ("at", "facing", "objects", "scheme"),
    "direction_check": ("at", "facing", "objects", "scheme", "word"),
    "route": ("at", "facing", "objects"),
    "appearance_order": ("objects",),
    "view_movement": ("views",),
    "view_turn": ("views",),
    "view_turn_angle": ("views",),
    "view_after_turn": ("views", "angle"),
    "view_direction": ("views", "objects", "scheme"),
}
# Tasks whose "views" name the camera they are seen from (the others' views are what they are about).
_SEEN_FROM_A_VIEW = ("view_direction", "compare", "choose")
# Tasks whose objects may be absent from the scene ("is there a piano?"): any word names them.
FREE_NAMES = ("exists", "count", "count_total", "absent_choice")
_WORDS = {"relation": Relation, "measure": Measure, "comparison": Comparison, "scheme": Scheme,
          "best": typing.Literal["max", "min"]}
DIRECTION_WORDS = ("left", "right", "back", "front", "front-left", "front-right", "back-left", "back-right")
FIELD_DOCS = {
    "objects": "the objects asked about, in the question's order: labels from the scene's list",
    "relation": "on, under, above, below, next_to or near",
    "target": "the object distances are measured to, or that a relation is to",
    "measure": "what is measured: distance (closest points), horizontal_distance, vertical_distance, longest, "
               "height, length, width, footprint, volume ('bigger' means volume), elevation_bottom / "
               "elevation_top / elevation_center (above the floor)",
    "unit": "the unit the question asks for, or null",
    "comparison": "<, <=, > or >=",
    "amount": "a quantity the question states, {\"value\": 2, \"unit\": \"m\"}, or null",
    "best": "max (biggest, tallest, farthest...) or min (smallest, nearest...)",
    "over_scene": "true when choosing among every object of the scene",
    "at": "where the observer stands", "facing": "what the observer faces",
    "scheme": "left_right, left_right_back, quadrant or front_back",
    "word": "the direction asked about: " + ", ".join(DIRECTION_WORDS),
    "views": "input view numbers (0 is the first, -1 the last); for compare and choose, the view whose camera sees "
             "them (left of, in front of, closer to the camera), else null", "angle": "degrees, positive is left",
}


class FrameReplyError(ModelError):
    """The reply is not a task frame; goes back to the model for repair."""

    def __init__(self, problems: list[str]):
        self.diagnostics = [Diagnostic("syntax", problem, 1, 1) for problem in problems]
        super().__init__(self.render())

    def render(self) -> str:
        lines = [f"reply error: {d.message}" for d in self.diagnostics]
        return "\n".join([*lines, 'The reply must be one JSON task frame, e.g. {"task": "count", "objects": ["chair"]}.'])


def _object(value) -> ObjectRef:
    if isinstance(value, str):
        return ObjectRef(label=value)
    if isinstance(value, dict) and isinstance(value.get("reference"), str):
        value = {**value, "reference": {"label": value["reference"]}}
    return ObjectRef.model_validate(value)


def frame_of_reply(data: dict) -> TaskFrame:
    """A reply's dict as a TaskFrame; ValueError / ValidationError with what is wrong."""
    if not isinstance(data, dict) or data.get("task") not in TASKS:
        raise ValueError(f"task must be one of: {', '.join(TASKS)}")
    task = data["task"]
    allowed = {"task", *TASK_FIELDS[task]}
    extra = sorted(set(k for k, v in data.items() if v is not None) - allowed)
    if extra:
        raise ValueError(f"a {task} frame has no {', '.join(extra)}; its keys: {', '.join(TASK_FIELDS[task]) or 'none'}")
    fields = {k: v for k, v in data.items() if v is not None and k not in ("at", "facing")}
    fields["objects"] = [_object(o) for o in data.get("objects") or []]
    if data.get("target") is not None:
        fields["target"] = _object(data["target"])
    if task in _SEEN_FROM_A_VIEW and data.get("views"):  # as the camera of that view sees it
        fields["observer"] = Observer(view=int(data["views"][0]))
    elif data.get("at") is not None or data.get("facing") is not None:
        fields["observer"] = Observer(at=_object(data["at"]) if data.get("at") else None,
                                      facing=_object(data["facing"]) if data.get("facing") else None)
    if isinstance(data.get("amount"), dict):
        fields["amount"] = Amount.model_validate(data["amount"])
    return TaskFrame.model_validate(fields)


def parse_frame(text: str) -> TaskFrame:
    """The task frame in a model's reply (the JSON object in it); FrameReplyError when there is none."""
    found = list(json_objects(text))
    if not found:
        raise FrameReplyError(["the reply holds no JSON object"])
    problems: list[str] = []
    for _, value in found:
        try:
            return frame_of_reply(value)
        except ValidationError as error:
            problems = problems or [f"{'.'.join(map(str, e['loc'])) or 'frame'}: {e['msg']}"
                                    for e in error.errors(include_url=False)]
        except (ValueError, TypeError) as error:
            problems = problems or [str(error)]
    raise FrameReplyError(problems)


def reply_of(frame: TaskFrame) -> str:
    """The compact reply a model would write for `frame` (the examples in the prompt)."""
    def obj(ref: ObjectRef):
        if ref.pick is None:
            return ref.label
        out = {"label": ref.label, "pick": ref.pick}
        if ref.relation:
            out["relation"] = ref.relation
        if ref.reference is not None:
            out["reference"] = ref.reference.label
        if ref.measure:
            out["measure"] = ref.measure
        return out

    data: dict = {"task": frame.task}
    for key in TASK_FIELDS[frame.task]:
        if key == "objects":
            data[key] = [obj(o) for o in frame.objects]
        elif key in ("target",):
            data[key] = obj(frame.target) if frame.target else None
        elif key in ("at", "facing"):
            ref = getattr(frame.observer, key) if frame.observer else None
            data[key] = obj(ref) if ref else None
        elif key == "views" and frame.task in _SEEN_FROM_A_VIEW:
            view = frame.observer.view if frame.observer else None
            data[key] = [view] if view is not None else (None if frame.task != "view_direction" else [])
        elif key == "amount":
            data[key] = frame.amount.model_dump() if frame.amount else None
        else:
            data[key] = getattr(frame, key)
    return json.dumps(data)


def question_labels(question: str, scene, options=()) -> list[str]:
    """The scene labels a question (or its options) names, plurals and synonyms included; every label
    when it names none ("what is the tallest object?")."""
    vocabulary = Vocabulary(scene.labels())
    named = {m.label for m in vocabulary.mentions(normalize(question))}
    named |= {label for o in options if (label := vocabulary.resolve(o.text))}
    return sorted(named) if named else scene.labels()


def tasks_served(scene) -> list[str]:
    """The tasks a scene memory can answer: views need cameras, appearance order first-seen times,
    room tasks the room's area or outline."""
    has = {"views": bool(scene.cameras), "times": any(o.first_seen is not None for o in scene.objects),
           "area": scene.room.floor_area is not None, "outline": bool(scene.room.footprint)}
    needs = {"route": None, "appearance_order": "times", "room_area": "area", "room_size": "outline"}
    return [t for t in TASKS if (has["views"] if t.startswith("view_") else has.get(needs.get(t), True))]


# The kinds of answer each task can give (its frame's `kind`, over the measures it may take).
_TASK_KINDS = {task: ({"length", "area", "volume"} if task in ("measure", "difference") else None) for task in TASKS}


def tasks_of_kind(tasks: list[str], accepts) -> list[str]:
    """The tasks whose answer `accepts` (a static type -> bool, the question's expected kind) takes."""
    by_kind = {"yes_no": t.Bool, "count": t.Count, "length": t.Length, "area": t.Area, "volume": t.Volume,
               "number": t.Number, "label": t.Objects, "labels": list[t.Objects], "direction": t.Direction,
               "turns": t.Turns, "text": t.Text, "angle": t.Angle, "view": t.Count, "name": t.Text}
    kept = []
    for task in tasks:
        kinds = _TASK_KINDS[task] or {TaskFrame(task=task, measure="distance" if task == "compare" else None).kind}
        if any(accepts(by_kind[kind]) for kind in kinds):
            kept.append(task)
    return kept


# --- the strict JSON schema (one flat object; keys a task does not use are null) ---

def _words(key: str) -> list[str]:
    return list(typing.get_args(_WORDS[key]))


def frame_schema(labels: list[str] | None = None, tasks: list[str] | None = None) -> dict:
    """The reply's strict JSON schema: every key present, null where the task does not use it."""
    label = {"type": "string", **({"enum": list(labels)} if labels else {})}
    picked = {"type": "object", "additionalProperties": False, "required": ["label", "pick", "reference", "relation", "measure"],
              "properties": {"label": label, "pick": {"type": ["string", "null"]}, "reference": {"type": ["string", "null"]},
                             "relation": {"type": ["string", "null"]}, "measure": {"type": ["string", "null"]}}}
    name = {"anyOf": [{"type": "string"}, picked]}
    nullable = lambda schema: {"anyOf": [schema, {"type": "null"}]}  # noqa: E731
    properties = {
        "task": {"type": "string", "enum": list(tasks or TASKS)},
        "objects": {"type": "array", "items": name},
        "target": nullable(name), "at": nullable(name), "facing": nullable(name),
        **{key: nullable({"type": "string", "enum": _words(key)}) for key in _WORDS},
        "unit": nullable({"type": "string", "enum": list(units.UNITS)}),
        "amount": nullable({"type": "object", "additionalProperties": False, "required": ["value", "unit"],
                            "properties": {"value": {"type": "number"}, "unit": {"type": "string", "enum": list(units.UNITS)}}}),
        "over_scene": nullable({"type": "boolean"}),
        "word": nullable({"type": "string", "enum": list(DIRECTION_WORDS)}),
        "views": nullable({"type": "array", "items": {"type": "integer"}}),
        "measures": nullable({"type": "array", "items": {"type": "string", "enum": _words("measure")}}),
        "angle": nullable({"type": "number"}),
    }
    for key, schema in properties.items():
        if key in FIELD_DOCS:
            schema["description"] = FIELD_DOCS[key]
    return {"title": "TaskFrame", "type": "object", "additionalProperties": False, "required": list(properties),
            "properties": properties}


# --- the GBNF grammar (llama.cpp, llama-cpp-python, vLLM) ---

def _gbnf_string(text: str) -> str:
    return '"' + json.dumps(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _alternatives(words) -> str:
    return " | ".join(_gbnf_string(w) for w in words)


# Up to this many of the question's labels, the ordered choices of different ones are written out (pairs: 132 at
# most, triples: 120); past it a slot takes any label.
MAX_ENUMERATED_LABELS = {2: 12, 3: 6}


def _choices(labels: list[str], size: int, repeatable: frozenset[str]) -> list[tuple[str, ...]]:
    """Ordered choices of `size` labels, different except those of several instances ("the two chairs");
    [] when there are too many labels to write them out."""
    if len(labels) > MAX_ENUMERATED_LABELS[size]:
        return []
    return [c for c in itertools.product(labels, repeat=size)
            if all(c.count(label) == 1 or label in repeatable for label in c)]


def _trie(name: str, prefixes: tuple[str, ...], choices: list[tuple[str, ...]], labels: list[str],
          rules: dict[str, str]) -> None:
    """Rules writing `choices` (tuples of labels, each slot after its GBNF prefix) as a tree: one rule per
    chosen head of labels, so a decoder follows at most one branch per label at each step (as flat
    alternatives every choice would be a live branch at once, far slower to decode)."""
    def build(rule: str, depth: int, head: tuple[str, ...]) -> None:
        branches = []
        for label in dict.fromkeys(c[depth] for c in choices if c[:depth] == head):
            if depth + 1 == len(prefixes):
                branches.append(_gbnf_string(label))
            else:
                child = f"{rule}-{labels.index(label)}"
                build(child, depth + 1, head + (label,))
                branches.append(f"{_gbnf_string(label)} {child}")
        rules[rule] = f"{prefixes[depth]} ( {' | '.join(branches)} )"

    build(name, 0, ())


def _arity_rules(labels: list[str], repeatable: frozenset[str]) -> dict[str, str]:
    """Object lists of the length each task takes, their objects different where the grammar can say so
    (a distance between the sofa and the sofa, an observer at what it looks at, are no questions)."""
    rules: dict[str, str] = {}
    pairs, triples = _choices(labels, 2, repeatable), _choices(labels, 3, repeatable)
    # An observer stands at, faces and looks for one object each: labels of several instances need a pick.
    single = [label for label in labels if label not in repeatable]
    observed = _choices(single, 3, frozenset())
    if pairs:
        _trie("distinct-pair", ('"["', '", "'), pairs, labels, rules)
    if triples:
        _trie("distinct-triple", ('"["', '", "', '", "'), triples, labels, rules)
    if observed:
        _trie("distinct-observed", ('", \\"at\\": "', '", \\"facing\\": "', '", \\"objects\\": ["'),
              observed, labels, rules)
    with_pick = '"[" picked ", " object "]" | "[" label ", " picked "]"'
    rules["single-label"] = _alternatives(single) if single else "label"
    rules.update({
        "one-objects": '"[" ( single-label | picked ) "]"',
        "pair-objects": f'distinct-pair "]" | {with_pick}' if pairs else '"[" object ", " object "]"',
        "triple-objects": 'distinct-triple "]"' if triples else '"[" object ", " object ", " object "]"',
        "some-objects": '"[" object ( ", " object ){1,5} "]"',
        "any-objects": '"[" ( object ( ", " object ){0,5} )? "]"',
        # at, facing and the target, three different objects: ', "at": A, "facing": B, "objects": [C]'
        "observed-objects": ('distinct-observed "]" | ' if observed else "") + (
            '", \\"at\\": " ( single-label | picked ) ", \\"facing\\": " ( single-label | picked ) '
            '", \\"objects\\": [" ' + ("picked" if observed else "( single-label | picked )") + ' "]"'),
    })
    return rules


_ARITY = {"relation": "pair", "difference": "pair", "ratio": "pair", "between": "triple", "direction": "one",
          "direction_check": "one", "view_direction": "one", "list_related": "one", "locate": "any",
          "appearance_order": "some", "route": "some", "choose": "any", "compare": "any", "list_side": None}


def frame_grammar(labels: list[str], tasks: list[str] | None = None, repeatable: frozenset[str] = frozenset(),
                  scheme: str | None = None, candidates: list[str] | None = None) -> str:
    """GBNF for a reply: one task's keys in TASK_FIELDS order; object names are the scene's labels
    (any lower-case words where the task may name an absent object), as many as the task takes and,
    for the question's few labels, different ones where they must differ (`repeatable`: labels of
    several instances, which may stand twice). `scheme`: the only direction scheme the question's words
    and options allow; `candidates`: the labels its options name, the objects a choice is among."""
    single = [m for m in _words("measure") if m not in PAIR_MEASURES and m not in ("bearing", "camera_distance")]
    rules = {
        "ws": "[ ]?",
        "label": _alternatives(labels) if labels else '"\\"" [a-z ]+ "\\""',
        "name": '"\\"" [a-z]{1,31} ( " " [a-z]{1,20} ){0,3} "\\""',
        "picked": ('"{\\"label\\": " label ", \\"pick\\": " ( "\\"nearest\\"" | "\\"farthest\\"" ) ", \\"reference\\": " label "}" | '
                   '"{\\"label\\": " label ", \\"pick\\": " ( "\\"largest\\"" | "\\"smallest\\"" ) ", \\"measure\\": " measure "}" | '
                   '"{\\"label\\": " label ", \\"pick\\": \\"related\\", \\"relation\\": " relation ", \\"reference\\": " label "}"'),
        "object": "label | picked",
        "names": '"[" ( name ( ", " name ){0,5} )? "]"',
        "null": '"null"',
        "number": '"-"? [0-9]{1,4} ( "." [0-9]{1,3} )?',
        "integer": '"-"? [0-9]{1,3}',
        "unit": _alternatives(units.UNITS),
        "amount": '"{\\"value\\": " number ", \\"unit\\": " unit "}"',
        "word": _alternatives(DIRECTION_WORDS),
        "views": '"[" integer ( ", " integer ){0,1} "]"',
        "measures": '"[" ( measure ( ", " measure ){0,2} )? "]"',
        "bool": '"true" | "false"',
        "single-measure": _alternatives(single),
        "pair-measure": _alternatives(PAIR_MEASURES),
        **{key: _alternatives(_words(key)) for key in _WORDS},
    }
    rules.update(_arity_rules(labels, frozenset(repeatable)))
    if scheme is not None:
        rules["scheme"] = _gbnf_string(scheme)
    if candidates:
        rules["option-objects"] = '"[" ' + ' ", " '.join(_gbnf_string(c) for c in candidates) + ' "]"'
        others = [label for label in labels if label not in candidates]  # what the candidates are measured to
        rules["choice-target"] = (_alternatives(others) + " | null") if others else "null"
    value_rule = {
        "objects": "any-objects", "target": "object | null", "at": "object", "facing": "object", "measure": "measure",
        "relation": "relation", "comparison": "comparison", "amount": "amount | null", "best": "best",
        "over_scene": "bool", "unit": "unit | null", "scheme": "scheme", "word": "word", "views": "views", "measures": "measures",
        "angle": "number",
    }
    alternatives = []
    for task, keys in TASK_FIELDS.items():
        if tasks is not None and task not in tasks:
            continue
        for variant in _variants(task, keys):
            parts = [f'"{{\\"task\\": " {_gbnf_string(task)}']
            for key, rule in variant:
                if rule is None:
                    rule = value_rule[key]
                    if task in FREE_NAMES and key == "objects":
                        rule = "names"
                    elif key == "objects" and task == "choose" and candidates:
                        rule = "option-objects"
                    elif key == "target" and task == "choose" and candidates:
                        rule = "choice-target"
                    elif key == "objects" and _ARITY.get(task):
                        rule = f"{_ARITY[task]}-objects"
                    if task in ("compare", "choose") and key == "views":
                        rule = "views | null"
                    if task == "exists" and key in ("relation", "target"):
                        rule = "relation | null" if key == "relation" else "object | null"
                if key == "observed":
                    parts.append(f"( {rule} )")
                else:
                    parts.append(f'", \\"{key}\\": " ( {rule} )')
            parts.append('"}"')
            alternatives.append(" ".join(parts))
    rules["root"] = " | ".join(f"( {t} )" for t in alternatives)
    order = ["root", *[k for k in rules if k != "root"]]
    return "\n".join(f"{name} ::= {rules[name]}" for name in order) + "\n"


def _variants(task: str, keys: tuple[str, ...]) -> list[list[tuple[str, str | None]]]:
    """A task's keys with the rules that differ from the default: a measure of one object or between two;
    an observer at, facing and looking for three different objects."""
    plain = [(key, None) for key in keys]
    if task == "measure":
        return [[("measure", "single-measure"), ("objects", "one-objects"), ("unit", None)],
                [("measure", "pair-measure"), ("objects", "pair-objects"), ("unit", None)]]
    if keys[:3] == ("at", "facing", "objects"):
        return [[("observed", "observed-objects"), *plain[3:]]]
    return [plain]
