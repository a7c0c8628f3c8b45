"""DSL ops, registered on import. One module per family of questions."""

from sagent.dsl.ops import (  # noqa: F401
    arithmetic,
    compare,
    direction,
    measure,
    objects,
    placement,
    relations,
    route,
    selection,
    timeline,
    views,
)
