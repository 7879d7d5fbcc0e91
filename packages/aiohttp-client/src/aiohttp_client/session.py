"""``ClientSession`` and the module-level ``request()``.

A session holds what requests share: the connector (pool), cookie jar,
default headers and auth, timeouts, tracing and middlewares.  One call of
``request()`` runs the redirect loop; each hop is a fresh ``ClientRequest``
sent through the middleware chain, whose innermost handler gets a
connection, writes the request and reads the response head.
"""

from __future__ import annotations

import asyncio
import json
import math
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Generator, Iterable
from http.cookies import BaseCookie, SimpleCookie
from ssl import SSLContext
from types import TracebackType
from typing import Any, Final, TypeVar

from multidict import CIMultiDict, istr
from yarl import URL

from aiohttp_core import hdrs
from aiohttp_core.basic_auth import BasicAuth
from aiohttp_core.helpers import Sentinel, sentinel
from aiohttp_core.http_messages import HttpVersion, HttpVersion11
from aiohttp_core.payload import JsonPayload, Payload
from aiohttp_core.typedefs import JSONEncoder, LooseHeaders, Query, StrOrURL

from .abc import AbstractCookieJar, LooseCookies
from .connector import BaseConnector, TCPConnector
from .cookiejar import CookieJar
from .exceptions import (
    ClientError,
    ClientOSError,
    ConnectionTimeoutError,
    InvalidUrlClientError,
    InvalidUrlRedirectClientError,
    NonHttpUrlClientError,
    NonHttpUrlRedirectClientError,
    RedirectClientError,
    TooManyRedirects,
)
from .middlewares import (
    ClientHandlerType,
    ClientMiddlewareType,
    build_client_middlewares,
)
from .proxy_env import get_env_proxy_for_url, netrc_auth
from .request import ClientRequest, check_host, with_params
from .response import ClientResponse
from .timeouts import DEFAULT_TIMEOUT, ClientTimeout
from .tls import Fingerprint
from .tracing import Trace, TraceConfig
from .ws_client import ClientWebSocketResponse, WSConnectContextManager, ws_connect

__all__ = ("ClientSession", "request")

_T = TypeVar("_T")

_REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
_HTTP_SCHEMES: Final = frozenset({"http", "https", "ws", "wss"})
# Fields that carry credentials: never sent on to another origin.
_CREDENTIAL_FIELDS: Final = (hdrs.AUTHORIZATION, hdrs.COOKIE, hdrs.PROXY_AUTHORIZATION)
_BODY_FIELDS: Final = (
    hdrs.CONTENT_LENGTH,
    hdrs.CONTENT_TYPE,
    hdrs.CONTENT_ENCODING,
    hdrs.TRANSFER_ENCODING,
)


def _utf8(response: ClientResponse, body: bytes) -> str:
    return "utf-8"


class _Deadline:
    """A timeout shared by every wait of one request, as a ``ReadTimer``.

    Each ``with deadline:`` (or ``with deadline():``) registers the current
    task; when the time is up every registered task is cancelled and the
    cancellation leaves the block as ``exc_type``.  Entering after the time
    is up raises at once.
    """

    __slots__ = ("_cancelled", "_exc", "_fired", "_handle", "_loop", "_tasks")

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        timeout: float | None,
        ceil_threshold: float,
        exc: Callable[[], BaseException] = asyncio.TimeoutError,
    ) -> None:
        self._loop = loop
        self._exc = exc
        self._tasks: list[asyncio.Task[Any]] = []
        self._cancelled: set[asyncio.Task[Any]] = set()
        self._fired = False
        self._handle: asyncio.TimerHandle | None = None
        if timeout:
            when = loop.time() + timeout
            if timeout >= ceil_threshold:
                when = math.ceil(when)
            self._handle = loop.call_at(when, self._fire)

    def __call__(self) -> _Deadline:
        return self

    def __enter__(self) -> _Deadline:
        if self._fired:
            raise self._exc()
        task = asyncio.current_task(self._loop)
        if task is None:
            raise RuntimeError("Timeout context manager should be used inside a task")
        self._tasks.append(task)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        task = self._tasks.pop()
        if task in self._cancelled and task not in self._tasks:
            self._cancelled.discard(task)
            uncancel = getattr(task, "uncancel", None)
            if uncancel is not None:
                uncancel()
            if exc_type is asyncio.CancelledError:
                raise self._exc() from exc

    def _fire(self) -> None:
        self._handle = None
        self._fired = True
        for task in self._tasks:
            if task not in self._cancelled:
                self._cancelled.add(task)
                task.cancel()

    def cancel(self) -> None:
        """Stop the clock: the deadline will not fire any more."""
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.cancel()


