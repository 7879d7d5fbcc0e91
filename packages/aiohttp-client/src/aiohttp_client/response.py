"""``ClientResponse``: the status, headers and streamed body of one response.

The connection stays with the response until its body has been received to
the end, then goes back to the pool by itself.  ``release()`` gives it back
early (closing it when the body is not complete, as the server would still be
sending), ``close()`` always closes it.
"""

from __future__ import annotations

import asyncio
import codecs
import re
from collections.abc import Awaitable, Callable, Generator
from http.cookies import CookieError, SimpleCookie
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

from multidict import CIMultiDictProxy, MultiDict, MultiDictProxy
from yarl import URL

from aiohttp_core import hdrs
from aiohttp_core.content_disposition import ContentDisposition
from aiohttp_core.http_exceptions import HttpProcessingError
from aiohttp_core.http_messages import HttpVersion
from aiohttp_core.mimetype import parse_mimetype
from aiohttp_core.streams import ReadTimer, StreamReader
from aiohttp_core.typedefs import DEFAULT_JSON_DECODER, JSONDecoder, RawHeaders

from .exceptions import (
    ClientConnectionError,
    ClientResponseError,
    ContentTypeError,
)
from .request_info import RequestInfo

if TYPE_CHECKING:
    from .connector import Connection
    from .session import ClientSession
    from .tracing import Trace

__all__ = ("ClientResponse",)

# application/json and the +json structured suffix (RFC 6839 3.1).
_JSON_RE: Final = re.compile(r"^application/(?:[\w.+-]+?\+)?json$", re.ASCII)

# RFC 8288 3: Link = #link-value;  link-value = "<" URI-Reference ">" *( OWS ";"
# OWS link-param );  link-param = token BWS [ "=" BWS ( token / quoted-string ) ]
_QUOTED: Final = r'"(?:[^"\\]|\\.)*"'
_LINK_VALUE_RE: Final = re.compile(
    rf"\s*<(?P<url>[^>]*)>(?P<params>(?:\s*;\s*[^;,=\s]+\s*(?:=\s*(?:{_QUOTED}|[^;,]*))?)*)\s*(?:,|$)"
)
_LINK_PARAM_RE: Final = re.compile(
    rf";\s*(?P<name>[^;,=\s]+)\s*(?:=\s*(?P<value>{_QUOTED}|[^;,]*))?"
)
_QUOTED_PAIR_RE: Final = re.compile(r"\\(.)")


def _default_charset(response: ClientResponse, body: bytes) -> str:
    return "utf-8"


class _Released:
    """What ``release()`` returns, so that ``await resp.release()`` also works."""

    __slots__ = ()

    def __await__(self) -> Generator[None, None, None]:
        return
        yield  # pragma: no cover - makes this a generator


_RELEASED: Final = _Released()


