"""Errors found in HTTP/1.x messages, each carrying the status a server answers.

Every error raised for bad input from the peer derives from
``HttpProcessingError``; ``code`` is the HTTP status a server should send
back (400 unless a more precise one applies), ``message`` says what was wrong.
A parser error also carries ``events``: what the failing feed completed before
the fault, to be handled before the error itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from multidict import CIMultiDict, CIMultiDictProxy

if TYPE_CHECKING:
    from .http_messages import ParserEvent

__all__ = (
    "BadHttpMessage",
    "BadHttpMethod",
    "BadStatusLine",
    "ContentEncodingError",
    "ContentLengthError",
    "DecompressSizeError",
    "HttpBadRequest",
    "HttpProcessingError",
    "HttpVersionNotSupported",
    "InvalidHeader",
    "InvalidURLError",
    "LineTooLong",
    "PayloadEncodingError",
    "TooManyHeaders",
    "TransferEncodingError",
    "UnsupportedTransferCoding",
)


class HttpProcessingError(Exception):
    """Base of the HTTP message errors; ``code`` is the status to answer with."""

    code = 0
    message = ""
    headers: CIMultiDictProxy[str] | CIMultiDict[str] | None = None
    #: The events the failing ``feed_data`` call completed before the error,
    #: in order (set by the parsers; empty otherwise).  They are as valid as
    #: those of a call that succeeds: handle them first, then the error.
    events: tuple[ParserEvent, ...] = ()

    def __init__(
        self,
        *,
        code: int | None = None,
        message: str = "",
        headers: CIMultiDictProxy[str] | CIMultiDict[str] | None = None,
    ) -> None:
        if code is not None:
            self.code = code
        self.headers = headers
        self.message = message

    def __str__(self) -> str:
        msg = self.message.replace("\n", " ")
        return f"{self.code}, message: {msg!r}"

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}: {self.code}, message={self.message!r}>"


class BadHttpMessage(HttpProcessingError):
    """The message breaks the HTTP/1.1 grammar or framing rules."""

    code = 400
    message = "Bad Request"

    def __init__(
        self,
        message: str,
        *,
        headers: CIMultiDictProxy[str] | CIMultiDict[str] | None = None,
    ) -> None:
        super().__init__(message=message, headers=headers)
        self.args = (message,)


class HttpBadRequest(BadHttpMessage):
    """A request the server refuses as malformed."""

    code = 400
    message = "Bad Request"


class PayloadEncodingError(BadHttpMessage):
    """The body's encoding is broken."""


class ContentEncodingError(PayloadEncodingError):
    """The body cannot be decoded with its Content-Encoding."""


class DecompressSizeError(ContentEncodingError):
    """The decompressed body grew past the configured cap."""

    code = 413


class TransferEncodingError(PayloadEncodingError):
    """The chunked transfer coding is malformed."""


class ContentLengthError(PayloadEncodingError):
    """The body is shorter or longer than its Content-Length, or it is invalid."""


class UnsupportedTransferCoding(BadHttpMessage):
    """A request uses a transfer coding the server does not implement."""

    code = 501


class HttpVersionNotSupported(BadHttpMessage):
    """The message uses an HTTP version other than 1.0 and 1.1."""

    code = 505


class LineTooLong(BadHttpMessage):
    """A start line, header field or chunk line is longer than its limit."""

    code = 431

    def __init__(
        self,
        line: str | bytes,
        limit: int | str = "Unknown",
        actual_size: str = "Unknown",
    ) -> None:
        if isinstance(line, bytes):
            line = line[:100].decode("ascii", "backslashreplace")
        super().__init__(
            f"Got more than {limit} bytes ({actual_size}) when reading {line}."
        )
        self.args = (line, limit, actual_size)


class TooManyHeaders(BadHttpMessage):
    """The header (or trailer) block has more fields than allowed."""

    code = 431


class InvalidHeader(BadHttpMessage):
    """A header field is malformed or not allowed here."""

    def __init__(self, hdr: bytes | str) -> None:
        hdr_s = (
            hdr.decode("ascii", "backslashreplace") if isinstance(hdr, bytes) else hdr
        )
        super().__init__(f"Invalid HTTP header: {hdr_s!r}")
        self.hdr = hdr_s
        self.args = (hdr,)


class BadStatusLine(BadHttpMessage):
    """The request line or status line is malformed."""

    def __init__(self, line: str | bytes = "", error: str | None = None) -> None:
        if isinstance(line, bytes):
            line = line[:100].decode("ascii", "backslashreplace")
        super().__init__(error or f"Bad status line {line!r}")
        self.args = (line,)
        self.line = line


class BadHttpMethod(BadStatusLine):
    """The request method is not a valid token."""

    def __init__(self, line: str | bytes = "", error: str | None = None) -> None:
        super().__init__(line, error or f"Bad HTTP method in status line {line!r}")


class InvalidURLError(BadHttpMessage):
    """The request target cannot be parsed as a URL."""
