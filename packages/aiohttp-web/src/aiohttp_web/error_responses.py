"""The responses the server makes up itself: for errors and ``HTTPException``."""

from __future__ import annotations

import traceback
from http import HTTPStatus

from multidict import CIMultiDict

from aiohttp_core import hdrs
from aiohttp_core.http_exceptions import HttpProcessingError

from .exceptions import HTTPException
from .response import Response
from .stream_response import SERVER_SOFTWARE, _now_http_date

__all__ = ("bad_request_answer", "error_response", "response_of")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def error_response(status: int, exc: BaseException | None, *, debug: bool) -> Response:
    """A plain-text error page; a 5xx shows the traceback in debug mode only."""
    reason = _reason(status)
    if status >= 500 and debug and exc is not None:
        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        text = f"{status} {reason}\n\n{trace}"
    elif status >= 500:
        text = f"{status} {reason}\n\nServer got itself in trouble"
    else:
        detail = getattr(exc, "message", "") or ""
        text = f"{status} {reason}\n\n{detail}".rstrip() + "\n"
    response = Response(status=status, text=text)
    response.force_close()
    return response


def response_of(exc: HTTPException) -> Response:
    """The response an ``HTTPException`` raised by a handler stands for."""
    response = Response(
        status=exc.status,
        reason=exc.reason,
        text=exc.text,
        headers=exc.headers,
    )
    for name, morsel in exc.cookies.items():
        response.cookies[name] = morsel
    return response


def bad_request_answer(exc: Exception) -> tuple[str, CIMultiDict[str], bytes]:
    """Status line, headers and body answering a request that did not parse.

    The status is the error's ``code``; anything but a parse error is ours,
    a 500.  The head says the connection closes, since it does.
    """
    if isinstance(exc, HttpProcessingError):
        status = exc.code or 400
        detail = exc.message
    else:
        status = 500
        detail = "Server got itself in trouble"
    reason = _reason(status)
    body = f"{status} {reason}\n\n{detail}\n".encode("utf-8", "backslashreplace")
    headers: CIMultiDict[str] = CIMultiDict()
    extra = getattr(exc, "headers", None)
    if extra:
        headers.extend(extra)
    headers[hdrs.CONTENT_TYPE] = "text/plain; charset=utf-8"
    headers[hdrs.CONTENT_LENGTH] = str(len(body))
    headers[hdrs.CONNECTION] = "close"
    headers.setdefault(hdrs.DATE, _now_http_date())
    headers.setdefault(hdrs.SERVER, SERVER_SOFTWARE)
    return f"HTTP/1.1 {status} {reason}", headers, body
