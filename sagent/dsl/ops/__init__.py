"""DSL ops, registered on import. One module per family of questions."""

from sagent.dsl.ops import compare, direction, measure, objects, route, timeline, views  # noqa: F401
