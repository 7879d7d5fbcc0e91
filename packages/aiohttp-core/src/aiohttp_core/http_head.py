"""What both twins of the head serializer share: field kinds and error messages.

``http_writer`` holds the pure-Python serializer and ``_http_writer`` the
compiled one.  Both build their exceptions with the functions below, so that
a head refused by one twin is refused by the other with the same message.
These functions run only on error paths or for unusual inputs.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from typing import Final, TypeAlias

from multidict import CIMultiDict, CIMultiDictProxy

__all__ = (
    "FramingField",
    "FramingFields",
    "Headers",
    "field_pair",
    "forbidden_error",
    "name_error",
    "plain_str",
    "value_str",
)

Headers: TypeAlias = Mapping[str, str] | CIMultiDict[str] | CIMultiDictProxy[str]

# RFC 9110 section 5.5: "Field values containing CR, LF, or NUL characters are
# invalid and dangerous".  The same goes for the start line.
FORBIDDEN_RE: Final = re.compile(r"[\r\n\x00]", re.ASCII)


class FramingField(enum.Enum):
    """The header fields that decide a message's framing."""

    OTHER = enum.auto()
    CONTENT_LENGTH = enum.auto()
    TRANSFER_ENCODING = enum.auto()


# What a serializer reports of a head's framing fields, in order.
FramingFields: TypeAlias = list[tuple[FramingField, str]]


def plain_str(text: object) -> str:
    """The exact ``str`` value of a ``str`` subclass instance."""
    # A subclass could override __hash__ and __eq__ to pass for a name
    # already checked, or __format__/__str__ to print something else.
    if isinstance(text, str):
        return str.__str__(text)
    raise TypeError(f"Expected a str in the head, got {type(text).__name__}")


def value_str(value: object) -> str:
    """A field value as written: str content as is, anything else formatted."""
    return str.__str__(value) if isinstance(value, str) else f"{value}"


def name_error(name: str) -> ValueError:
    """The error for a field name that is not an RFC 9110 token."""
    return ValueError(f"Invalid header field name {name!r}: not an RFC 9110 token")


def forbidden_error(status_line: str, headers: Headers) -> ValueError:
    """Say which part of a head holds CR, LF or NUL (slow, error path only)."""
    if FORBIDDEN_RE.search(status_line):
        return ValueError(f"Newline or NUL character in start line {status_line!r}")
    for name, value in headers.items():
        text = value_str(value)
        if FORBIDDEN_RE.search(text):
            return ValueError(
                f"Newline or NUL character in value of header {name!r}: {text!r}"
            )
    return ValueError("Newline or NUL character in header")  # pragma: no cover


def field_pair(item: Iterable[object]) -> tuple[object, object]:
    """Unpack an item of ``headers.items()`` that is not a 2-tuple."""
    # Unpacking here gives the interpreter's own errors for odd items, as
    # the pure-Python twin's ``for name, value in ...`` does.
    name, value = item
    return name, value
