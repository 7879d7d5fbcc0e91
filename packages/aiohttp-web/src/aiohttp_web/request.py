"""The request a web handler receives: ``BaseRequest`` and ``Request``.

A request wraps the parsed head (``RawRequestMessage``) and the body stream
of one HTTP request, plus the connection it came on.  Most properties are
computed on first use and cached (``reify``), since a handler reads few of
them.  The body methods (``read``, ``text``, ``json``, ``post``) cache their
result, so middlewares and handlers can all call them.
"""

from __future__ import annotations

import asyncio
import datetime
import socket
import types
from collections.abc import Iterator, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast, overload

from multidict import CIMultiDict, CIMultiDictProxy, MultiDictProxy
from yarl import URL

from aiohttp_core import hdrs
from aiohttp_core.abc import AbstractStreamWriter
from aiohttp_core.chain_map import ChainMapProxy
from aiohttp_core.etag import ETag, parse_etag_list
from aiohttp_core.helpers import parse_http_date, reify, sentinel
from aiohttp_core.http_messages import HttpVersion, RawRequestMessage
from aiohttp_core.mimetype import parse_content_type
from aiohttp_core.multipart_reader import MultipartReader
from aiohttp_core.streams import EMPTY_PAYLOAD, StreamReader
from aiohttp_core.typedefs import (
    DEFAULT_JSON_DECODER,
    JSONDecoder,
    LooseHeaders,
    RawHeaders,
)

from .exceptions import HTTPBadRequest
from .request_body import FileField, FormValue, decode_text, read_body, read_form
from .request_headers import parse_cookie_header, parse_forwarded, parse_range

if TYPE_CHECKING:
    from .abc import AbstractMatchInfo
    from .app import AppKey, Application
    from .protocol import RequestHandler
    from .response import StreamResponse
    from .routes import UrlMappingMatchInfo

__all__ = ("BaseRequest", "FileField", "Request")

_T = TypeVar("_T")

_JSON: Final = "application/json"


def _is_json(content_type: str, expected: str) -> bool:
    """Tell whether a request's media type is the one ``json()`` expects.

    ``application/json`` also accepts the structured suffix ``+json``
    (RFC 6839), e.g. ``application/problem+json``.
    """
    if expected == _JSON:
        return content_type == _JSON or (
            content_type.startswith("application/") and content_type.endswith("+json")
        )
    return content_type == parse_content_type(expected)[0]