class _RequestContextManager(Coroutine[Any, Any, ClientResponse]):
    """``await`` it for the response, or ``async with`` it to release it at exit."""

    __slots__ = ("_coro", "_resp")

    def __init__(self, coro: Coroutine[Any, Any, ClientResponse]) -> None:
        self._coro = coro
        self._resp: ClientResponse | None = None

    def send(self, arg: None) -> Any:
        return self._coro.send(arg)

    def throw(self, *args: Any) -> Any:
        return self._coro.throw(*args)

    def close(self) -> None:
        self._coro.close()

    def __await__(self) -> Generator[Any, None, ClientResponse]:
        return self._coro.__await__()

    async def __aenter__(self) -> ClientResponse:
        self._resp = await self._coro
        return await self._resp.__aenter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._resp is not None:
            await self._resp.__aexit__(exc_type, exc, tb)


class ClientSession:
    """A pool of connections and the settings its requests share."""

    def __init__(
        self,
        base_url: StrOrURL | None = None,
        *,
        connector: BaseConnector | None = None,
        cookies: LooseCookies | None = None,
        headers: LooseHeaders | None = None,
        skip_auto_headers: Iterable[str] | None = None,
        auth: BasicAuth | None = None,
        json_serialize: JSONEncoder = json.dumps,
        request_class: type[ClientRequest] = ClientRequest,
        response_class: type[ClientResponse] = ClientResponse,
        ws_response_class: type[ClientWebSocketResponse] = ClientWebSocketResponse,
        version: HttpVersion = HttpVersion11,
        cookie_jar: AbstractCookieJar | None = None,
        connector_owner: bool = True,
        raise_for_status: bool | Callable[[ClientResponse], Awaitable[None]] = False,
        timeout: ClientTimeout | Sentinel = sentinel,
        auto_decompress: bool = True,
        trust_env: bool = False,
        requote_redirect_url: bool = True,
        trace_configs: list[TraceConfig[Any]] | None = None,
        middlewares: Iterable[ClientMiddlewareType] = (),
        read_bufsize: int = 2**16,
        max_line_size: int = 8190,
        max_field_size: int = 8190,
        fallback_charset_resolver: Callable[[ClientResponse, bytes], str] = _utf8,
        ssl_shutdown_timeout: float | Sentinel = sentinel,
    ) -> None:
        self._connector: BaseConnector | None = None
        # A session made outside a running loop cannot be used in one.
        self._loop = asyncio.get_running_loop()
        if auth is not None and not isinstance(auth, BasicAuth):
            raise TypeError("auth must be a BasicAuth instance")
        if base_url is None or isinstance(base_url, URL):
            self._base_url: URL | None = base_url
        else:
            self._base_url = URL(base_url)
        if self._base_url is not None:
            if not self._base_url.absolute:
                raise ValueError("base_url must be an absolute URL")
            if not self._base_url.path.endswith("/"):
                raise ValueError("base_url must have a trailing '/'")
        if timeout is sentinel:
            timeout = DEFAULT_TIMEOUT
        elif not isinstance(timeout, ClientTimeout):
            raise ValueError(
                f"timeout parameter cannot be of {type(timeout)} type, "
                "please use 'timeout=ClientTimeout(...)'"
            )
        if connector is None:
            if ssl_shutdown_timeout is sentinel:
                connector = TCPConnector()
            else:
                connector = TCPConnector(ssl_shutdown_timeout=ssl_shutdown_timeout)
        if ssl_shutdown_timeout is not sentinel:
            warnings.warn(
                "ssl_shutdown_timeout is deprecated: give it to TCPConnector",
                DeprecationWarning,
                stacklevel=2,
            )
        self._connector = connector
        self._connector_owner = connector_owner
        self._cookie_jar: AbstractCookieJar = (
            CookieJar() if cookie_jar is None else cookie_jar
        )
        if cookies:
            self._cookie_jar.update_cookies(cookies)
        self._default_headers: CIMultiDict[str] = CIMultiDict(headers or ())
        self._skip_auto_headers: frozenset[istr] = frozenset(
            istr(name) for name in skip_auto_headers or ()
        )
        self._default_auth = auth
        self._json_serialize = json_serialize
        self._request_class = request_class
        self._response_class = response_class
        self._ws_response_class = ws_response_class
        self._version = version
        self._raise_for_status = raise_for_status
        self._timeout = timeout
        self._auto_decompress = auto_decompress
        self._trust_env = trust_env
        self._requote_redirect_url = requote_redirect_url
        self._trace_configs = list(trace_configs or ())
        for trace_config in self._trace_configs:
            trace_config.freeze()
        self._middlewares: tuple[ClientMiddlewareType, ...] = tuple(middlewares)
        self._read_bufsize = read_bufsize
        self._max_line_size = max_line_size
        self._max_field_size = max_field_size
        self._resolve_charset = fallback_charset_resolver

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<ClientSession {state} base_url={self._base_url}>"

    def __del__(self, _warnings: Any = warnings) -> None:
        if not self.closed:
            _warnings.warn(
                f"Unclosed client session {self!r}", ResourceWarning, source=self
            )

    # -- requests ------------------------------------------------------------

    def request(
        self, method: str, url: StrOrURL, **kwargs: Any
    ) -> _RequestContextManager:
        """Send a request; await the result or use it with ``async with``."""
        return _RequestContextManager(self._request(method, url, **kwargs))

    def get(
        self, url: StrOrURL, *, allow_redirects: bool = True, **kwargs: Any
    ) -> _RequestContextManager:
        """Send a GET request."""
        return _RequestContextManager(
            self._request(hdrs.METH_GET, url, allow_redirects=allow_redirects, **kwargs)
        )

    def options(
        self, url: StrOrURL, *, allow_redirects: bool = True, **kwargs: Any
    ) -> _RequestContextManager:
        """Send an OPTIONS request."""
        return _RequestContextManager(
            self._request(
                hdrs.METH_OPTIONS, url, allow_redirects=allow_redirects, **kwargs
            )
        )

    def head(
        self, url: StrOrURL, *, allow_redirects: bool = False, **kwargs: Any
    ) -> _RequestContextManager:
        """Send a HEAD request (redirects not followed by default)."""
        return _RequestContextManager(
            self._request(
                hdrs.METH_HEAD, url, allow_redirects=allow_redirects, **kwargs
            )
        )

    def post(
        self, url: StrOrURL, *, data: Any = None, **kwargs: Any
    ) -> _RequestContextManager:
        """Send a POST request."""
        return _RequestContextManager(
            self._request(hdrs.METH_POST, url, data=data, **kwargs)
        )

    def put(
        self, url: StrOrURL, *, data: Any = None, **kwargs: Any
    ) -> _RequestContextManager:
        """Send a PUT request."""
        return _RequestContextManager(
            self._request(hdrs.METH_PUT, url, data=data, **kwargs)
        )

    def patch(
        self, url: StrOrURL, *, data: Any = None, **kwargs: Any
    ) -> _RequestContextManager:
        """Send a PATCH request."""
        return _RequestContextManager(
            self._request(hdrs.METH_PATCH, url, data=data, **kwargs)
        )

    def delete(self, url: StrOrURL, **kwargs: Any) -> _RequestContextManager:
        """Send a DELETE request."""
        return _RequestContextManager(self._request(hdrs.METH_DELETE, url, **kwargs))

    def ws_connect(self, url: StrOrURL, **kwargs: Any) -> WSConnectContextManager:
        """Open a WebSocket; await it or use it with ``async with``."""
        return ws_connect(self, url, **kwargs)

    def _build_url(self, str_or_url: StrOrURL) -> URL:
        try:
            url = str_or_url if isinstance(str_or_url, URL) else URL(str_or_url)
        except (ValueError, TypeError) as exc:
            raise InvalidUrlClientError(str_or_url) from exc
        if self._base_url is not None and not url.absolute:
            url = self._base_url.join(url)
        return url

    def _prepare_headers(self, headers: LooseHeaders | None) -> CIMultiDict[str]:
        result = CIMultiDict(self._default_headers)
        if headers:
            if not isinstance(headers, CIMultiDict):
                headers = CIMultiDict(headers)
            added: set[str] = set()
            for name, value in headers.items():
                if name in added:
                    result.add(name, value)
                else:
                    result[name] = value
                    added.add(name)
        return result

    async def _request(
        self,
        method: str,
        str_or_url: StrOrURL,
        *,
        params: Query = None,
        data: Any = None,
        json: Any = None,
        cookies: LooseCookies | None = None,
        headers: LooseHeaders | None = None,
        skip_auto_headers: Iterable[str] | None = None,
        auth: BasicAuth | None = None,
        allow_redirects: bool = True,
        max_redirects: int = 10,
        compress: bool | str | None = None,
        chunked: bool | None = None,
        expect100: bool = False,
        raise_for_status: bool
        | Callable[[ClientResponse], Awaitable[None]]
        | None = None,
        read_until_eof: bool = True,
        proxy: StrOrURL | None = None,
        proxy_auth: BasicAuth | None = None,
        timeout: ClientTimeout | float | Sentinel | None = sentinel,
        ssl: SSLContext | Fingerprint | bool = True,
        server_hostname: str | None = None,
        proxy_headers: LooseHeaders | None = None,
        trace_request_ctx: object = None,
        middlewares: Iterable[ClientMiddlewareType] | None = None,
        read_bufsize: int | None = None,
        auto_decompress: bool | None = None,
        max_line_size: int | None = None,
        max_field_size: int | None = None,
    ) -> ClientResponse:
        if self.closed:
            raise RuntimeError("Session is closed")
        if data is not None and json is not None:
            raise ValueError(
                "data and json parameters can not be used at the same time"
            )
        if json is not None:
            data = JsonPayload(json, dumps=self._json_serialize)
        if timeout is sentinel or timeout is None:
            real_timeout = self._timeout
        elif isinstance(timeout, ClientTimeout):
            real_timeout = timeout
        elif isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
            # The documented backward-compatible form: a total in seconds.
            real_timeout = ClientTimeout(total=timeout)
        else:
            raise ValueError(f"timeout must be a ClientTimeout, got {timeout!r}")

        url = self._build_url(str_or_url)
        if not url.scheme:
            raise InvalidUrlClientError(url, "a relative URL needs a base_url")
        if url.scheme not in _HTTP_SCHEMES:
            raise NonHttpUrlClientError(url)
        check_host(url)
        first_url = url
        req_headers = self._prepare_headers(headers)
        skip_headers = self._skip_auto_headers
        if skip_auto_headers is not None:
            skip_headers = skip_headers | {istr(name) for name in skip_auto_headers}
        proxy_url: URL | None = None
        if proxy is not None:
            try:
                proxy_url = URL(proxy)
            except (ValueError, TypeError) as exc:
                raise InvalidUrlClientError(proxy, "invalid proxy URL") from exc
        settings = _HopSettings(
            read_until_eof=read_until_eof,
            read_bufsize=self._read_bufsize if read_bufsize is None else read_bufsize,
            auto_decompress=(
                self._auto_decompress if auto_decompress is None else auto_decompress
            ),
            max_line_size=(
                self._max_line_size if max_line_size is None else max_line_size
            ),
            max_field_size=(
                self._max_field_size if max_field_size is None else max_field_size
            ),
            timeout=real_timeout,
        )
        loop = self._loop
        deadline = _Deadline(loop, real_timeout.total, real_timeout.ceil_threshold)
        settings.deadline = deadline
        traces = [
            Trace(self, config, config.trace_config_ctx(trace_request_ctx))
            for config in self._trace_configs
        ]
        chain = self._middlewares if middlewares is None else tuple(middlewares)
        handler: ClientHandlerType = settings.send
        if chain:
            handler = build_client_middlewares(handler, chain)
        req_params: Query = params
        extra_cookies = cookies
        history: list[ClientResponse] = []
        resp: ClientResponse | None = None
        for trace in traces:
            await trace.send_request_start(
                method, with_params(url, params), req_headers
            )
        try:
            with deadline:
                while True:
                    url, url_auth = _strip_auth(url)
                    if auth is not None and url_auth is not None:
                        raise ValueError(
                            "Cannot combine AUTH argument with "
                            "credentials encoded in URL"
                        )
                    hop_auth = auth if auth is not None else url_auth
                    if (
                        hop_auth is None
                        and self._default_auth is not None
                        and url.origin() == first_url.origin()
                        and (
                            self._base_url is None
                            or self._base_url.origin() == url.origin()
                        )
                    ):
                        hop_auth = self._default_auth
                    if (
                        self._trust_env
                        and hop_auth is None
                        and url.raw_host
                        and hdrs.AUTHORIZATION not in req_headers
                    ):
                        hop_auth = netrc_auth(url.raw_host)
                    if hop_auth is not None and hdrs.AUTHORIZATION in req_headers:
                        raise ValueError(
                            "Cannot combine AUTHORIZATION header with AUTH "
                            "argument or credentials encoded in URL"
                        )
                    hop_proxy, hop_proxy_auth = proxy_url, proxy_auth
                    if hop_proxy is None and self._trust_env:
                        try:
                            hop_proxy, hop_proxy_auth = get_env_proxy_for_url(url)
                        except LookupError:
                            hop_proxy = None
                    req = self._request_class(
                        method,
                        url,
                        params=req_params,
                        headers=req_headers,
                        skip_auto_headers=skip_headers,
                        data=data,
                        cookies=self._cookies_for(url, extra_cookies),
                        auth=hop_auth,
                        version=self._version,
                        compress=compress,
                        chunked=chunked,
                        expect100=expect100,
                        loop=loop,
                        response_class=self._response_class,
                        proxy=hop_proxy,
                        proxy_auth=hop_proxy_auth,
                        timer=deadline,
                        session=self,
                        ssl=ssl,
                        server_hostname=server_hostname,
                        proxy_headers=proxy_headers,
                        traces=traces,
                        trust_env=self._trust_env,
                        quote_cookie=self._cookie_jar.quote_cookie,
                    )
                    resp = await handler(req)
                    if not (allow_redirects and resp.status in _REDIRECT_STATUSES):
                        break
                    for trace in traces:
                        await trace.send_request_redirect(
                            method, with_params(url, req_params), req_headers, resp
                        )
                    history.append(resp)
                    if len(history) > max_redirects:
                        resp.close()
                        raise TooManyRedirects(
                            history[0].request_info,
                            tuple(history),
                            status=resp.status,
                            message=f"Exceeded {max_redirects} redirects",
                            headers=resp.headers,
                        )
                    location = resp.headers.get(hdrs.LOCATION) or resp.headers.get(
                        hdrs.URI
                    )
                    if location is None:
                        history.pop()
                        break  # nowhere to go: the 3xx is the answer
                    resp.release()
                    next_url = self._redirect_url(url, location)
                    status = resp.status
                    if (status == 303 and req.method != hdrs.METH_HEAD) or (
                        status in (301, 302) and req.method == hdrs.METH_POST
                    ):
                        method = hdrs.METH_GET
                        data = None
                        compress = None
                        chunked = None
                        for name in _BODY_FIELDS:
                            req_headers.popall(name, None)
                    elif isinstance(req.body, Payload):
                        if req.body.consumed:
                            raise RedirectClientError(
                                f"Cannot follow the {status} redirect to "
                                f"{next_url}: the request body was streamed "
                                "and cannot be sent again"
                            )
                        data = req.body  # the same payload, sent again
                    if next_url.origin() != url.origin():
                        # RFC 9110 15.4: credentials are for the origin they
                        # were given to.
                        auth = None
                        extra_cookies = None
                        for name in _CREDENTIAL_FIELDS:
                            req_headers.popall(name, None)
                    url = next_url
                    req_params = None
                    resp = None
            resp._history = tuple(history)
            if raise_for_status is None:
                raise_for_status = self._raise_for_status
            if callable(raise_for_status):
                await raise_for_status(resp)
            elif raise_for_status:
                resp.raise_for_status()
            connection = resp.connection
            protocol = None if connection is None else connection.protocol
            if (
                connection is not None
                and protocol is not None
                and not protocol.upgraded
            ):
                # The body is still to come: the total timeout covers it.
                connection.add_callback(deadline.cancel)
            else:
                deadline.cancel()
            for trace in traces:
                await trace.send_request_end(
                    method, with_params(url, req_params), req_headers, resp
                )
            return resp
        except BaseException as exc:
            deadline.cancel()
            if resp is not None:
                resp.close()
            for old in history:
                old.close()
            for trace in traces:
                await trace.send_request_exception(
                    method, with_params(url, req_params), req_headers, exc
                )
            raise

    def _redirect_url(self, url: URL, location: str) -> URL:
        try:
            target = URL(location, encoded=not self._requote_redirect_url)
        except ValueError as exc:
            raise InvalidUrlRedirectClientError(
                location,
                "Server attempted redirecting to a location that does not "
                "look like a URL",
            ) from exc
        if target.scheme and target.scheme not in _HTTP_SCHEMES:
            raise NonHttpUrlRedirectClientError(location)
        if not target.scheme:
            target = url.join(target)
        check_host(target, redirect=True)
        return target

    def _cookies_for(
        self, url: URL, extra: LooseCookies | None
    ) -> BaseCookie[str] | None:
        jar = self._cookie_jar
        if not extra:
            if not len(jar):  # the common case: nothing to look through
                return None
            return jar.filter_cookies(url) or None
        jar_cookies = jar.filter_cookies(url)
        merged: SimpleCookie = SimpleCookie()
        for name, morsel in jar_cookies.items():
            merged[name] = morsel
        items = extra.items() if hasattr(extra, "items") else extra
        for name, value in items:
            if isinstance(value, BaseCookie):
                for key, inner in value.items():
                    merged[key] = inner
            elif hasattr(value, "coded_value"):
                merged[name] = value
            else:
                merged[name] = value
        return merged

    # -- closing -------------------------------------------------------------

    async def close(self) -> None:
        """Close the connector if the session owns it."""
        connector, self._connector = self._connector, None
        if connector is not None and self._connector_owner:
            await connector.close()

    def detach(self) -> None:
        """Forget the connector without closing it; the session is then closed."""
        self._connector = None

    async def __aenter__(self) -> ClientSession:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- properties ----------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once closed or detached."""
        return self._connector is None or self._connector.closed

    @property
    def connector(self) -> BaseConnector | None:
        """The connector (None once closed)."""
        return self._connector

    @property
    def cookie_jar(self) -> AbstractCookieJar:
        """The session's cookies."""
        return self._cookie_jar

    @property
    def version(self) -> HttpVersion:
        """The HTTP version requests are sent with."""
        return self._version

    @property
    def requote_redirect_url(self) -> bool:
        """Whether redirect URLs are requoted."""
        return self._requote_redirect_url

    @requote_redirect_url.setter
    def requote_redirect_url(self, value: bool) -> None:
        warnings.warn(
            "session.requote_redirect_url modification is deprecated",
            DeprecationWarning,
            stacklevel=2,
        )
        self._requote_redirect_url = value

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The loop the session was made in."""
        return self._loop

    @property
    def timeout(self) -> ClientTimeout:
        """The default timeouts."""
        return self._timeout

    @property
    def headers(self) -> CIMultiDict[str]:
        """The headers sent with every request."""
        return self._default_headers

    @property
    def skip_auto_headers(self) -> frozenset[istr]:
        """The headers never generated automatically."""
        return self._skip_auto_headers

    @property
    def auth(self) -> BasicAuth | None:
        """The default credentials."""
        return self._default_auth

    @property
    def json_serialize(self) -> JSONEncoder:
        """The JSON serializer of ``json=`` bodies."""
        return self._json_serialize

    @property
    def connector_owner(self) -> bool:
        """Whether closing the session closes the connector."""
        return self._connector_owner

    @property
    def raise_for_status(
        self,
    ) -> bool | Callable[[ClientResponse], Awaitable[None]]:
        """Whether (or how) responses are checked."""
        return self._raise_for_status

    @property
    def auto_decompress(self) -> bool:
        """Whether response bodies are decompressed."""
        return self._auto_decompress

    @property
    def trust_env(self) -> bool:
        """Whether proxies and .netrc come from the environment."""
        return self._trust_env

    @property
    def trace_configs(self) -> list[TraceConfig[Any]]:
        """The tracing configurations."""
        return self._trace_configs

    @property
    def middlewares(self) -> tuple[ClientMiddlewareType, ...]:
        """The middlewares every request goes through."""
        return self._middlewares

    @property
    def request_class(self) -> type[ClientRequest]:
        """The class of requests."""
        return self._request_class

    @property
    def response_class(self) -> type[ClientResponse]:
        """The class of responses."""
        return self._response_class

    @property
    def ws_response_class(self) -> type[ClientWebSocketResponse]:
        """The class of WebSocket responses."""
        return self._ws_response_class

    @property
    def read_bufsize(self) -> int:
        """The size of a response's read buffer."""
        return self._read_bufsize

    @property
    def max_line_size(self) -> int:
        """The longest status line accepted."""
        return self._max_line_size

    @property
    def max_field_size(self) -> int:
        """The longest header field accepted."""
        return self._max_field_size


