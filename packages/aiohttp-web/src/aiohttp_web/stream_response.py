"""``StreamResponse``: a response whose head is sent first, then its body.

A response is a small state machine: status, headers and cookies may change
until ``prepare`` sends the head; then only body writes are allowed, until
``write_eof``.  ``prepare`` decides the framing from what the handler set:
a Content-Length, chunked coding (HTTP/1.1), or a body that ends with the
connection (HTTP/1.0); responses that carry no body (HEAD, 1xx, 204, 304)
send no body bytes whatever the handler writes.
"""

from __future__ import annotations

import datetime
import math
import sys
import time
from collections.abc import Iterator, MutableMapping
from http import HTTPStatus
from http.cookies import Morsel, SimpleCookie
from typing import TYPE_CHECKING, Any, Final

from multidict import CIMultiDict

from aiohttp_core import __version__, hdrs
from aiohttp_core.abc import AbstractStreamWriter
from aiohttp_core.etag import ETAG_ANY, ETag, format_etag, parse_etag
from aiohttp_core.helpers import (
    http_date,
    must_be_empty_body,
    parse_http_date,
    should_remove_content_length,
)
from aiohttp_core.http_messages import HttpVersion, HttpVersion10, HttpVersion11
from aiohttp_core.http_writer import StreamWriter
from aiohttp_core.mimetype import parse_content_type
from aiohttp_core.typedefs import LooseHeaders

from .content_coding import ContentCoding, choose_coding

if TYPE_CHECKING:
    import asyncio

    from .request import BaseRequest

__all__ = ("SERVER_SOFTWARE", "StreamResponse")

SERVER_SOFTWARE: Final = (
    f"Python/{sys.version_info[0]}.{sys.version_info[1]} aiohttp/{__version__}"
)

# CR, LF and NUL would split or end a header line (response splitting).
_FORBIDDEN: Final = frozenset("\r\n\x00")
_COOKIE_EPOCH: Final = "Thu, 01 Jan 1970 00:00:00 GMT"
_OCTET_STREAM: Final = "application/octet-stream"
_TOKEN_CHARS: Final = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)

# The Date header changes once a second; formatting it per response is waste.
_date_second = 0
_date_value = ""


def _now_http_date() -> str:
    global _date_second, _date_value
    now = int(time.time())
    if _date_second != now:
        _date_value = http_date(now)
        _date_second = now
    return _date_value


def _check_text(what: str, value: str) -> str:
    if not _FORBIDDEN.isdisjoint(value):
        raise ValueError(f"{what} must not contain CR, LF or NUL: {value!r}")
    return value


# Looked up per response: a dict is far cheaper than ``HTTPStatus(status)``.
_REASONS: Final = {status.value: status.phrase for status in HTTPStatus}


def _reason_for(status: int) -> str:
    return _REASONS.get(status, "")


def _format_param(name: str, value: str) -> str:
    if value and _TOKEN_CHARS.issuperset(value):
        return f"{name}={value}"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{name}="{escaped}"'


