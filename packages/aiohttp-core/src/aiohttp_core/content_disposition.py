"""Content-Disposition: read it (RFC 6266, RFC 8187, RFC 2231) and write it safely.

Parsing folds every way of giving a parameter into one value per name: the
extended ``name*=charset'lang'pct`` form wins over RFC 2231 continuations
(``name*0=``, ``name*1*=``, ...), which win over the plain ``name=``.  So
``parameters["filename"]`` is the best filename the sender offered, already
decoded; it is not sanitised and must never be used as a path as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final, NamedTuple
from urllib.parse import quote, unquote_to_bytes

from multidict import MultiDict, MultiDictProxy

from .mimetype import QUOTED_STRING, TOKEN, unquote_quoted_string

__all__ = (
    "ContentDisposition",
    "content_disposition_filename",
    "content_disposition_header",
    "parse_content_disposition",
)

# RFC 6266 4.1:
#   content-disposition = "Content-Disposition" ":"
#                         disposition-type *( ";" disposition-parm )
#   disposition-type    = "inline" | "attachment" | disp-ext-type
#                       ; case-insensitive
#   disp-ext-type       = token
#   disposition-parm    = filename-parm | disp-ext-parm
#   filename-parm       = "filename" "=" value | "filename*" "=" ext-value
#   disp-ext-parm       = token "=" value | ext-token "=" ext-value
#   ext-token           = <the characters in token, followed by "*">
#   value               = token | quoted-string
_DISPOSITION_TYPE_RE: Final = re.compile(rf"[ \t]*({TOKEN})[ \t]*(?=;|\Z)", re.ASCII)
_PARAMETER_RE: Final = re.compile(
    rf";[ \t]*({TOKEN})[ \t]*=[ \t]*({TOKEN}|{QUOTED_STRING})[ \t]*(?=;|\Z)",
    re.ASCII,
)
# A member that breaks the grammar: skip to the next ";" outside quotes.
_JUNK_PARAMETER_RE: Final = re.compile(r';(?:[^;"]|"(?:[^"\\]|\\.)*")*', re.DOTALL)

# RFC 2231 3 and 4.1: a parameter name carries "*N" for the N-th section of a
# continued value and a trailing "*" when that section is extended.
#   section         = initial-section / other-sections
#   initial-section = "*0"
#   other-sections  = "*" ("1" / ... / "9") *DIGIT
# At most three digits: a header field is a few kilobytes at most, and this
# keeps int() away from absurd numbers.
_PARAMETER_NAME_RE: Final = re.compile(
    r"(?P<base>[^*]+)(?:\*(?P<section>0|[1-9][0-9]{0,2}))?(?P<ext>\*)?", re.ASCII
)

# RFC 8187 3.2.1:
#   ext-value     = charset  "'" [ language ] "'" value-chars
#   charset       = "UTF-8" / "ISO-8859-1" / mime-charset
#   mime-charsetc = ALPHA / DIGIT / "!" / "#" / "$" / "%" / "&"
#                 / "+" / "-" / "^" / "_" / "`" / "{" / "}" / "~"
#   language      = <Language-Tag, see RFC 5646, Section 2.1>
#   value-chars   = *( pct-encoded / attr-char )
#   pct-encoded   = "%" HEXDIG HEXDIG
#   attr-char     = ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "."
#                 / "^" / "_" / "`" / "|" / "~"
MIME_CHARSET: Final = r"[A-Za-z0-9!#$%&+\-^_`{}~]+"
_VALUE_CHARS: Final = r"(?:%[0-9A-Fa-f]{2}|[A-Za-z0-9!#$&+\-.^_`|~])*"
_EXT_VALUE_RE: Final = re.compile(
    rf"(?P<charset>{MIME_CHARSET})'(?P<language>[A-Za-z0-9\-]*)'"
    rf"(?P<chars>{_VALUE_CHARS})",
    re.ASCII,
)
_VALUE_CHARS_RE: Final = re.compile(_VALUE_CHARS, re.ASCII)
_TOKEN_RE: Final = re.compile(TOKEN, re.ASCII)
_MIME_CHARSET_RE: Final = re.compile(MIME_CHARSET, re.ASCII)

# What may go into a header value we write: no C0 control but HTAB, no DEL.
# CR and LF would end the field and let a value smuggle in new header lines.
_FORBIDDEN_VALUE_CHAR_RE: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# Values written as a quoted-string without percent-quoting (qdtext, ASCII).
_PRINTABLE_ASCII_RE: Final = re.compile(r"[\t\x20-\x7e]*")


@dataclass(frozen=True, slots=True)
class ContentDisposition:
    """A parsed Content-Disposition header: type, parameters and filename."""

    type: str | None
    parameters: MultiDictProxy[str]
    filename: str | None

    @classmethod
    def from_header(cls, header: str | None) -> ContentDisposition:
        """Parse a header value (type None when it is absent or malformed)."""
        disptype, params = parse_content_disposition(header)
        return cls(disptype, params, params.get("filename"))


class _Section(NamedTuple):
    extended: bool
    value: str


def _decode_ext_value(value: str) -> str | None:
    """Decode ``charset'lang'pct-encoded`` (RFC 8187); None if it is not one."""
    match = _EXT_VALUE_RE.fullmatch(value)
    if match is None:
        return None
    return _decode_bytes(unquote_to_bytes(match["chars"]), match["charset"])


def _decode_bytes(raw: bytes, charset: str) -> str | None:
    try:
        return raw.decode(charset)
    except (LookupError, UnicodeError):
        # LookupError also covers bytes-to-bytes codecs such as "base64".
        return None


def _join_sections(sections: dict[int, _Section]) -> str | None:
    """Assemble RFC 2231 continuation sections 0, 1, ... (stopping at a gap)."""
    if 0 not in sections:
        return None
    charset = "utf-8"  # RFC 2231 names the charset in section 0 only
    chunks: list[bytes] = []
    for index in range(len(sections)):
        section = sections.get(index)
        if section is None:
            break
        value = section.value
        if section.extended and index == 0:
            match = _EXT_VALUE_RE.fullmatch(value)
            if match is None:
                return None
            charset, value = match["charset"], match["chars"]
        if section.extended:
            if not _VALUE_CHARS_RE.fullmatch(value):
                return None
            chunks.append(unquote_to_bytes(value))
        else:
            try:
                chunks.append(value.encode(charset))
            except (LookupError, UnicodeError):
                return None
    # Decode once at the end: a multi-byte character may span two sections.
    return _decode_bytes(b"".join(chunks), charset)


def _iter_parameters(header: str, pos: int) -> Iterator[tuple[str, str]]:
    """Yield (name, raw value) of the well-formed parameters from *pos* on."""
    end = len(header)
    while pos < end:
        match = _PARAMETER_RE.match(header, pos)
        if match is not None:
            pos = match.end()
            yield match[1], match[2]
            continue
        junk = _JUNK_PARAMETER_RE.match(header, pos)
        if junk is None:
            return  # an unterminated quoted-string: the rest is unreadable
        pos = junk.end()


def parse_content_disposition(
    header: str | None,
) -> tuple[str | None, MultiDictProxy[str]]:
    """Parse a Content-Disposition value into its lower-cased type and parameters.

    Parameter names are lower-cased and values decoded; a malformed parameter
    is skipped, a malformed type or a repeated parameter (RFC 6266 4.1)
    makes the whole value invalid: ``(None, {})``.
    """
    empty: MultiDictProxy[str] = MultiDictProxy(MultiDict())
    if not header:
        return None, empty
    type_match = _DISPOSITION_TYPE_RE.match(header)
    if type_match is None:
        return None, empty

    seen: set[str] = set()
    order: dict[str, None] = {}  # base names in first-seen order
    plain: dict[str, str] = {}
    extended: dict[str, str] = {}
    continued: dict[str, dict[int, _Section]] = {}
    for token, raw in _iter_parameters(header, type_match.end()):
        key = token.lower()  # an ASCII-only token: lower() cannot fold Unicode
        if key in seen:
            return None, empty
        seen.add(key)
        quoted = raw.startswith('"')
        if quoted:
            raw = unquote_quoted_string(raw)
        name = _PARAMETER_NAME_RE.fullmatch(key)
        if name is None:  # e.g. "a*b": not an RFC 2231 name, keep it as is
            order[key] = None
            plain[key] = raw
            continue
        base, section, is_ext = name["base"], name["section"], bool(name["ext"])
        order[base] = None
        if is_ext and quoted:  # an ext-value is never quoted (RFC 8187 3.2)
            continue
        if section is not None:
            continued.setdefault(base, {})[int(section)] = _Section(is_ext, raw)
        elif is_ext:
            decoded = _decode_ext_value(raw)
            if decoded is not None:
                extended[base] = decoded
        else:
            plain[base] = raw

    params: MultiDict[str] = MultiDict()
    for base in order:
        value = extended.get(base)
        if value is None and base in continued:
            value = _join_sections(continued[base])
        if value is None:
            value = plain.get(base)
        if value is not None:
            params.add(base, value)
    return type_match[1].lower(), MultiDictProxy(params)


def content_disposition_filename(
    params: Mapping[str, str], name: str = "filename"
) -> str | None:
    """Return parameter *name* of parsed Content-Disposition parameters, or None."""
    return params.get(name)


def content_disposition_header(
    disptype: str,
    quote_fields: bool = True,
    _charset: str = "utf-8",
    params: Mapping[str, str] | None = None,
) -> str:
    """Build a Content-Disposition value; ValueError on anything unsafe.

    *disptype* and parameter names must be tokens (without ``*``: the
    extended form is chosen here); values may not hold control characters.
    With *quote_fields*, ``filename`` is percent-encoded inside quotes (the
    multipart/form-data convention, RFC 7578 4.2), other printable ASCII
    values become quoted-strings and anything else is written RFC 8187-style
    as ``name*=<charset>''<pct-encoded>``.  Without it, values are written as
    quoted-strings with only ``\\`` and ``"`` escaped.
    """
    if not _TOKEN_RE.fullmatch(disptype):
        raise ValueError(f"bad content disposition type {disptype!r}")
    if not _MIME_CHARSET_RE.fullmatch(_charset):
        raise ValueError(f"bad charset {_charset!r}")
    parts = [disptype]
    for key, value in (params or {}).items():
        if not _TOKEN_RE.fullmatch(key) or "*" in key:
            raise ValueError(f"bad content disposition parameter name {key!r}")
        if _FORBIDDEN_VALUE_CHAR_RE.search(value):
            raise ValueError(
                f"content disposition parameter {key!r} holds a control character"
            )
        parts.append(_format_parameter(key, value, quote_fields, _charset))
    return "; ".join(parts)


def _format_parameter(key: str, value: str, quote_fields: bool, charset: str) -> str:
    if not quote_fields:
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'{key}="{escaped}"'
    # The key matched an ASCII-only token, so lower() is safe.
    if key.lower() == "filename":
        return f'{key}="{quote(value, safe="", encoding=charset)}"'
    if _PRINTABLE_ASCII_RE.fullmatch(value):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'{key}="{escaped}"'
    return f"{key}*={charset}''{quote(value, safe='', encoding=charset)}"
