"""The default access logger: one line per response, in a configurable format.

The format is compiled once into a list of literal pieces and field getters
(see the logging docs for the ``%`` specifiers), so logging a response is a
join over that list.  The record also carries every field by name in
``extra``, for structured log handlers.
"""

from __future__ import annotations

import datetime
import logging
import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Final, NamedTuple

from .abc import AbstractAccessLogger

if TYPE_CHECKING:
    from .request import BaseRequest
    from .response import StreamResponse

__all__ = ("AccessLogger",)

# What one specifier produces: the text for the line and its name in extra.
_Getter = Callable[["BaseRequest", "StreamResponse", float], str]

# %% | %{Name}i | %{Name}o | %Tf | one letter of the table in the logging docs.
_SPECIFIER_RE: Final = re.compile(r"%(%|\{([A-Za-z0-9\-_]+)\}([io])|Tf|[atPrsbTD])")


class _Field(NamedTuple):
    """One specifier of the format: its key in ``extra`` and how to get it."""

    key: str
    getter: _Getter
    header: str | None  # header name for %{...}i / %{...}o


def _remote(request: BaseRequest, response: StreamResponse, time_: float) -> str:
    return request.remote or "-"


def _start_time(request: BaseRequest, response: StreamResponse, time_: float) -> str:
    now = datetime.datetime.now(datetime.timezone.utc).astimezone()
    start = now - datetime.timedelta(seconds=time_)
    return start.strftime("[%d/%b/%Y:%H:%M:%S %z]")


def _pid(request: BaseRequest, response: StreamResponse, time_: float) -> str:
    return str(os.getpid())


def _first_line(request: BaseRequest, response: StreamResponse, time_: float) -> str:
    version = request.version
    # The raw target: decoding it could put control characters in the log.
    return f"{request.method} {request.raw_path} HTTP/{version.major}.{version.minor}"


def _status(request: BaseRequest, response: StreamResponse, time_: float) -> str:
    return str(response.status)


def _size(request: BaseRequest, response: StreamResponse, time_: float) -> str:
    return str(response.body_length)


def _seconds(request: BaseRequest, response: StreamResponse, time_: float) -> str:
    return str(round(time_))


def _seconds_frac(request: BaseRequest, response: StreamResponse, time_: float) -> str:
    return f"{time_:.6f}"


def _micros(request: BaseRequest, response: StreamResponse, time_: float) -> str:
    return str(round(time_ * 1_000_000))


def _request_header(name: str) -> _Getter:
    def get(request: BaseRequest, response: StreamResponse, time_: float) -> str:
        return request.headers.get(name, "-")

    return get


def _response_header(name: str) -> _Getter:
    def get(request: BaseRequest, response: StreamResponse, time_: float) -> str:
        return response.headers.get(name, "-")

    return get


_SIMPLE: Final[dict[str, tuple[str, _Getter]]] = {
    "a": ("remote_address", _remote),
    "t": ("request_start_time", _start_time),
    "P": ("process_id", _pid),
    "r": ("first_request_line", _first_line),
    "s": ("response_status", _status),
    "b": ("response_size", _size),
    "T": ("request_time", _seconds),
    "Tf": ("request_time_frac", _seconds_frac),
    "D": ("request_time_micro", _micros),
}


def _compile(log_format: str) -> list[str | _Field]:
    """Split a format into literal text and fields, in order."""
    parts: list[str | _Field] = []
    pos = 0
    for match in _SPECIFIER_RE.finditer(log_format):
        literal = log_format[pos : match.start()]
        pos = match.end()
        spec = match[1]
        if spec == "%":
            parts.append(literal + "%")
            continue
        if literal:
            parts.append(literal)
        if match[2] is not None:
            name = match[2]
            if match[3] == "i":
                parts.append(_Field("request_header", _request_header(name), name))
            else:
                parts.append(_Field("response_header", _response_header(name), name))
        else:
            key, getter = _SIMPLE[spec]
            parts.append(_Field(key, getter, None))
    if pos < len(log_format):
        parts.append(log_format[pos:])
    return parts


class AccessLogger(AbstractAccessLogger):
    """Logs one line per response to ``logger`` at INFO, in ``log_format``."""

    __slots__ = ("_parts",)

    LOG_FORMAT: ClassVar[str] = '%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"'
    # Compiled formats, shared: a server builds one logger per connection.
    _FORMAT_CACHE: ClassVar[dict[str, list[str | _Field]]] = {}

    def __init__(self, logger: logging.Logger, log_format: str = LOG_FORMAT) -> None:
        super().__init__(logger, log_format)
        parts = self._FORMAT_CACHE.get(log_format)
        if parts is None:
            parts = _compile(log_format)
            if len(self._FORMAT_CACHE) < 64:
                self._FORMAT_CACHE[log_format] = parts
        self._parts = parts

    @property
    def enabled(self) -> bool:
        """False when the logger would drop the record, so work can be skipped."""
        return self.logger.isEnabledFor(logging.INFO)

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        """Log the line for one response."""
        if not self.enabled:
            return
        try:
            texts: list[str] = []
            extra: dict[str, Any] = {}
            for part in self._parts:
                if isinstance(part, str):
                    texts.append(part)
                    continue
                value = part.getter(request, response, time)
                texts.append(value)
                if part.header is None:
                    extra[part.key] = value
                else:
                    extra.setdefault(part.key, {})[part.header] = value
            self.logger.info("".join(texts), extra=extra)
        except Exception:
            self.logger.exception("Error in logging")
