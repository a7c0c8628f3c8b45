"""Arithmetic on answers: how much more (a difference), how many times (a ratio), and totals."""

from __future__ import annotations

from sagent.dsl.context import ExecContext
from sagent.dsl.errors import OpError
from sagent.dsl.registry import op
from sagent.dsl.types import Count, Number, Quantity
from sagent.memory import units


def _a(kind: str) -> str:
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def _dimension(a: Quantity, b: Quantity, doing: str) -> None:
    """An op error unless the two quantities are of one dimension (a length and a length, ...)."""
    da, db = units.dimension_of(a.unit), units.dimension_of(b.unit)
    if da != db:
        raise OpError(f"cannot {doing} {_a(da)} ({a}) and {_a(db)} ({b}); both must be {da}s")


def _static_dimension(args: dict) -> object:
    """The quantity type both sides share (Quantity while neither is known); an op error when they differ."""
    a, b = args["a"].type, args["b"].type
    if Quantity not in (a, b) and a is not b:
        raise OpError(f"cannot combine {_a(a.__name__.lower())} with {_a(b.__name__.lower())}; both must be one kind")
    return a if a is not Quantity else b


@op(result_type=_static_dimension)
def difference(ctx: ExecContext, a: Quantity, b: Quantity) -> Quantity:
    """a - b, signed, in a's unit ("how much taller is A than B": difference(size(A, "height"),
    size(B, "height"))); negative when b is the larger.

    Args:
        a: the quantity to subtract from.
        b: the quantity to subtract, of the same dimension.

    Examples:
        answer to(difference(size(objects("door"), dimension="height"), size(objects("bed"), dimension="height")), "cm")
    """
    _dimension(a, b, "subtract")
    return Quantity.of(a.value - b.to(a.unit).value, a.unit)


def _ratio_type(args: dict) -> object:
    _static_dimension(args)
    return Number


@op(result_type=_ratio_type)
def ratio(ctx: ExecContext, a: Quantity, b: Quantity) -> Number:
    """a / b, a plain number ("how many times longer is A than B": ratio(size(A, "length"),
    size(B, "length"))); an error when b is 0.

    Args:
        a: the dividend.
        b: the divisor, of the same dimension.

    Examples:
        answer ratio(size(objects("sofa"), dimension="length"), size(objects("bed"), dimension="length"))
    """
    _dimension(a, b, "divide")
    divisor = b.to(a.unit).value
    if divisor == 0:
        raise OpError(f"cannot divide by {b}: it is zero")
    return Number(a.value / divisor)


@op
def total(ctx: ExecContext, counts: list[Count]) -> Count:
    """The sum of counts ("how many seats, counting the sofas and the chairs").

    Args:
        counts: one or more counts.

    Examples:
        answer total([count(objects("chair")), count(objects("sofa"))])
    """
    if not counts:
        raise OpError("it needs one or more counts; got none")
    return Count(sum(c.value for c in counts))
