"""Reading the user's text and JSON files: every failure is one InputError naming the file and the problem.

Readers pass what the file is for the message ("layout file", "frames manifest") and the InputError
subclass they raise, so a bad file reads as `layout file x.json is not UTF-8 text (byte 0xff at 12)`,
never as a traceback. A UTF-8 byte-order mark is accepted.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Iterator

from sagent.errors import InputError


def read_bytes(path: str | os.PathLike, what: str, error: type[InputError] = InputError) -> bytes:
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise error(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise error(f"{what} {path} is a directory, not a file") from None
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def decode_text(data: bytes, path: str | os.PathLike, what: str, error: type[InputError] = InputError) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise error(f"{what} {path} is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
                    "save it as UTF-8") from None


def read_text(path: str | os.PathLike, what: str, error: type[InputError] = InputError) -> str:
    """The file's text (UTF-8); `error` naming the file when it is missing, unreadable or not UTF-8."""
    return decode_text(read_bytes(path, what, error), path, what, error)


def parse_json(text: str, path: str | os.PathLike, what: str, error: type[InputError] = InputError) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{what} {path} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise error(f"{what} {path} is not usable JSON: nested too deeply") from None


def read_json(path: str | os.PathLike, what: str, error: type[InputError] = InputError) -> Any:
    """The file's JSON value; `error` naming the file for a missing, unreadable, non-UTF-8 or invalid file."""
    return parse_json(read_text(path, what, error), path, what, error)


def json_objects(text: str) -> Iterator[tuple[str, object]]:
    """(raw text, value) of every JSON object in `text` (a model's reply: alone, in prose or in a fence),
    outermost first, at each `{` where one starts. Lenient where it is safe: a raw newline or tab inside
    a string is read as that character."""
    decoder = json.JSONDecoder(strict=False)
    for start in (m.start() for m in re.finditer(r"\{", text)):
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            yield text[start:end], value