class BaseRequest(MutableMapping[Any, Any]):
    """An HTTP request as the low-level server hands it to its handler."""

    POST_METHODS: Final = frozenset(
        {
            hdrs.METH_PATCH,
            hdrs.METH_POST,
            hdrs.METH_PUT,
            hdrs.METH_TRACE,
            hdrs.METH_DELETE,
        }
    )

    _cache: dict[str, Any]

    def __init__(
        self,
        message: RawRequestMessage,
        payload: StreamReader,
        protocol: RequestHandler,
        payload_writer: AbstractStreamWriter,
        task: asyncio.Task[None],
        loop: asyncio.AbstractEventLoop,
        *,
        client_max_size: int = 1024**2,
        state: dict[Any, Any] | None = None,
        scheme: str | None = None,
        host: str | None = None,
        remote: str | None = None,
    ) -> None:
        self._message = message
        self._payload = payload
        self._protocol = protocol
        self._payload_writer = payload_writer
        self._task = task
        self._loop = loop
        self._client_max_size = client_max_size
        self._state: dict[Any, Any] = {} if state is None else state
        self._read_bytes: bytes | None = None
        self._post: MultiDictProxy[FormValue] | None = None
        self._cache = {}
        url = message.url
        if url.absolute:
            # Absolute-form target (RFC 9112 3.2.2): routing only sees the
            # path and query, and the authority becomes the default host.
            if host is None and url.host is not None:
                host = url.host_port_subcomponent
            url = url.relative()
        self._rel_url = url
        self._scheme_override = scheme
        self._host_override = host
        self._remote_override = remote

    def clone(
        self,
        *,
        method: str | Any = sentinel,
        rel_url: str | URL | Any = sentinel,
        headers: LooseHeaders | Any = sentinel,
        scheme: str | Any = sentinel,
        host: str | Any = sentinel,
        remote: str | Any = sentinel,
        client_max_size: int | Any = sentinel,
    ) -> BaseRequest:
        """Return a copy with some attributes replaced (same body stream)."""
        # The body stream is shared: whichever copy reads it consumes it.
        changes: dict[str, Any] = {}
        if method is not sentinel:
            changes["method"] = method
        if rel_url is not sentinel:
            new_url = URL(rel_url)
            if new_url.absolute:
                raise ValueError("rel_url must be a relative URL")
            changes["url"] = new_url
            changes["path"] = str(new_url)
        if headers is not sentinel:
            new_headers = CIMultiDictProxy(CIMultiDict(headers))
            changes["headers"] = new_headers
            changes["raw_headers"] = tuple(
                (k.encode("utf-8"), v.encode("utf-8")) for k, v in new_headers.items()
            )
        message = self._message._replace(**changes)
        kwargs: dict[str, Any] = {}
        if scheme is not sentinel:
            kwargs["scheme"] = scheme
        elif self._scheme_override is not None:
            kwargs["scheme"] = self._scheme_override
        if host is not sentinel:
            kwargs["host"] = host
        elif self._host_override is not None:
            kwargs["host"] = self._host_override
        if remote is not sentinel:
            kwargs["remote"] = remote
        elif self._remote_override is not None:
            kwargs["remote"] = self._remote_override
        new = self.__class__(
            message,
            self._payload,
            self._protocol,
            self._payload_writer,
            self._task,
            self._loop,
            client_max_size=(
                self._client_max_size
                if client_max_size is sentinel
                else client_max_size
            ),
            state=self._state.copy(),
            **kwargs,
        )
        new._read_bytes = self._read_bytes
        new._post = self._post
        return new

    # -- the connection -------------------------------------------------------

    @property
    def task(self) -> asyncio.Task[None]:
        """The task that serves this request."""
        return self._task

    @property
    def protocol(self) -> RequestHandler:
        """The connection's protocol (``RequestHandler``)."""
        return self._protocol

    @property
    def transport(self) -> asyncio.Transport | None:
        """The connection's transport; None once the connection is gone."""
        return self._protocol.transport

    @property
    def writer(self) -> AbstractStreamWriter:
        """The writer the response to this request goes through."""
        return self._payload_writer

    @property
    def client_max_size(self) -> int:
        """The largest body ``read``, ``text``, ``json`` and ``post`` accept."""
        return self._client_max_size

    @property
    def message(self) -> RawRequestMessage:
        """The parsed request head."""
        return self._message

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """Return the transport's extra info ``name``, or ``default``."""
        transport = self.transport
        if transport is None:
            return default
        return transport.get_extra_info(name, default)

    # -- dict-like storage ----------------------------------------------------

    @overload
    def __getitem__(self, key: AppKey[_T]) -> _T: ...

    @overload
    def __getitem__(self, key: str) -> Any: ...

    def __getitem__(self, key: Any) -> Any:
        return self._state[key]

    @overload
    def __setitem__(self, key: AppKey[_T], value: _T) -> None: ...

    @overload
    def __setitem__(self, key: str, value: Any) -> None: ...

    def __setitem__(self, key: Any, value: Any) -> None:
        self._state[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._state[key]

    def __len__(self) -> int:
        return len(self._state)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._state)

    # A request is a mapping, but an empty one is still a request.
    def __bool__(self) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        target = self._rel_url.raw_path_qs
        return f"<{self.__class__.__name__} {self.method} {target}>"

    # -- the request line -----------------------------------------------------

    @property
    def version(self) -> HttpVersion:
        """The HTTP version of the request."""
        return self._message.version

    @property
    def method(self) -> str:
        """The request method, e.g. ``"GET"``."""
        return self._message.method

    @property
    def rel_url(self) -> URL:
        """The target as a relative URL: path, query and fragment."""
        return self._rel_url

    @reify
    def url(self) -> URL:
        """The absolute URL of the request (scheme and host included)."""
        rel = self._rel_url
        # Built from parts: joining the target onto the host would let a
        # path such as "//other.example/" replace the authority.
        return URL.build(
            scheme=self.scheme,
            authority=self.host,
            path=rel.raw_path,
            query_string=rel.raw_query_string,
            fragment=rel.raw_fragment,
            encoded=True,
        )

    @reify
    def scheme(self) -> str:
        """``"https"`` on a TLS connection, else ``"http"`` (or the clone's)."""
        if self._scheme_override is not None:
            return self._scheme_override
        if self.get_extra_info("sslcontext") is not None:
            return "https"
        return "http"

    @property
    def secure(self) -> bool:
        """True when the scheme is ``https``."""
        return self.scheme == "https"

    @reify
    def forwarded(self) -> tuple[types.MappingProxyType[str, str], ...]:
        """The elements of the Forwarded header fields (RFC 7239), in order."""
        return parse_forwarded(self._message.headers.getall(hdrs.FORWARDED, ()))

    @reify
    def host(self) -> str:
        """The host: the clone's, else the Host header, else this machine's name."""
        if self._host_override is not None:
            return self._host_override
        host = self._message.headers.get(hdrs.HOST)
        if host:
            return host
        return socket.getfqdn()

    @reify
    def remote(self) -> str | None:
        """The client's address: the clone's, else the socket's peer."""
        if self._remote_override is not None:
            return self._remote_override
        peername = self.get_extra_info("peername")
        if isinstance(peername, (list, tuple)):
            return str(peername[0])
        if peername:
            return str(peername)
        return None

    @property
    def path_qs(self) -> str:
        """The decoded path with the query string, e.g. ``/app/blog?id=10``."""
        return self._rel_url.path_qs

    @property
    def path(self) -> str:
        """The decoded path, e.g. ``/app/blog``."""
        return self._rel_url.path

    @property
    def raw_path(self) -> str:
        """The path (and query) as sent, percent-encoding untouched."""
        return self._rel_url.raw_path_qs

    @property
    def query(self) -> MultiDictProxy[str]:
        """The query string's variables."""
        return self._rel_url.query

    @property
    def query_string(self) -> str:
        """The decoded query string, e.g. ``id=10``."""
        return self._rel_url.query_string

    # -- header fields --------------------------------------------------------

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        """The request's header fields."""
        return self._message.headers

    @property
    def raw_headers(self) -> RawHeaders:
        """The header fields as bytes, in wire order."""
        return self._message.raw_headers

    @property
    def keep_alive(self) -> bool:
        """True when the client allows the connection to carry another request."""
        return not self._message.should_close

    @reify
    def cookies(self) -> Mapping[str, str]:
        """The cookies the client sent, by name."""
        return parse_cookie_header(
            "; ".join(self._message.headers.getall(hdrs.COOKIE, ()))
        )

    @reify
    def _content_type_parsed(self) -> tuple[str, dict[str, str]]:
        return parse_content_type(self._message.headers.get(hdrs.CONTENT_TYPE))

    @property
    def content_type(self) -> str:
        """The media type of the body (``application/octet-stream`` if unsaid)."""
        return self._content_type_parsed[0]

    @property
    def charset(self) -> str | None:
        """The ``charset`` parameter of Content-Type, if any."""
        return self._content_type_parsed[1].get("charset")

    @reify
    def content_length(self) -> int | None:
        """The Content-Length header as an int, None if absent."""
        value = self._message.headers.get(hdrs.CONTENT_LENGTH)
        # The parser already refused anything but 1*DIGIT.
        return None if value is None else int(value)

    @reify
    def http_range(self) -> slice:
        """The Range header as a slice; ValueError when it is malformed."""
        return parse_range(self._message.headers.get(hdrs.RANGE))

    def _http_date(self, name: str) -> datetime.datetime | None:
        return parse_http_date(self._message.headers.get(name))

    @reify
    def if_modified_since(self) -> datetime.datetime | None:
        """The If-Modified-Since date, None if absent or invalid."""
        return self._http_date(hdrs.IF_MODIFIED_SINCE)

    @reify
    def if_unmodified_since(self) -> datetime.datetime | None:
        """The If-Unmodified-Since date, None if absent or invalid."""
        return self._http_date(hdrs.IF_UNMODIFIED_SINCE)

    @reify
    def if_range(self) -> datetime.datetime | None:
        """The If-Range date, None if absent or not a date."""
        return self._http_date(hdrs.IF_RANGE)

    def _etags(self, name: str) -> tuple[ETag, ...] | None:
        value = self._message.headers.get(name)
        return None if value is None else parse_etag_list(value)

    @reify
    def if_match(self) -> tuple[ETag, ...] | None:
        """The If-Match tags, None if absent."""
        return self._etags(hdrs.IF_MATCH)

    @reify
    def if_none_match(self) -> tuple[ETag, ...] | None:
        """The If-None-Match tags, None if absent."""
        return self._etags(hdrs.IF_NONE_MATCH)

    # -- the body -------------------------------------------------------------

    @property
    def content(self) -> StreamReader:
        """The body stream."""
        return self._payload

    @property
    def body_exists(self) -> bool:
        """True when the request has a body (it may be empty or read already)."""
        return self._payload is not EMPTY_PAYLOAD

    @property
    def can_read_body(self) -> bool:
        """True while there is body data left to read."""
        return not self._payload.at_eof()

    async def read(self) -> bytes:
        """Read the whole body (cached); 413 past ``client_max_size``."""
        if self._read_bytes is None:
            self._read_bytes = await read_body(
                self._payload, self.content_length, self._client_max_size
            )
        return self._read_bytes

    async def text(self) -> str:
        """Read the body as text in its charset (UTF-8 by default)."""
        return decode_text(await self.read(), self.charset)

    async def json(
        self,
        *,
        loads: JSONDecoder = DEFAULT_JSON_DECODER,
        content_type: str | None = _JSON,
    ) -> Any:
        """Read the body as JSON; 400 if Content-Type is not ``content_type``."""
        if content_type is not None and not _is_json(self.content_type, content_type):
            raise HTTPBadRequest(
                text=(
                    "Attempt to decode JSON with unexpected mimetype: "
                    f"{self.content_type}"
                )
            )
        return loads(await self.text())

    async def multipart(self) -> MultipartReader:
        """Return a ``MultipartReader`` over the body (not cached)."""
        return MultipartReader(self._message.headers, self._payload)

    async def post(self) -> MultiDictProxy[FormValue]:
        """Read a form body (urlencoded or multipart) into a multidict (cached)."""
        if self._post is None:
            self._post = await read_form(self)
        return self._post

    def _close_uploads(self) -> None:
        """Close the temporary files of uploaded form fields; the request is over."""
        # The documented handlers read ``field.file`` and never close it.
        for value in self._post.values() if self._post is not None else ():
            if isinstance(value, FileField):
                value.file.close()

    async def release(self) -> None:
        """Read and drop what is left of the body."""
        while not self._payload.at_eof():
            await self._payload.readany()

    async def _prepare_hook(self, response: StreamResponse) -> None:
        """Called by ``StreamResponse.prepare`` just before the head is sent."""
        return

    def _prepare_awaits(self) -> bool:
        """True when ``_prepare_hook`` has something to await."""
        return type(self)._prepare_hook is not BaseRequest._prepare_hook