class _HopSettings:
    """The per-call values the innermost handler needs, and the handler itself."""

    __slots__ = (
        "auto_decompress",
        "deadline",
        "max_field_size",
        "max_line_size",
        "read_bufsize",
        "read_until_eof",
        "timeout",
    )

    def __init__(
        self,
        *,
        read_until_eof: bool,
        read_bufsize: int,
        auto_decompress: bool,
        max_line_size: int,
        max_field_size: int,
        timeout: ClientTimeout,
    ) -> None:
        self.read_until_eof = read_until_eof
        self.read_bufsize = read_bufsize
        self.auto_decompress = auto_decompress
        self.max_line_size = max_line_size
        self.max_field_size = max_field_size
        self.timeout = timeout
        self.deadline: _Deadline | None = None

    async def send(self, req: ClientRequest) -> ClientResponse:
        """Get a connection, write ``req`` and read the response head."""
        session = req.session
        if session is None or session.connector is None:
            raise RuntimeError("Session is closed")
        connector = session.connector
        timeout = self.timeout
        if not timeout.connect:
            conn = await connector.connect(req, req._traces, timeout)
        else:
            connect_deadline = _Deadline(
                req.loop,
                timeout.connect,
                timeout.ceil_threshold,
                lambda: ConnectionTimeoutError(f"Connection timeout to host {req.url}"),
            )
            try:
                with connect_deadline:
                    conn = await connector.connect(req, req._traces, timeout)
            finally:
                connect_deadline.cancel()
        protocol = conn.protocol
        if protocol is None:  # pragma: no cover - a fresh connection has one
            conn.close()
            raise ClientOSError("Connection closed")
        protocol.set_response_params(
            timer=self.deadline,
            skip_payload=req.method == hdrs.METH_HEAD,
            read_until_eof=self.read_until_eof,
            auto_decompress=self.auto_decompress,
            read_timeout=timeout.sock_read,
            read_bufsize=self.read_bufsize,
            timeout_ceil_threshold=timeout.ceil_threshold,
            max_line_size=self.max_line_size,
            max_field_size=self.max_field_size,
            request_method=req.method,
        )
        try:
            resp = await req.send(conn)
            try:
                await resp.start(conn)
            except BaseException:
                resp.close()
                raise
        except ClientError:
            conn.close()
            raise
        except OSError as exc:
            conn.close()
            raise ClientOSError(*exc.args) from exc
        except BaseException:
            conn.close()
            raise
        jar = session.cookie_jar
        for value in resp.headers.getall(hdrs.SET_COOKIE, ()):
            cookie: SimpleCookie = SimpleCookie()
            try:
                cookie.load(value)
            except Exception:
                continue
            jar.update_cookies(cookie, resp.url)
        return resp


