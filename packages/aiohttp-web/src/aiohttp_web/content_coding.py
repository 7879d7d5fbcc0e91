"""Content codings a response can be compressed with, and their negotiation."""

from __future__ import annotations

import enum
import re
from typing import Final

from aiohttp_core.compression import supported_encodings

__all__ = ("ContentCoding", "choose_coding")


class ContentCoding(enum.Enum):
    """The content codings ``StreamResponse.enable_compression`` can apply."""

    deflate = "deflate"
    gzip = "gzip"
    br = "br"
    identity = "identity"


# RFC 9110 section 12.5.3:
#   Accept-Encoding = #( codings [ weight ] )
#   codings         = content-coding / "identity" / "*"
#   weight          = OWS ";" OWS "q=" qvalue
#   qvalue          = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
# Parameter names are matched case-insensitively, as RFC 9110 5.6.6 says.
_MEMBER_RE: Final = re.compile(
    r"[ \t]*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]*"
    r"(?:;[ \t]*[qQ]=((?:0(?:\.[0-9]{0,3})?)|(?:1(?:\.0{0,3})?)))?[ \t]*",
    re.ASCII,
)

# When the client likes several codings equally, the first one here wins:
# gzip is what every client decodes the same way.
_PREFERENCE: Final = (ContentCoding.gzip, ContentCoding.deflate, ContentCoding.br)


def _weights(header: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for member in header.split(","):
        match = _MEMBER_RE.fullmatch(member)
        if match is None:
            continue
        name = match[1].lower()
        weights.setdefault(name, 1.0 if match[2] is None else float(match[2]))
    return weights


def choose_coding(accept_encoding: str) -> ContentCoding | None:
    """The best coding the client accepts that we can produce, None for none.

    Highest weight wins; ``*`` stands for every coding not listed; a weight
    of 0 refuses a coding.
    """
    if not accept_encoding:
        return None
    weights = _weights(accept_encoding)
    available = supported_encodings()
    star = weights.get("*", 0.0)
    best: ContentCoding | None = None
    best_weight = 0.0
    for coding in _PREFERENCE:
        if coding.value not in available:
            continue
        weight = weights.get(coding.value, star)
        if weight > best_weight:
            best, best_weight = coding, weight
    return best
