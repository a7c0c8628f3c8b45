"""Constrained-decoding grammars generated from the DSL itself: the op registry (argument types,
Literal choices, keyword parameters), sagent.memory.units and one scene's labels and capabilities.

Every program the grammar admits parses and type-checks against that scene:
- expressions are typed: a rule per (type, variables in scope, depth left); an argument of type T
  only admits ops whose (instantiated) result type is assignable to T, literals of that type, or
  variables of that type already assigned;
- labels are the scene's labels, units come from `units.UNITS`, Literal parameters are their values,
  ops with a result type that depends on arguments (`to`, `compare`) are instantiated over concrete
  quantity types and constants, keeping only the combinations their own result_type accepts;
- assignments go to a few named slots of fixed type (`objects1`, `objects2`: Objects, `me`: Viewpoint),
  each at most once and in slot order; the expression rules are indexed by the set of slots already
  assigned, so no variable is used before it is defined, and none changes type;
- depth is bounded (rules are indexed by the depth left), so nesting stays far below the parser's
  limit, and lists hold 1 to MAX_LIST_ITEMS items (an empty list does not type as list[Objects]).
Ops the scene cannot serve (no cameras, no timeline, no floor area or room outline) are left out: `needs.scene_serves`, from what each op declares.

Flavours: "gbnf" (llama.cpp; also xgrammar's EBNF, which reads the same syntax, for vLLM's
`guided_grammar` with the xgrammar backend) and "lark" (vLLM's outlines backend; also used by the
tests to check acceptance with an Earley parser). Providers that only take a JSON schema get the
planner's reply schema instead: a context-free language has no JSON-schema `pattern` form.
"""

from __future__ import annotations

import itertools
import json
import random
import typing
import zlib
from dataclasses import dataclass

from sagent.dsl.checker import Static
from sagent.dsl.errors import OpError
from sagent.dsl.needs import scene_serves
from sagent.dsl.registry import REGISTRY, Op
from sagent.dsl.types import (
    Label,
    Number,
    Objects,
    Quantity,
    Text,
    UnitName,
    Value,
    Viewpoint,
    is_assignable,
    quantity_type,
)
from sagent.memory import units
from sagent.memory.scene import SceneMemory

MAX_DEPTH = 5
MAX_LIST_ITEMS = 4
# The variables a program may assign, in this order, each at most once (names must not be op names).
DEFAULT_SLOTS: tuple[tuple[str, type], ...] = (("objects1", Objects), ("objects2", Objects), ("me", Viewpoint))


@dataclass(frozen=True)
class Lit:
    text: str


@dataclass(frozen=True)
class Ref:
    rule: str


@dataclass(frozen=True)
class Terminal:
    """A bounded lexical pattern, written once per flavour, with its own sampler."""

    name: str
    gbnf: str
    regex: str
    words: tuple[str, ...]  # what the sampler draws from (all match the pattern)


Item = Lit | Ref | Terminal
Alternative = tuple[Item, ...]

NUMBER = Terminal("number", '"-"? [0-9] [0-9]? [0-9]? ("." [0-9] [0-9]?)?', r"-?[0-9]{1,3}(\.[0-9]{1,2})?",
                  ("0", "1", "2", "-1", "3", "1.5", "0.25", "90", "-45"))
FREE_TEXT = Terminal("text", '"\\"" [a-z] [a-z _-]{0,23} "\\""', r'"[a-z][a-z _-]{0,23}"',
                     ('"left"', '"right"', '"back"', '"front-left"', '"yes"'))


@dataclass
class DecodingGrammar:
    """Productions: rule name -> alternatives (sequences of items); `root` is the start rule."""

    rules: dict[str, list[Alternative]]
    root: str = "root"

    def referenced(self) -> set[str]:
        return {i.rule for alts in self.rules.values() for alt in alts for i in alt if isinstance(i, Ref)}


# ---- building the productions ----------------------------------------------------------------

