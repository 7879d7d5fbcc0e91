"""Parsers for request header fields: Forwarded, Cookie and Range.

They take the field value as the parser decoded it (UTF-8 with
surrogateescape) and never raise on junk except where the documented API
says so (``parse_range`` raises ValueError, as ``BaseRequest.http_range``
does).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from types import MappingProxyType
from typing import Final

from aiohttp_core.mimetype import QUOTED_STRING, TOKEN

__all__ = ("parse_cookie_header", "parse_forwarded", "parse_range")

# RFC 7239 section 4:
#   Forwarded         = 1#forwarded-element
#   forwarded-element = [ forwarded-pair ] *( ";" [ forwarded-pair ] )
#   forwarded-pair    = token "=" value
#   value             = token / quoted-string
_FORWARDED_PAIR_RE: Final = re.compile(
    rf"[ \t]*({TOKEN})=({TOKEN}|{QUOTED_STRING})[ \t]*", re.ASCII
)
_QUOTED_PAIR_RE: Final = re.compile(r"\\(.)", re.ASCII | re.DOTALL)
# The rest of a broken element, up to the next comma outside quotes.
_FORWARDED_JUNK_RE: Final = re.compile(r'(?:[^,"]|"(?:[^"\\]|\\.)*"?)*', re.DOTALL)
_OWS: Final = " \t"


def _unquote(value: str) -> str:
    if value[:1] == '"':
        return _QUOTED_PAIR_RE.sub(r"\1", value[1:-1])
    return value


def _parse_forwarded_value(
    field: str, elements: list[MappingProxyType[str, str]]
) -> None:
    pos = 0
    end = len(field)
    element: dict[str, str] = {}
    while pos < end:
        match = _FORWARDED_PAIR_RE.match(field, pos)
        if match is not None:
            # A name given twice keeps its first value (RFC 7239 4: a sender
            # must not repeat it, so the first is as good as any).
            element.setdefault(match[1].lower(), _unquote(match[2]))
            pos = match.end()
        else:
            # Skip whitespace-only gaps (empty pairs and elements are allowed)
            while pos < end and field[pos] in _OWS:
                pos += 1
        if pos >= end:
            break
        sep = field[pos]
        if sep == ";":
            pos += 1
            continue
        if sep == ",":
            elements.append(MappingProxyType(element))
            element = {}
            pos += 1
            continue
        # Bad syntax: the element is dropped up to the next comma.
        junk = _FORWARDED_JUNK_RE.match(field, pos)
        pos = end if junk is None else max(junk.end(), pos + 1)
        element = {}
        if pos >= end:
            break
        # At the comma ending the broken element, kept (empty) in its place.
        elements.append(MappingProxyType(element))
        element = {}
        pos += 1
    elements.append(MappingProxyType(element))


def parse_forwarded(
    fields: Iterable[str],
) -> tuple[MappingProxyType[str, str], ...]:
    """Parse Forwarded field values (RFC 7239) into one mapping per element.

    Pair names are lower-cased and quoted values unescaped; a malformed
    element gives an empty mapping, so positions still count the proxies.
    """
    elements: list[MappingProxyType[str, str]] = []
    for field in fields:
        _parse_forwarded_value(field, elements)
    return tuple(elements)


# RFC 6265 section 4.2.1:
#   cookie-string = cookie-pair *( ";" SP cookie-pair )
#   cookie-pair   = cookie-name "=" cookie-value
#   cookie-name   = token
# Browsers send far more than cookie-octets in values, so a value is taken
# as whatever stands between "=" and the next ";", minus outer OWS.
_COOKIE_NAME_RE: Final = re.compile(TOKEN, re.ASCII)
_OCTAL_ESCAPE_RE: Final = re.compile(r"\\([0-3][0-7][0-7])", re.ASCII)


def _cookie_unquote(value: str) -> str:
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        return value
    inner = value[1:-1]
    # The quoting http.cookies applies: \ooo octal escapes and \x pairs.
    inner = _OCTAL_ESCAPE_RE.sub(lambda m: chr(int(m[1], 8)), inner)
    return _QUOTED_PAIR_RE.sub(r"\1", inner)


def parse_cookie_header(header: str) -> MappingProxyType[str, str]:
    """Parse a Cookie field value leniently: bad pairs are skipped.

    A name sent twice keeps its first value: user agents list the cookie
    with the longest path first (RFC 6265 5.4 step 2).
    """
    cookies: dict[str, str] = {}
    for pair in header.split(";"):
        name, eq, value = pair.partition("=")
        name = name.strip(_OWS)
        if not eq or not _COOKIE_NAME_RE.fullmatch(name):
            continue
        if name not in cookies:
            cookies[name] = _cookie_unquote(value.strip(_OWS))
    return MappingProxyType(cookies)


# RFC 9110 section 14.1.2 (one range only, as aiohttp serves one):
#   byte-ranges-specifier = bytes-unit "=" int-range / suffix-range
#   int-range             = first-pos "-" [ last-pos ]
#   suffix-range          = "-" suffix-length
_RANGE_RE: Final = re.compile(r"bytes=([0-9]*)-([0-9]*)", re.ASCII | re.IGNORECASE)


def parse_range(header: str | None) -> slice:
    """Turn a Range field value into a slice (stop exclusive, step 1).

    No field gives ``slice(None, None, 1)``; a field that is not a single
    byte range raises ValueError.
    """
    if header is None:
        return slice(None, None, 1)
    match = _RANGE_RE.fullmatch(header.strip(_OWS))
    if match is None:
        raise ValueError("range not in acceptable format")
    first, last = match[1], match[2]
    if not first and not last:
        raise ValueError("range not in acceptable format")
    if not first:
        # A suffix range: the last N bytes; the last 0 bytes are no range.
        suffix = int(last)
        if not suffix:
            raise ValueError("range not in acceptable format")
        return slice(-suffix, None, 1)
    start = int(first)
    if not last:
        return slice(start, None, 1)
    stop = int(last)
    if start > stop:
        raise ValueError("start cannot be after end")
    return slice(start, stop + 1, 1)