class StreamResponse(MutableMapping[Any, Any]):
    """A response whose body the handler writes piece by piece after ``prepare``."""

    def __init__(
        self,
        *,
        status: int = 200,
        reason: str | None = None,
        headers: LooseHeaders | None = None,
    ) -> None:
        self._keep_alive: bool | None = None
        self._chunked = False
        self._compression = False
        self._compression_strategy: int | None = None
        self._compression_force: ContentCoding | None = None
        # Made on first use: most responses set no cookie, and an empty
        # SimpleCookie per response is measurable on the hot path.
        self._cookies: SimpleCookie | None = None
        self._partitioned: set[str] | None = None
        self._req: BaseRequest | None = None
        self._payload_writer: AbstractStreamWriter | None = None
        self._eof_sent = False
        self._must_be_empty_body: bool | None = None
        self._body_length = 0
        self._state: dict[Any, Any] = {}
        self._headers: CIMultiDict[str] = (
            CIMultiDict(headers) if headers is not None else CIMultiDict()
        )
        self._status = 200
        self._reason = ""
        self.set_status(status, reason)

    # -- state ------------------------------------------------------------------

    @property
    def prepared(self) -> bool:
        """True once ``prepare`` sent the head."""
        return self._eof_sent or self._payload_writer is not None

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The task serving the request this response answers."""
        return None if self._req is None else self._req.task

    @property
    def status(self) -> int:
        """The HTTP status code."""
        return self._status

    @property
    def reason(self) -> str:
        """The reason phrase."""
        return self._reason

    def set_status(self, status: int, reason: str | None = None) -> None:
        """Set the status and the reason (derived from the status if None)."""
        if self.prepared:
            raise RuntimeError(
                "Cannot change the response status code after the headers "
                "have been sent"
            )
        status = int(status)
        if not 100 <= status <= 999:
            raise ValueError(f"Invalid HTTP status code {status}: not 100..999")
        self._status = status
        self._reason = (
            _reason_for(status) if reason is None else _check_text("reason", reason)
        )

    @property
    def keep_alive(self) -> bool | None:
        """Whether the connection stays open after this response."""
        return self._keep_alive

    def force_close(self) -> None:
        """Close the connection after this response."""
        self._keep_alive = False

    @property
    def body_length(self) -> int:
        """Bytes sent for this response, head included (after ``write_eof``)."""
        return self._body_length

    @property
    def headers(self) -> CIMultiDict[str]:
        """The outgoing header fields."""
        return self._headers

    @property
    def cookies(self) -> SimpleCookie:
        """The outgoing cookies."""
        if self._cookies is None:
            self._cookies = SimpleCookie()
        return self._cookies

    @property
    def chunked(self) -> bool:
        """True when chunked transfer coding was asked for."""
        return self._chunked

    def enable_chunked_encoding(self) -> None:
        """Send the body with chunked transfer coding (HTTP/1.1 only)."""
        if hdrs.CONTENT_LENGTH in self._headers:
            raise RuntimeError(
                "You can't enable chunked encoding when a content length is set"
            )
        self._chunked = True

    @property
    def compression(self) -> bool:
        """True when compression was asked for."""
        return self._compression

    def enable_compression(
        self,
        force: ContentCoding | str | bool | None = None,
        strategy: int | None = None,
    ) -> None:
        """Compress the body, as Accept-Encoding allows or with ``force``."""
        if isinstance(force, bool):
            force = ContentCoding.deflate if force else ContentCoding.identity
        elif isinstance(force, str):
            force = ContentCoding(force)
        self._compression = True
        self._compression_force = force
        self._compression_strategy = strategy

    # -- cookies ----------------------------------------------------------------

    def set_cookie(
        self,
        name: str,
        value: str,
        *,
        path: str = "/",
        expires: str | None = None,
        domain: str | None = None,
        max_age: int | str | None = None,
        secure: bool | None = None,
        httponly: bool | None = None,
        samesite: str | None = None,
        partitioned: bool | None = None,
    ) -> None:
        """Set an outgoing cookie with its attributes."""
        # Each call defines the whole cookie: nothing of an earlier one (say
        # the Max-Age=0 of a deletion) may survive.
        cookies = self.cookies
        if self._partitioned is None:
            self._partitioned = set()
        cookies.pop(name, None)
        self._partitioned.discard(name)
        cookies[name] = str(value)
        morsel: Morsel[str] = cookies[name]
        attributes: dict[str, Any] = {
            "expires": expires,
            "domain": domain,
            "max-age": max_age,
            "path": path,
            "secure": secure,
            "httponly": httponly,
            "samesite": samesite,
        }
        for key, attr in attributes.items():
            if attr is None:
                continue
            if isinstance(attr, str):
                _check_text(f"cookie {key}", attr)
            morsel[key] = attr
        if partitioned:
            # Written by hand: http.cookies knows Partitioned from 3.14 only.
            self._partitioned.add(name)

    def del_cookie(
        self, name: str, *, path: str = "/", domain: str | None = None
    ) -> None:
        """Ask the client to delete a cookie."""
        self.set_cookie(
            name, "", max_age=0, expires=_COOKIE_EPOCH, path=path, domain=domain
        )

    # -- typed header fields ------------------------------------------------------

    @property
    def content_length(self) -> int | None:
        """The Content-Length to send, None if unset."""
        value = self._headers.get(hdrs.CONTENT_LENGTH)
        return None if value is None else int(value)

    @content_length.setter
    def content_length(self, value: int | None) -> None:
        if value is None:
            self._headers.pop(hdrs.CONTENT_LENGTH, None)
            return
        value = int(value)
        if value < 0:
            raise ValueError(f"Content-Length must not be negative, got {value}")
        if self._chunked:
            raise RuntimeError(
                "You can't set content length when chunked encoding is enable"
            )
        self._headers[hdrs.CONTENT_LENGTH] = str(value)

    def _content_type_parts(self) -> tuple[str, dict[str, str]]:
        return parse_content_type(self._headers.get(hdrs.CONTENT_TYPE))

    def _set_content_type(self, ctype: str, params: dict[str, str]) -> None:
        parts = [ctype]
        parts.extend(_format_param(k, v) for k, v in params.items())
        self._headers[hdrs.CONTENT_TYPE] = _check_text("content_type", "; ".join(parts))

    @property
    def content_type(self) -> str:
        """The media type of Content-Type (``application/octet-stream`` if unset)."""
        return self._content_type_parts()[0]

    @content_type.setter
    def content_type(self, value: str) -> None:
        _, params = self._content_type_parts()
        self._set_content_type(str(value), params)

    @property
    def charset(self) -> str | None:
        """The ``charset`` parameter of Content-Type."""
        return self._content_type_parts()[1].get("charset")

    @charset.setter
    def charset(self, value: str | None) -> None:
        ctype, params = self._content_type_parts()
        if ctype == _OCTET_STREAM:
            raise RuntimeError(
                "Setting charset for application/octet-stream "
                "doesn't make sense, setup content_type first"
            )
        if value is None:
            params.pop("charset", None)
        else:
            params["charset"] = str(value).lower()
        self._set_content_type(ctype, params)

    @property
    def last_modified(self) -> datetime.datetime | None:
        """The Last-Modified date, None if unset or not a date."""
        return parse_http_date(self._headers.get(hdrs.LAST_MODIFIED))

    @last_modified.setter
    def last_modified(
        self, value: int | float | datetime.datetime | str | None
    ) -> None:
        if value is None:
            self._headers.pop(hdrs.LAST_MODIFIED, None)
        elif isinstance(value, (int, float)):
            # A date has whole seconds: round up, so that a file modified
            # within the second is not reported older than it is.
            self._headers[hdrs.LAST_MODIFIED] = http_date(math.ceil(value))
        elif isinstance(value, datetime.datetime):
            self._headers[hdrs.LAST_MODIFIED] = http_date(value)
        elif isinstance(value, str):
            self._headers[hdrs.LAST_MODIFIED] = _check_text("last_modified", value)
        else:
            raise TypeError(f"Unsupported type for last_modified: {type(value)!r}")

    @property
    def etag(self) -> ETag | None:
        """The ETag, None if unset or malformed."""
        value = self._headers.get(hdrs.ETAG)
        if value is None:
            return None
        if value.strip(" \t") == ETAG_ANY:
            return ETag(ETAG_ANY)
        return parse_etag(value)

    @etag.setter
    def etag(self, value: ETag | str | None) -> None:
        if value is None:
            self._headers.pop(hdrs.ETAG, None)
        elif isinstance(value, (str, ETag)):
            self._headers[hdrs.ETAG] = format_etag(value)
        else:
            raise ValueError(f"Unsupported etag type: {type(value)!r}")

    # -- dict-like storage ----------------------------------------------------------

    def __getitem__(self, key: Any) -> Any:
        return self._state[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._state[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._state[key]

    def __len__(self) -> int:
        return len(self._state)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._state)

    # A response is a mapping, but an empty one is still a response.
    def __bool__(self) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        if self._eof_sent:
            info = "eof"
        elif self.prepared and self._req is not None:
            info = f"{self._req.method} {self._req.path} "
        else:
            info = "not prepared"
        return f"<{self.__class__.__name__} {self._reason} {info}>"

    # -- sending ----------------------------------------------------------------

    async def prepare(self, request: BaseRequest) -> AbstractStreamWriter | None:
        """Send the head (after ``on_response_prepare``); return the writer."""
        if self._eof_sent:
            return None
        if self._payload_writer is not None:
            return self._payload_writer
        self._must_be_empty_body = must_be_empty_body(request.method, self._status)
        return await self._start(request)

    async def _start(self, request: BaseRequest) -> AbstractStreamWriter:
        self._req = request
        await request._prepare_hook(self)
        writer = request._payload_writer
        await self._prepare_headers(request, writer)
        await self._write_headers(request, writer)
        # Set last: a head that failed to serialize leaves the response
        # unprepared, so the server can still answer with an error.
        self._payload_writer = writer
        return writer

    def _start_now(self, request: BaseRequest) -> bool:
        """Do what ``prepare`` does without awaiting, if nothing needs to await.

        That is when no ``on_response_prepare`` receiver, no compression and
        no ``on_headers_sent`` callback is involved: the common case, where
        the chain of coroutines of ``prepare`` would cost more than the
        work.  False (and nothing done) otherwise.  Only for classes that
        keep ``StreamResponse``'s way of preparing.
        """
        writer = request._payload_writer
        if (
            self._compression
            or self._payload_writer is not None
            or self._eof_sent
            or writer.__class__ is not StreamWriter
            or writer.reports_headers
            or request._prepare_awaits()
        ):
            return False
        self._must_be_empty_body = must_be_empty_body(request.method, self._status)
        self._req = request
        self._complete_headers_now(request, writer)
        writer.buffer_headers(self._status_line(request.version), self._headers)
        self._payload_writer = writer
        return True

    def _decide_keep_alive(self, request: BaseRequest) -> bool:
        keep_alive = self._keep_alive
        if keep_alive is None:
            keep_alive = request.keep_alive
        connection = self._headers.get(hdrs.CONNECTION)
        if connection is not None and connection.strip(" \t").lower() == "close":
            keep_alive = False
        if keep_alive:
            protocol = request.protocol
            # The protocol knows what the connection can still carry (a
            # refused upgrade, a body too large to skip, a shutdown).
            can_keep = getattr(protocol, "can_keep_alive", None)
            if can_keep is not None and not can_keep(request, self._status):
                keep_alive = False
        return keep_alive

    async def _prepare_headers(
        self, request: BaseRequest, writer: AbstractStreamWriter
    ) -> None:
        if self._compression and not self._must_be_empty_body:
            await self._start_compression(request, writer)
        self._complete_headers(request, writer)

    def _complete_headers_now(
        self, request: BaseRequest, writer: AbstractStreamWriter
    ) -> None:
        """What ``_prepare_headers`` does when no compression is involved."""
        self._complete_headers(request, writer)

    def _complete_headers(
        self, request: BaseRequest, writer: AbstractStreamWriter
    ) -> None:
        """Fill in the framing, Date, Server, Connection and cookie fields."""
        headers = self._headers
        version = request.version
        keep_alive = self._decide_keep_alive(request)
        if self._cookies:
            self._add_cookie_fields(self._cookies)
        empty_body = bool(self._must_be_empty_body)
        if empty_body:
            no_body = getattr(writer, "set_no_body", None)
            if no_body is not None:
                no_body()
            if should_remove_content_length(request.method, self._status):
                headers.pop(hdrs.CONTENT_LENGTH, None)
            if request.method != hdrs.METH_HEAD or self._status < 200:
                headers.pop(hdrs.TRANSFER_ENCODING, None)
        elif self._chunked:
            if version != HttpVersion11:
                raise RuntimeError(
                    "Using chunked encoding is forbidden for "
                    f"HTTP/{version.major}.{version.minor}"
                )
            headers.pop(hdrs.CONTENT_LENGTH, None)
            headers[hdrs.TRANSFER_ENCODING] = "chunked"
        elif (
            hdrs.CONTENT_LENGTH not in headers and hdrs.TRANSFER_ENCODING not in headers
        ):
            if version == HttpVersion11:
                headers[hdrs.TRANSFER_ENCODING] = "chunked"
            else:
                # HTTP/1.0 without a length: the body ends with the connection.
                keep_alive = False
        self._keep_alive = keep_alive
        if self._status >= 200 and self._status not in (204, 304):
            headers.setdefault(hdrs.CONTENT_TYPE, _OCTET_STREAM)
        headers.setdefault(hdrs.DATE, _now_http_date())
        headers.setdefault(hdrs.SERVER, SERVER_SOFTWARE)
        if hdrs.CONNECTION not in headers:
            if keep_alive:
                if version == HttpVersion10:
                    headers[hdrs.CONNECTION] = "keep-alive"
            elif version == HttpVersion11:
                headers[hdrs.CONNECTION] = "close"

    def _add_cookie_fields(self, cookies: SimpleCookie) -> None:
        partitioned = self._partitioned or ()
        for name, morsel in cookies.items():
            value = morsel.OutputString()
            if name in partitioned:
                value += "; Partitioned"
            self._headers.add(hdrs.SET_COOKIE, value)

    async def _start_compression(
        self, request: BaseRequest, writer: AbstractStreamWriter
    ) -> None:
        coding = self._negotiate_coding(request)
        if coding is None:
            return
        self._headers[hdrs.CONTENT_ENCODING] = coding.value
        self._headers.pop(hdrs.CONTENT_LENGTH, None)
        writer.enable_compression(coding.value, self._compression_strategy)

    def _negotiate_coding(self, request: BaseRequest) -> ContentCoding | None:
        """The coding to apply, None for none (already encoded, or refused)."""
        if hdrs.CONTENT_ENCODING in self._headers:
            return None
        coding = self._compression_force
        if coding is None:
            self._headers.add(hdrs.VARY, hdrs.ACCEPT_ENCODING)
            coding = choose_coding(request.headers.get(hdrs.ACCEPT_ENCODING, ""))
        if coding is None or coding is ContentCoding.identity:
            return None
        return coding

    def _status_line(self, version: HttpVersion) -> str:
        return f"HTTP/{version.major}.{version.minor} {self._status} {self._reason}"

    async def _write_headers(
        self, request: BaseRequest, writer: AbstractStreamWriter
    ) -> None:
        await writer.write_headers(self._status_line(request.version), self._headers)

    async def write(self, data: bytes | bytearray | memoryview) -> None:
        """Send a piece of the body (after ``prepare``)."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be byte-ish ({type(data)!r})")
        if self._eof_sent:
            raise RuntimeError("Cannot call write() after write_eof()")
        if self._payload_writer is None:
            raise RuntimeError("Cannot call write() before prepare()")
        await self._payload_writer.write(data)

    async def drain(self) -> None:
        """Wait until the connection accepts more data."""
        if self._payload_writer is None:
            raise RuntimeError("Response has not been started")
        await self._payload_writer.drain()

    async def write_eof(self, data: bytes = b"") -> None:
        """End the body, with ``data`` as its last piece."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be byte-ish ({type(data)!r})")
        if self._eof_sent:
            return
        writer = self._payload_writer
        if writer is None:
            raise RuntimeError("Response has not been started")
        await writer.write_eof(data)
        self._eof_sent = True
        self._body_length = writer.output_size

    async def _end_with(self, body: bytes) -> None:
        """``write_eof(body)`` for subclasses, without its checks and awaits."""
        writer = self._payload_writer
        if writer is None:
            raise RuntimeError("Response has not been started")
        await writer.write_eof(body)
        self._eof_sent = True
        self._body_length = writer.output_size