class ClientResponse:
    """The answer to one request: status line, headers and body stream."""

    version: HttpVersion | None = None
    status: int = None  # type: ignore[assignment]  # set by start()
    reason: str | None = None
    content: StreamReader = None  # type: ignore[assignment]  # set by start()
    _headers: CIMultiDictProxy[str] | None = None
    _raw_headers: RawHeaders | None = None

    def __init__(
        self,
        method: str,
        url: URL,
        *,
        writer: asyncio.Task[None] | None,
        continue100: asyncio.Future[bool] | None,
        timer: ReadTimer | None,
        request_info: RequestInfo,
        traces: list[Trace],
        loop: asyncio.AbstractEventLoop,
        session: ClientSession | None,
    ) -> None:
        self.method = method
        self._real_url = url
        self._url = url.with_fragment(None) if url.raw_fragment else url
        self._writer = writer
        self._continue = continue100
        self._timer = timer
        self._request_info = request_info
        self._traces = traces
        self._loop = loop
        self._session = session
        self._connection: Connection | None = None
        self._body: bytes | None = None
        self._history: tuple[ClientResponse, ...] = ()
        self._cookies: SimpleCookie | None = None
        self._closed = True  # nothing to close until start()
        self._released = False
        self._resolve_charset: Callable[[ClientResponse, bytes], str] = (
            _default_charset if session is None else session._resolve_charset
        )

    def __repr__(self) -> str:
        return f"<ClientResponse({self._url}) [{self.status} {self.reason}]>"

    # -- reading the head --------------------------------------------------

    async def start(self, connection: Connection) -> ClientResponse:
        """Read the response head from ``connection`` (1xx heads skipped)."""
        self._closed = False
        self._connection = connection
        protocol = connection.protocol
        if protocol is None:
            raise ClientConnectionError("Connection closed")
        try:
            while True:
                message, payload = await protocol.read_head()
                code = message.code
                if code >= 200 or code == 101:
                    break
                waiting = self._continue
                if code == 100 and waiting is not None and not waiting.done():
                    waiting.set_result(True)
        except HttpProcessingError as exc:
            self._raise_writer_error(exc)
            raise ClientResponseError(
                self._request_info,
                self._history,
                status=400,
                message=exc.message,
                headers=exc.headers,
            ) from exc
        except Exception as exc:
            self._raise_writer_error(exc)
            raise
        if self._continue is not None and not self._continue.done():
            # A final answer before "100 Continue": the body is never sent,
            # so the connection is out of step and cannot be reused.
            self._continue.set_result(False)
            protocol.force_close()
        self.version = message.version
        self.status = code
        self.reason = message.reason
        self._headers = message.headers
        self._raw_headers = message.raw_headers
        self.content = payload
        payload.on_eof(self._response_eof)
        return self

    def _raise_writer_error(self, exc: BaseException) -> None:
        writer = self._writer
        if writer is not None and writer.done() and not writer.cancelled():
            error = writer.exception()
            if error is not None:
                raise error from exc

    def _response_eof(self) -> None:
        if self._closed:
            return
        connection = self._connection
        if connection is not None:
            protocol = connection.protocol
            if protocol is not None and protocol.upgraded:
                return  # the connection now belongs to the upgraded protocol
        self._closed = True
        self._release_connection()

    def _release_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        writer = self._writer
        if writer is None or writer.done():
            connection.release()
            return

        # The response is complete but the request body is still being sent:
        # the connection is reusable only once that has finished well.
        def release_after(task: asyncio.Task[None]) -> None:
            if task.cancelled() or task.exception() is not None:
                connection.close()
            else:
                connection.release()

        writer.add_done_callback(release_after)

    # -- attributes ----------------------------------------------------------

    @property
    def url(self) -> URL:
        """The URL requested, without fragment."""
        return self._url

    @property
    def real_url(self) -> URL:
        """The URL requested, fragment included."""
        return self._real_url

    @property
    def host(self) -> str:
        """The host of the URL."""
        return self._url.host or ""

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        """The response's header fields."""
        headers = self._headers
        if headers is None:
            raise RuntimeError("The response has not been started")
        return headers

    @property
    def raw_headers(self) -> RawHeaders:
        """The header fields as the bytes received."""
        return self._raw_headers or ()

    @property
    def request_info(self) -> RequestInfo:
        """The URL, method and headers of the request."""
        return self._request_info

    @property
    def ok(self) -> bool:
        """True when the status is below 400."""
        return self.status < 400

    @property
    def connection(self) -> Connection | None:
        """The connection, until the body is complete or the response released."""
        return self._connection

    @property
    def history(self) -> tuple[ClientResponse, ...]:
        """The redirect responses that led here, earliest first."""
        return self._history

    @property
    def closed(self) -> bool:
        """True once the connection was released or closed."""
        return self._closed

    @property
    def cookies(self) -> SimpleCookie:
        """The cookies of the ``Set-Cookie`` fields (one per name)."""
        if self._cookies is None:
            cookies = SimpleCookie()
            for value in self.headers.getall(hdrs.SET_COOKIE, ()):
                try:
                    cookies.load(value)
                except CookieError:
                    continue  # one bad field does not hide the others
            self._cookies = cookies
        return self._cookies

    @property
    def content_type(self) -> str:
        """The media type of Content-Type (see the docs for the defaults)."""
        raw = self.headers.get(hdrs.CONTENT_TYPE)
        if raw is None:
            return "application/octet-stream"
        mime = parse_mimetype(raw)
        if not mime.type or not mime.subtype:
            return "text/plain"  # RFC 2045 5.2: an invalid type
        essence = f"{mime.type}/{mime.subtype}"
        return f"{essence}+{mime.suffix}" if mime.suffix else essence

    @property
    def charset(self) -> str | None:
        """The charset parameter of Content-Type, if any."""
        raw = self.headers.get(hdrs.CONTENT_TYPE)
        if raw is None:
            return None
        return parse_mimetype(raw).parameters.get("charset")

    @property
    def content_disposition(self) -> ContentDisposition | None:
        """The parsed Content-Disposition field, None without one."""
        raw = self.headers.get(hdrs.CONTENT_DISPOSITION)
        if raw is None:
            return None
        return ContentDisposition.from_header(raw)

    @property
    def links(self) -> MultiDictProxy[MultiDictProxy[str | URL]]:
        """The Link fields, keyed by ``rel`` (or the URL when there is none)."""
        links: MultiDict[MultiDictProxy[str | URL]] = MultiDict()
        for value in self.headers.getall(hdrs.LINK, ()):
            pos = 0
            while pos < len(value):
                match = _LINK_VALUE_RE.match(value, pos)
                if match is None or match.end() == pos:
                    break
                pos = match.end()
                link: MultiDict[str | URL] = MultiDict()
                for param in _LINK_PARAM_RE.finditer(match["params"]):
                    raw = param["value"] or ""
                    if raw.startswith('"'):
                        raw = _QUOTED_PAIR_RE.sub(r"\1", raw[1:-1])
                    link.add(param["name"].lower(), raw.strip())
                key = link.get("rel", match["url"])
                link.add("url", self._url.join(URL(match["url"])))
                links.add(str(key), MultiDictProxy(link))
        return MultiDictProxy(links)

    # -- reading the body ----------------------------------------------------

    async def read(self) -> bytes:
        """Read the whole body (kept for later calls)."""
        if self._body is None:
            if self._released and not self.content.is_eof():
                raise ClientConnectionError("Connection closed")
            try:
                if self._traces:
                    self._body = await self._read_traced()
                else:
                    self._body = await self.content.read()
            except BaseException:
                self.close()
                raise
        return self._body

    async def _read_traced(self) -> bytes:
        parts: list[bytes] = []
        async for chunk in self.content.iter_any():
            parts.append(chunk)
            for trace in self._traces:
                await trace.send_response_chunk_received(self.method, self._url, chunk)
        return b"".join(parts)

    def get_encoding(self) -> str:
        """The charset of Content-Type if Python knows it, else the fallback's."""
        mime = parse_mimetype(self.headers.get(hdrs.CONTENT_TYPE, ""))
        encoding = mime.parameters.get("charset")
        if encoding:
            try:
                codecs.lookup(encoding)
            except LookupError:
                pass
            else:
                return encoding
        if mime.type == "application" and (
            mime.subtype == "json" or mime.suffix == "json"
        ):
            return "utf-8"  # RFC 8259 8.1: JSON is UTF-8
        if self._body is None:
            raise RuntimeError("Cannot compute the fallback charset before read()")
        return self._resolve_charset(self, self._body)

    async def text(self, encoding: str | None = None, errors: str = "strict") -> str:
        """Read the body and decode it (``encoding`` or ``get_encoding()``)."""
        body = await self.read()
        if encoding is None:
            encoding = self.get_encoding()
        return body.decode(encoding, errors=errors)

    async def json(
        self,
        *,
        encoding: str | None = None,
        loads: JSONDecoder = DEFAULT_JSON_DECODER,
        content_type: str | None = "application/json",
    ) -> Any:
        """Read the body as JSON; ContentTypeError for another Content-Type."""
        body = await self.read()
        if content_type is not None:
            actual = self.content_type
            matches = (
                _JSON_RE.match(actual) is not None
                if content_type == "application/json"
                else actual == content_type
            )
            if not matches:
                raise ContentTypeError(
                    self._request_info,
                    self._history,
                    status=self.status,
                    message=(
                        "Attempt to decode JSON with unexpected mimetype: "
                        f"{self.headers.get(hdrs.CONTENT_TYPE, '')}"
                    ),
                    headers=self.headers,
                )
        if not body.strip():
            return None
        if encoding is None:
            encoding = self.get_encoding()
        return loads(body.decode(encoding))

    # -- status ----------------------------------------------------------------

    def raise_for_status(self) -> None:
        """Raise ``ClientResponseError`` when the status is 400 or more."""
        if self.status >= 400:
            self.release()
            raise ClientResponseError(
                self._request_info,
                self._history,
                status=self.status,
                message=self.reason or "",
                headers=self.headers,
            )

    # -- giving the connection back -------------------------------------------

    def release(self) -> Awaitable[None]:
        """Give the connection back: to the pool if the body is complete."""
        self._released = True
        if not self._closed:
            content = self.content
            if content is not None and content.is_eof():
                self._response_eof()
            else:
                self.close()
        return _RELEASED

    def close(self) -> None:
        """Close the connection, whatever state the response is in."""
        self._released = True
        self._closed = True
        writer, self._writer = self._writer, None
        if writer is not None and not writer.done():
            writer.cancel()
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
        content = self.content
        if content is not None and not content.is_eof():
            content.set_exception(ClientConnectionError("Connection closed"))

    async def wait_for_close(self) -> None:
        """Wait until the request body is sent, then release the response."""
        writer = self._writer
        if writer is not None and not writer.done():
            await asyncio.wait((writer,))
        self.release()

    async def __aenter__(self) -> ClientResponse:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
        writer = self._writer
        if writer is not None and not writer.done():
            await self.wait_for_close()
