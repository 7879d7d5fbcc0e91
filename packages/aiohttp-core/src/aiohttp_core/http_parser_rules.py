"""Rules the two HTTP/1.x parser twins share: limits, targets, refused lines.

The pure-Python parser (``http_parser``) and its compiled twin
(``_http_parser``) both call these functions, so that they agree here by
construction.  None of them is on a hot path of the compiled twin: it scans
with C code and only comes here to check its limits once, to turn a request
target that is not in origin-form into a URL, or to name the precise fault of
a start line or field line that its scan refused.
"""

from __future__ import annotations

import sys
from typing import Final, NoReturn

from yarl import URL

from . import http_grammar as g
from .http_exceptions import (
    BadHttpMessage,
    BadHttpMethod,
    BadStatusLine,
    HttpVersionNotSupported,
    InvalidHeader,
    InvalidURLError,
)
from .http_messages import HttpVersion, HttpVersion10, HttpVersion11

__all__ = (
    "build_url",
    "check_limits",
    "check_version",
    "parse_version",
    "raise_field_error",
    "raise_request_line_error",
    "raise_status_line_error",
)

_VERSIONS: Final = {(b"1", b"0"): HttpVersion10, (b"1", b"1"): HttpVersion11}


def check_limits(**limits: int) -> None:
    """Refuse a limit that is not a whole number from 0 to ``sys.maxsize``."""
    for name, value in limits.items():
        if not isinstance(value, int):
            raise TypeError(f"{name} must be an int, got {type(value).__name__}")
        if not 0 <= value <= sys.maxsize:
            raise ValueError(f"{name} must be from 0 to {sys.maxsize}, got {value}")


def parse_version(major: bytes, minor: bytes) -> HttpVersion:
    """The version of ``HTTP/major.minor``, or ``HttpVersionNotSupported``."""
    version = _VERSIONS.get((major, minor))
    if version is None:
        raise HttpVersionNotSupported(
            f"HTTP version {major.decode()}.{minor.decode()} is not supported"
        )
    return version


def check_version(text: bytes) -> HttpVersion:
    """Parse an HTTP-version, raising ``BadStatusLine`` when it is malformed."""
    match = g.HTTP_VERSION_RE.fullmatch(text)
    if match is None:
        raise BadStatusLine(text, f"Invalid HTTP version {text[:20]!r}")
    return parse_version(match.group(1), match.group(2))


def build_url(method: str, path: str, target: bytes) -> URL:
    """The URL of a request target, in the form the method allows."""
    try:
        if method == "CONNECT":
            if g.AUTHORITY_FORM_RE.fullmatch(target) is None:
                raise InvalidURLError(f"CONNECT needs host:port, got {path!r}")
            return _port_checked(URL.build(authority=path, encoded=True))
        if target[:1] == b"/":
            rest, _, fragment = path.partition("#")
            route, _, query = rest.partition("?")
            return URL.build(
                path=route, query_string=query, fragment=fragment, encoded=True
            )
        if path == g.ASTERISK_FORM and method == "OPTIONS":
            return URL(path, encoded=True)
        if g.ABSOLUTE_FORM_RE.match(target) is not None:
            url = URL(path, encoded=True)
            if url.absolute:
                return _port_checked(url)
    except ValueError as exc:
        raise InvalidURLError(f"Invalid request target {path[:50]!r}") from exc
    raise InvalidURLError(f"Invalid request target {path[:50]!r}")


def _port_checked(url: URL) -> URL:
    # yarl validates the port lazily: make a bad one fail here, as a 400,
    # rather than later in a handler.
    _ = url.port
    return url


def raise_request_line_error(line: bytes) -> NoReturn:
    """Raise the precise error for a request line the grammar refused."""
    method, sp, rest = line.partition(b" ")
    if g.TOKEN_RE.fullmatch(method) is None:
        raise BadHttpMethod(line)
    parts = rest.split(b" ")
    if not sp or len(parts) != 2:
        raise BadStatusLine(line)
    if b"\r" in line:
        raise BadHttpMessage("Bare CR in the request line")
    if g.REQUEST_TARGET_RE.fullmatch(parts[0]) is None:
        raise BadStatusLine(line, f"Invalid request target {parts[0][:50]!r}")
    check_version(parts[1])
    raise BadStatusLine(line)


def raise_status_line_error(line: bytes) -> NoReturn:
    """Raise the precise error for a status line the grammar refused."""
    version, sp, rest = line.partition(b" ")
    if not version.startswith(g.HTTP_NAME_SLASH):
        raise BadStatusLine(line)
    check_version(version)
    code, _, reason = rest.partition(b" ")
    if not sp or g.STATUS_CODE_RE.fullmatch(code) is None:
        raise BadStatusLine(line, f"Invalid status code {code[:20]!r}")
    if b"\r" in reason:
        raise BadHttpMessage("Bare CR in the status line")
    raise BadStatusLine(line, f"Invalid reason phrase {reason[:50]!r}")


def raise_field_error(fields: bytes) -> NoReturn:
    """Find the first bad line of a field block and raise its precise error."""
    for line in fields.split(b"\r\n")[:-1]:
        if line[:1] in (b" ", b"\t"):
            raise BadHttpMessage("Obsolete line folding (obs-fold) is not accepted")
        if b"\r" in line:
            raise BadHttpMessage("Bare CR in a field line")
        name, colon, value = line.partition(b":")
        if not colon or not name:
            raise InvalidHeader(line)
        if g.TOKEN_RE.fullmatch(name) is None:
            raise InvalidHeader(name)
        if g.FIELD_VALUE_OWS_RE.fullmatch(value) is None:
            raise InvalidHeader(name)
    raise BadHttpMessage("Invalid field block")
