"""Entity tags (RFC 9110 8.8.3): the ETag value, its header form and tag lists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, overload

__all__ = (
    "ETAGC",
    "ETAGC_RE",
    "ETAG_ANY",
    "QUOTED_ETAG_RE",
    "ETag",
    "format_etag",
    "parse_etag",
    "parse_etag_list",
    "validate_etag_value",
)

#: The value of the ETag standing for ``*`` in If-Match / If-None-Match.
#: A quoted ``"*"`` tag parses to the same value: aiohttp has always treated
#: the two alike, and a strong tag spelled ``*`` is not worth the difference.
ETAG_ANY: Final = "*"

# RFC 9110 8.8.3:
#   entity-tag = [ weak ] opaque-tag
#   weak       = %s"W/"
#   opaque-tag = DQUOTE *etagc DQUOTE
#   etagc      = %x21 / %x23-7E / obs-text
# obs-text is %x80-FF on the wire.  Header values are decoded as UTF-8 with
# surrogateescape, so in a str it is any character from U+0080 on, or one of
# the escapes U+DC80-U+DCFF of a byte that was not UTF-8; other lone
# surrogates can come from no byte and cannot be sent.
ETAGC: Final = r"\x21\x23-\x7e\x80-\ud7ff\udc80-\udcff\ue000-\U0010ffff"
ETAGC_RE: Final = re.compile(rf"[{ETAGC}]*", re.ASCII)
QUOTED_ETAG_RE: Final = re.compile(rf'(W/)?"([{ETAGC}]*)"', re.ASCII)

# RFC 9110 13.1.1 and 5.6.1:
#   If-Match = "*" / #entity-tag
#   #element => [ element ] *( OWS "," OWS [ element ] )
_LIST_MEMBER_RE: Final = re.compile(
    rf'[ \t]*(?:(W/)?"([{ETAGC}]*)")?[ \t]*(?:,|\Z)', re.ASCII
)
# Anything else up to the next comma that is not inside a quoted part.
_JUNK_MEMBER_RE: Final = re.compile(r'(?:[^,"]|"[^"]*")*,?')
_OWS: Final = " \t"


def validate_etag_value(value: str) -> None:
    """Raise ValueError unless *value* may sit between the quotes of an ETag."""
    if not ETAGC_RE.fullmatch(value):
        raise ValueError(
            f"Value {value!r} is not a valid etag: quotes and control "
            "characters are not allowed (RFC 9110 section 8.8.3)"
        )


@dataclass(frozen=True, slots=True, init=False)
class ETag:
    """An entity tag: its value without quotes and whether it is weak."""

    value: str
    is_weak: bool = False

    @overload
    def __init__(self, value: str, is_weak: bool = False) -> None: ...

    @overload
    def __init__(self, *, name: str, is_weak: bool = False) -> None: ...

    def __init__(
        self,
        value: str | None = None,
        is_weak: bool = False,
        *,
        name: str | None = None,
    ) -> None:
        """Make a tag; ``name`` is the documented spelling of ``value``."""
        # The reference documents ``ETag(name, is_weak=False)`` while the
        # attribute (and aiohttp's own keyword) is ``value``: accept both.
        if (value is None) == (name is None):
            raise TypeError("ETag() takes exactly one of 'value' or 'name'")
        tag = value if value is not None else name
        if not isinstance(tag, str):
            raise TypeError(f"ETag value must be str, not {type(tag).__name__}")
        validate_etag_value(tag)
        object.__setattr__(self, "value", tag)
        object.__setattr__(self, "is_weak", bool(is_weak))


def format_etag(etag: ETag | str) -> str:
    """Return the ETag header form of a tag; a str is a strong tag's value.

    ``ETAG_ANY`` becomes ``*``; ValueError for a value with quotes or
    control characters.
    """
    if isinstance(etag, str):
        if etag == ETAG_ANY:
            return "*"
        validate_etag_value(etag)
        return f'"{etag}"'
    if etag.value == ETAG_ANY:
        return "*"
    return f'W/"{etag.value}"' if etag.is_weak else f'"{etag.value}"'


def parse_etag(value: str) -> ETag | None:
    """Parse one entity-tag (as in If-Range); None when it is not one."""
    match = QUOTED_ETAG_RE.fullmatch(value.strip(_OWS))
    if match is None:
        return None
    return ETag(match[2], is_weak=bool(match[1]))


def parse_etag_list(header: str) -> tuple[ETag, ...]:
    """Parse If-Match / If-None-Match: ``*`` or a list of entity-tags.

    ``*`` gives ``(ETag(ETAG_ANY),)``; malformed members are skipped.
    """
    if header.strip(_OWS) == "*":
        return (ETag(ETAG_ANY),)
    tags: list[ETag] = []
    pos = 0
    end = len(header)
    while pos < end:
        match = _LIST_MEMBER_RE.match(header, pos)
        if match is not None:
            if match[2] is not None:
                tags.append(ETag(match[2], is_weak=bool(match[1])))
            pos = match.end()
            continue
        junk = _JUNK_MEMBER_RE.match(header, pos)
        if junk is None or junk.end() == pos:
            break  # an unterminated quote: nothing after it can be trusted
        pos = junk.end()
    return tuple(tags)