def _quote(text: str) -> str:
    """A DSL string literal (double-quoted, Python escapes) for a label, unit or choice."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _type_key(t) -> str:
    origin = typing.get_origin(t)
    if origin is list:
        return "list-" + _type_key(typing.get_args(t)[0])
    if origin is typing.Literal:
        return f"choice-{zlib.crc32(repr(typing.get_args(t)).encode()):08x}"
    return t.__name__.lower()


def _instantiations(op: Op) -> list[tuple[dict[str, tuple[object, object]], object]]:
    """(parameter -> (type, constant or None), result type) for the required parameters.
    Ops with a result_type are tried over concrete quantity types and constants; kept where it accepts."""
    required = [p for p in op.params if p.required]
    if op.result_type is None:
        return [({p.name: (p.type, None) for p in required}, op.returns)]
    choices = []
    for p in required:
        if p.type is Quantity:
            choices.append([(quantity_type(u), None) for u in units.BASE_UNIT.values()])
        elif p.type is UnitName:
            choices.append([(Text, u) for u in units.UNITS])
        elif typing.get_origin(p.type) is typing.Literal:
            choices.append([(Text, a) for a in typing.get_args(p.type)])
        else:
            choices.append([(p.type, None)])
    found = []
    for combo in itertools.product(*choices):
        bound = {p.name: c for p, c in zip(required, combo)}
        try:
            result = op.result_type({name: Static(t, const) for name, (t, const) in bound.items()})
        except OpError:
            continue
        found.append((bound, result))
    return found


class _Builder:
    def __init__(self, scene: SceneMemory, slots: tuple[tuple[str, type], ...], max_depth: int, ops: list[Op]):
        self.scene, self.max_depth, self.ops = scene, max_depth, ops
        self.rules: dict[str, list[Alternative]] = {}
        self.instances = {op.name: _instantiations(op) for op in ops}
        self.slots = list(slots)

    def constants(self, t) -> list[str] | None:
        """Literal string choices for a Label, UnitName or Literal parameter; None for other types."""
        if t is Label:
            return [_quote(label) for label in self.scene.labels() if label.strip()]
        if t is UnitName:
            return [_quote(u) for u in units.UNITS]
        if typing.get_origin(t) is typing.Literal:
            return [_quote(str(a)) for a in typing.get_args(t)]
        return None

    def const_rule(self, t) -> Ref | None:
        name = _type_key(t)
        if name not in self.rules:
            self.rules[name] = [(Lit(c),) for c in self.constants(t)]
        return Ref(name) if self.rules[name] else None

    def arg(self, t, const, env: int, depth: int) -> Item | None:
        if isinstance(const, tuple):  # merged constants (see `fitting_calls`): a choice among them
            if len(const) == 1:
                return Lit(_quote(str(const[0])))
            name = f"const-{zlib.crc32(repr(const).encode()):08x}"
            self.rules.setdefault(name, [(Lit(_quote(str(c))),) for c in const])
            return Ref(name)
        if const is not None:
            return Lit(_quote(str(const)))
        if self.constants(t) is not None:
            return self.const_rule(t)
        return self.expr(t, env, depth)

    def expr(self, t, env: int, depth: int) -> Ref | None:
        """The rule for expressions of type t using slots before `env`, nesting at most `depth` calls."""
        name = f"{_type_key(t)}-e{env}-d{depth}"
        if name in self.rules:
            return Ref(name) if self.rules[name] else None
        self.rules[name] = alternatives = []
        if typing.get_origin(t) is list:
            item = self.expr(typing.get_args(t)[0], env, depth - 1) if depth > 0 else None
            if item is not None:
                for n in range(1, MAX_LIST_ITEMS + 1):
                    alternatives.append((Lit("["), item, *[x for _ in range(n - 1) for x in (Lit(", "), item)], Lit("]")))
        if is_assignable(Number, t):
            alternatives.append((NUMBER,))
        for unit in units.UNITS:
            if is_assignable(quantity_type(unit), t) and t is not Value:
                alternatives.append((NUMBER, Lit(unit)))
        if t is Text or t is Value:
            alternatives.append((FREE_TEXT,))
        for index, (slot_name, slot_type) in enumerate(self.slots):
            if not env >> index & 1:
                continue
            if is_assignable(slot_type, t):
                alternatives.append((Lit(slot_name),))
        if depth > 0:
            for op in self.ops:
                for bound in self.fitting_calls(op, t):
                    call = self.call(op, bound, env, depth - 1)
                    if call is not None:
                        alternatives.append(call)
        return Ref(name) if alternatives else None

    def fitting_calls(self, op: Op, t) -> list[dict]:
        """The op's instantiations whose result fits t, those that differ only in their last constant
        argument merged into one (its constants a tuple), so `to(<length>, "m" | "cm" | ...)` is one
        alternative, not one per unit. Sound: each merged constant came from a valid instantiation."""
        merged: dict[tuple, dict] = {}
        for bound, result in self.instances[op.name]:
            if not is_assignable(result, t):
                continue
            constant = [name for name, (_, const) in bound.items() if const is not None][-1:]
            key = tuple((name, kind, None if name in constant else const) for name, (kind, const) in bound.items())
            entry = merged.setdefault(key, {name: (kind, () if name in constant else const)
                                            for name, (kind, const) in bound.items()})
            for name in constant:
                entry[name] = (entry[name][0], (*entry[name][1], bound[name][1]))
        return list(merged.values())

    def call(self, op: Op, bound: dict, env: int, depth: int) -> Alternative | None:
        parts: list[Item] = [Lit(op.name + "(")]
        for i, (t, const) in enumerate(bound.values()):
            item = self.arg(t, const, env, depth)
            if item is None:
                return None
            parts += ([Lit(", ")] if i else []) + [item]
        optional = [p for p in op.params if not p.required]
        if optional:
            tail = self.optional_tail(op, optional, env, depth, first=not bound)
            if tail is not None:
                parts.append(tail)
        return (*parts, Lit(")"))

    def optional_tail(self, op: Op, optional, env: int, depth: int, first: bool) -> Ref | None:
        """Optional parameters: a positional prefix of them, then any of the rest as keywords, in order."""
        name = f"{op.name}-optional-e{env}-d{depth}"
        if name in self.rules:
            return Ref(name)
        items = [self.arg(p.type, None, env, depth) for p in optional]
        self.rules[name] = alternatives = [()]

        def sep(position: int) -> list[Item]:
            return [] if first and position == 0 else [Lit(", ")]

        for k in range(len(optional) + 1):
            if any(item is None for item in items[:k]):
                break
            prefix = [x for i in range(k) for x in (*sep(i), items[i])]
            rest = [(p, item) for p, item in zip(optional[k:], items[k:]) if item is not None]
            for chosen in itertools.product([False, True], repeat=len(rest)):
                seq, position = list(prefix), k
                for (p, item), on in zip(rest, chosen):
                    if on:
                        seq += [*sep(position), Lit(p.name + "="), item]
                        position += 1
                if seq:
                    alternatives.append(tuple(seq))
        return Ref(name)

    def program(self) -> None:
        """root: assignments to distinct slots in slot order (any may be left out), then `answer <any value>`.
        The rule for what follows knows which slots are assigned: `env` is their bit mask."""
        pending = [(0, 0)]
        while pending:
            env, first = pending.pop()
            name = f"program-e{env}-n{first}"
            if name in self.rules:
                continue
            self.rules[name] = alternatives = [(Lit("answer "), self.expr(Value, env, self.max_depth))]
            for index in range(first, len(self.slots)):
                slot_name, slot_type = self.slots[index]
                value = self.expr(slot_type, env, self.max_depth)
                if value is not None:
                    after = (env | 1 << index, index + 1)
                    alternatives.append((Lit(slot_name + " = "), value, Ref("sep"), Ref("program-e{}-n{}".format(*after))))
                    pending.append(after)
        self.rules["sep"] = [(Lit("\n"),), (Lit("; "),)]
        self.rules["root"] = [(Ref("program-e0-n0"),)]


def _prune(rules: dict[str, list[Alternative]], root: str) -> dict[str, list[Alternative]]:
    """Only rules reachable from the root, in the order first reached."""
    order, stack = [], [root]
    while stack:
        name = stack.pop(0)
        if name in order:
            continue
        order.append(name)
        stack += [i.rule for alt in rules[name] for i in alt if isinstance(i, Ref)]
    return {name: rules[name] for name in order}


def build(scene: SceneMemory, slots: tuple[tuple[str, type], ...] = DEFAULT_SLOTS,
          max_depth: int = MAX_DEPTH) -> DecodingGrammar:
    """The productions of every program this grammar admits for `scene` (see the module docstring)."""
    clashes = [name for name, _ in slots if name in REGISTRY or name == "answer" or not name.isidentifier()]
    if clashes or len({name for name, _ in slots}) < len(slots):
        raise ValueError(f"slot names must be distinct identifiers, not ops or `answer`: {clashes or slots}")
    ops = [op for op in REGISTRY.values() if scene_serves(op, scene)]
    builder = _Builder(scene, tuple(slots), max_depth, ops)
    builder.program()
    return DecodingGrammar(_prune(builder.rules, "root"))


# ---- renderers ----------------------------------------------------------------------------------

def _render(grammar: DecodingGrammar, rule_name, terminal_name, terminal_body, defines: str, empty: str) -> str:
    """One rule a line, `name<defines>alt | alt`, then the bounded terminals the rules used; the
    flavours differ only in how names, terminals and an empty alternative are written."""
    terminals = {}
    lines = []
    for name, alternatives in grammar.rules.items():
        rendered = []
        for alt in alternatives:
            items = []
            for item in alt:
                if isinstance(item, Lit):
                    items.append(json.dumps(item.text, ensure_ascii=False))
                elif isinstance(item, Ref):
                    items.append(rule_name(item.rule))
                else:
                    terminals[item.name] = item
                    items.append(terminal_name(item.name))
            rendered.append(" ".join(items) or empty)
        lines.append(f"{rule_name(name)}{defines}" + " | ".join(rendered))
    lines += [f"{terminal_name(t.name)}{defines}{terminal_body(t)}" for t in terminals.values()]
    return "\n".join(lines) + "\n"


def _gbnf_name(rule: str) -> str:
    return rule.lower().replace("_", "-")


def to_gbnf(grammar: DecodingGrammar) -> str:
    """llama.cpp GBNF (also read by xgrammar): `name ::= alt | alt`, root rule named `root`."""
    return _render(grammar, _gbnf_name, _gbnf_name, lambda t: t.gbnf, " ::= ", '""')


def _lark_name(rule: str) -> str:
    return "start" if rule == "root" else rule.lower().replace("-", "_")


def to_lark(grammar: DecodingGrammar) -> str:
    """A lark grammar (Earley; vLLM's outlines backend takes it): rules in lower case, bounded
    terminals as regular expressions, no %ignore: whitespace is exactly as the grammar writes it."""
    return _render(grammar, _lark_name, str.upper, lambda t: f"/{t.regex}/", ": ", "")


FLAVOURS = {"gbnf": to_gbnf, "lark": to_lark}


def grammar_for(scene: SceneMemory, flavour: str = "gbnf") -> str:
    """The grammar text for a server: "gbnf" (llama.cpp `grammar`, vLLM/xgrammar `guided_grammar`)
    or "lark" (vLLM with the outlines backend)."""
    if flavour not in FLAVOURS:
        raise ValueError(f"unknown grammar flavour {flavour!r}; choose one of {', '.join(FLAVOURS)}")
    return FLAVOURS[flavour](build(scene))


# ---- sampling ---------------------------------------------------------------------------------

def sample(grammar: DecodingGrammar, seed: int = 0) -> str:
    """One program drawn at random from the grammar (the depth bound makes every walk finish)."""
    rng = random.Random(seed)
    out: list[str] = []

    def walk(item: Item) -> None:
        if isinstance(item, Lit):
            out.append(item.text)
        elif isinstance(item, Terminal):
            out.append(rng.choice(item.words))
        else:
            for child in rng.choice(grammar.rules[item.rule]):
                walk(child)

    walk(Ref(grammar.root))
    return "".join(out)