def _strip_auth(url: URL) -> tuple[URL, BasicAuth | None]:
    if url.raw_user is None and url.raw_password is None:
        return url, None
    return url.with_user(None), BasicAuth.from_url(url)


class _SessionRequestContextManager:
    """The result of ``aiohttp.request()``: its session closes at exit."""

    __slots__ = ("_coro", "_resp", "_session")

    def __init__(
        self, coro: Coroutine[Any, Any, ClientResponse], session: ClientSession
    ) -> None:
        self._coro = coro
        self._resp: ClientResponse | None = None
        self._session = session

    async def __aenter__(self) -> ClientResponse:
        try:
            self._resp = await self._coro
        except BaseException:
            await self._session.close()
            raise
        return self._resp

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._resp is not None:
                self._resp.release()
                await self._resp.wait_for_close()
        finally:
            await self._session.close()


def request(
    method: str,
    url: StrOrURL,
    *,
    version: HttpVersion = HttpVersion11,
    connector: BaseConnector | None = None,
    cookies: LooseCookies | None = None,
    **kwargs: Any,
) -> _SessionRequestContextManager:
    """Send one request with a session of its own, closed when the block ends."""
    owner = connector is None
    if connector is None:
        connector = TCPConnector(force_close=True)
    session = ClientSession(
        cookies=cookies, version=version, connector=connector, connector_owner=owner
    )
    return _SessionRequestContextManager(
        session._request(method, url, **kwargs), session
    )
