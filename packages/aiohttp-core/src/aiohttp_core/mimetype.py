"""Media types (RFC 9110 8.3.1) and the header grammar they share with other fields.

``parse_mimetype`` is deliberately forgiving: a Content-Type header comes from
the peer and callers only want to know what it names, so junk yields empty
parts instead of an exception.
"""

from __future__ import annotations

import functools
import re
import string
from typing import Final, NamedTuple

from multidict import MultiDict, MultiDictProxy

__all__ = (
    "QUOTED_STRING",
    "TOKEN",
    "MimeType",
    "ascii_lower",
    "parse_content_type",
    "parse_mimetype",
    "unquote_quoted_string",
)

# RFC 9110 5.6.2:
#   token  = 1*tchar
#   tchar  = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
#            "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
TOKEN: Final = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"

# RFC 9110 5.6.4 (obs-text is %x80-FF on the wire; once a header is decoded to
# str, any character from U+0080 up stands for those bytes):
#   quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
#   qdtext        = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
#   quoted-pair   = "\" ( HTAB / SP / VCHAR / obs-text )
QUOTED_STRING: Final = (
    r'"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\U0010ffff]'
    r'|\\[\t \x21-\x7e\x80-\U0010ffff])*"'
)

_TOKEN_RE: Final = re.compile(TOKEN, re.ASCII)
_QUOTED_STRING_RE: Final = re.compile(QUOTED_STRING, re.ASCII)
_QUOTED_PAIR_RE: Final = re.compile(r"\\(.)", re.ASCII | re.DOTALL)

# RFC 9110 8.3.1:
#   media-type = type "/" subtype parameters
#   parameters = *( OWS ";" OWS [ parameter ] )
#   parameter  = parameter-name "=" parameter-value
#   parameter-value = ( token / quoted-string )
# The pattern below accepts far more than that grammar so that junk still
# splits into ";"-separated members; a quoted value may hold ";".
_LOOSE_PARAMETER_RE: Final = re.compile(
    r'([^=;]*)(?:=[ \t]*("(?:[^"\\]|\\.)*"|[^;]*))?[^;]*(?:;|\Z)',
    re.ASCII | re.DOTALL,
)

_ASCII_LOWER: Final = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_OWS: Final = " \t"
_DEFAULT_CONTENT_TYPE: Final = "application/octet-stream"


def ascii_lower(value: str) -> str:
    """Lower-case only the ASCII letters of *value* (no Unicode case folding)."""
    # str.lower() maps e.g. KELVIN SIGN to "k", which would let a non-ASCII
    # name pass for an ASCII one.
    return value.translate(_ASCII_LOWER)


def unquote_quoted_string(value: str) -> str:
    """Return the content of a quoted-string, undoing quoted-pairs."""
    return _QUOTED_PAIR_RE.sub(r"\1", value[1:-1])


def _loose_parameter_value(raw: str) -> str:
    raw = raw.strip(_OWS)
    if _QUOTED_STRING_RE.fullmatch(raw):
        return unquote_quoted_string(raw)
    return raw.strip('"' + _OWS)


class MimeType(NamedTuple):
    """A parsed media type: ``type/subtype+suffix; parameters``."""

    type: str
    subtype: str
    suffix: str
    parameters: MultiDictProxy[str]


@functools.lru_cache(maxsize=56)
def parse_mimetype(mimetype: str) -> MimeType:
    """Split a media type into its parts; never raises, junk gives empty parts.

    Type, subtype, suffix and parameter names are lower-cased (ASCII only),
    parameter values keep their case; ``*`` alone means ``*/*``.
    """
    head, sep, tail = mimetype.partition(";")
    params: MultiDict[str] = MultiDict()
    pos = 0
    while sep and pos < len(tail):
        match = _LOOSE_PARAMETER_RE.match(tail, pos)
        if match is None:  # the pattern matches (and moves) at any position
            break
        pos = match.end()
        name = ascii_lower(match[1].strip(_OWS))
        if name:
            value = match[2]
            params.add(name, "" if value is None else _loose_parameter_value(value))
    fulltype = ascii_lower(head.strip(_OWS))
    if fulltype == "*":
        fulltype = "*/*"
    mtype, _, stype = fulltype.partition("/")
    stype, _, suffix = stype.partition("+")
    return MimeType(mtype, stype, suffix, MultiDictProxy(params))


def parse_content_type(value: str | None) -> tuple[str, dict[str, str]]:
    """Return the lower-cased ``type/subtype`` and the parameters of a Content-Type.

    An absent or blank value means ``application/octet-stream`` (RFC 9110
    8.3); any other value keeps what it names, even if it is not a valid
    media type, so that callers can refuse it.  A parameter given twice keeps
    its first value.
    """
    if value is None or not value.strip(_OWS):
        return _DEFAULT_CONTENT_TYPE, {}
    mime = parse_mimetype(value)
    essence = f"{mime.type}/{mime.subtype}" if mime.subtype else mime.type
    if mime.suffix:
        essence = f"{essence}+{mime.suffix}"
    params: dict[str, str] = {}
    for name, param in mime.parameters.items():
        params.setdefault(name, param)
    return essence, params