class Request(BaseRequest):
    """A request routed by an ``Application``: adds ``match_info`` and ``app``."""

    _match_info: AbstractMatchInfo | None = None

    def clone(
        self,
        *,
        method: str | Any = sentinel,
        rel_url: str | URL | Any = sentinel,
        headers: LooseHeaders | Any = sentinel,
        scheme: str | Any = sentinel,
        host: str | Any = sentinel,
        remote: str | Any = sentinel,
        client_max_size: int | Any = sentinel,
    ) -> Request:
        """Return a copy with some attributes replaced; match info is kept."""
        new = super().clone(
            method=method,
            rel_url=rel_url,
            headers=headers,
            scheme=scheme,
            host=host,
            remote=remote,
            client_max_size=client_max_size,
        )
        new = cast(Request, new)
        new._match_info = self._match_info
        return new

    @property
    def match_info(self) -> UrlMappingMatchInfo:
        """What routing found for this request (None while routing runs)."""
        return cast("UrlMappingMatchInfo", self._match_info)

    @property
    def app(self) -> Application:
        """The application whose handler (or middleware) runs now."""
        match_info = self._match_info
        if match_info is None:
            raise RuntimeError("request.app is not available before routing")
        return match_info.current_app

    @property
    def config_dict(self) -> ChainMapProxy[Any, Any]:
        """The state of the current application and its parents, innermost first."""
        match_info = self._match_info
        if match_info is None:
            return ChainMapProxy([])
        apps = match_info.apps
        current = match_info.current_app
        # Up to the current app: a sub-app's middleware does not see the
        # state of the apps below it.
        upto = apps[: apps.index(current) + 1] if current in apps else apps
        return ChainMapProxy(reversed(upto))

    def _prepare_awaits(self) -> bool:
        if type(self)._prepare_hook is not Request._prepare_hook:
            return True
        match_info = self._match_info
        if match_info is None:
            return False
        # A loop, not any(): no generator to make for the usual single app.
        for app in match_info.apps:  # noqa: SIM110
            if app.on_response_prepare:
                return True
        return False

    async def _prepare_hook(self, response: StreamResponse) -> None:
        """Send ``on_response_prepare`` of every app that routed the request."""
        match_info = self._match_info
        if match_info is None:
            return
        for app in match_info.apps:
            signal = app.on_response_prepare
            if signal:
                await signal.send(self, response)
