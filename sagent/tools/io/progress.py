"""Progress bars on stderr: shown to a person at a terminal, unless whoever runs sagent turned them off
(the CLI does with -q and --json; a build in a worker process does). No function takes a `progress`
flag: the choice is made once, where sagent is run, and holds for what runs under it."""

from __future__ import annotations

import contextlib
import sys
from contextvars import ContextVar
from typing import Iterable, Iterator, TypeVar

from tqdm import tqdm

T = TypeVar("T")
_SHOWN: ContextVar[bool | None] = ContextVar("progress bars shown", default=None)  # None: when stderr is a terminal


def bars_shown() -> bool:
    chosen = _SHOWN.get()
    return chosen if chosen is not None else bool(getattr(sys.stderr, "isatty", lambda: False)())


@contextlib.contextmanager
def progress_bars(shown: bool | None) -> Iterator[None]:
    """Bars on (True), off (False) or at a terminal only (None) for what runs inside."""
    token = _SHOWN.set(shown)
    try:
        yield
    finally:
        _SHOWN.reset(token)


def bar(iterable: Iterable[T] | None = None, **kwargs) -> tqdm:
    """A tqdm bar on stderr, drawn only when bars are shown."""
    return tqdm(iterable, disable=not bars_shown(), file=sys.stderr, **kwargs)
