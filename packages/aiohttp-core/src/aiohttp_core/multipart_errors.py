"""Errors and warnings for multipart bodies that break RFC 2046 or a limit.

Every error about a body received from the peer derives from
``BadHttpMessage`` (so a server answers it with its ``code``) and, as aiohttp
raised plain ``ValueError`` for these, ``MultipartError`` is also a
``ValueError``.  Header block faults reuse the HTTP parser's errors
(``LineTooLong``, ``TooManyHeaders``, ``InvalidHeader``); a part body that
does not match its Content-Length raises ``ContentLengthError`` and one that
inflates past the cap ``DecompressSizeError``.
"""

from __future__ import annotations

from .http_exceptions import BadHttpMessage, PayloadEncodingError

__all__ = (
    "BadBoundary",
    "BadContentDispositionHeader",
    "BadContentDispositionParam",
    "BadTransferEncoding",
    "MultipartError",
    "NestingTooDeep",
    "TooManyParts",
    "UnterminatedMultipart",
)


class MultipartError(BadHttpMessage, ValueError):
    """A multipart body is malformed."""


class BadBoundary(MultipartError):
    """The boundary parameter is missing or invalid, or a delimiter is malformed."""


class UnterminatedMultipart(MultipartError):
    """The body ended before the closing delimiter."""


class TooManyParts(MultipartError):
    """The body holds more parts than ``max_parts``."""

    code = 413


class NestingTooDeep(MultipartError):
    """Multipart bodies are nested deeper than ``max_nesting``."""


class BadTransferEncoding(MultipartError, PayloadEncodingError):
    """A part's base64 or quoted-printable data is invalid or truncated."""


class BadContentDispositionHeader(RuntimeWarning):
    """A part's Content-Disposition header could not be parsed."""


class BadContentDispositionParam(RuntimeWarning):
    """A Content-Disposition parameter could not be parsed."""
