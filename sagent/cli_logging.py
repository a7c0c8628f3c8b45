"""What a command says on stderr while it runs: sagent's module loggers at WARNING (INFO with -v, ERROR
with -q), other libraries' loggers at ERROR unless -v, each line as `sagent: message`; progress bars
(`tools.io.progress`: only to a person at a terminal, never with -q or --json) and log lines take
turns instead of tearing each other."""

from __future__ import annotations

import contextlib
import logging
import sys
from typing import Iterator

from tqdm.contrib.logging import logging_redirect_tqdm

from sagent.cli_commands import Verbosity
from sagent.tools.io.progress import progress_bars

# Libraries that log on their own; quiet unless -v.
LIBRARY_LOGGERS = ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "httpx", "httpcore", "urllib3", "ultralytics",
                   "huggingface_hub", "transformers", "PIL", "matplotlib", "rerun")


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (a test's capture, a redirected stream)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr  # (setStream would flush the old one, perhaps closed)
        super().emit(record)


_HANDLER = _Stderr(sys.stderr)
_HANDLER.setFormatter(logging.Formatter("sagent: %(message)s"))


@contextlib.contextmanager
def command_logging(verbosity: Verbosity | None, json_output: bool = False) -> Iterator[None]:
    """Logging and progress bars configured for one command, and put back as they were afterwards. Bars
    show only at a terminal, never with -q or --json."""
    verbosity = verbosity or Verbosity()
    level = logging.INFO if verbosity.verbose else logging.ERROR if verbosity.quiet else logging.WARNING
    ours = logging.getLogger("sagent")
    libraries = [logging.getLogger(name) for name in LIBRARY_LOGGERS]
    saved = (ours.level, [library.level for library in libraries])
    ours.setLevel(level)
    for library in libraries:
        library.setLevel(logging.WARNING if verbosity.verbose else max(library.level, logging.ERROR))
    _HANDLER.stream = sys.stderr  # tqdm's redirect copies the stream it finds here
    ours.addHandler(_HANDLER)
    ours.propagate = False
    try:
        with logging_redirect_tqdm(loggers=[ours]), progress_bars(False if verbosity.quiet or json_output else None):
            yield
    finally:
        ours.removeHandler(_HANDLER)
        ours.propagate = True
        ours.setLevel(saved[0])
        for library, was in zip(libraries, saved[1]):
            library.setLevel(was)
