"""``ClientSession`` and the module-level ``request()``.

A session holds what requests share: the connector (pool), cookie jar,
default headers and auth, timeouts, tracing and middlewares.  One call of
``request()`` runs the redirect loop (the rules of each hop are in
``redirects``); each hop is a fresh ``ClientRequest`` sent through the
middleware chain, whose innermost handler (``sender.RequestSender``) gets a
connection, writes the request and reads the response head.  A ``Deadline``
(``timer``) bounds the whole call.
"""

from __future__ import annotations

import asyncio
import json
import warnings
from collections.abc import Awaitable, Callable, Iterable
from http.cookies import BaseCookie, SimpleCookie
from ssl import SSLContext
from types import TracebackType
from typing import Any

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
    InvalidUrlClientError,
    NonHttpUrlClientError,
    TooManyRedirects,
)
from .middlewares import (
    ClientHandlerType,
    ClientMiddlewareType,
    build_client_middlewares,
)
from .proxy_env import get_env_proxy_for_url, netrc_auth
from .redirects import (
    BODY_FIELDS,
    CREDENTIAL_FIELDS,
    REDIRECT_STATUSES,
    drop_fields,
    location,
    redirect_url,
    replayed_body,
    turns_into_get,
)
from .request import HTTP_SCHEMES, ClientRequest, check_host, with_params
from .request_context import RequestContextManager, SessionRequestContextManager
from .response import ClientResponse
from .sender import RequestSender
from .timeouts import DEFAULT_TIMEOUT, ClientTimeout
from .timer import Deadline, DeadlineClock
from .tls import Fingerprint
from .tracing import Trace, TraceConfig
from .ws_client import ClientWebSocketResponse, WSConnectContextManager, ws_connect

__all__ = ("ClientSession", "request")


def _utf8(response: ClientResponse, body: bytes) -> str:
    return "utf-8"


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
        self._deadline_clock = DeadlineClock(self._loop)
        # What a call that overrides none of the settings above is sent with.
        self._default_sender = RequestSender(
            read_until_eof=True,
            read_bufsize=read_bufsize,
            auto_decompress=auto_decompress,
            max_line_size=max_line_size,
            max_field_size=max_field_size,
            timeout=timeout,
        )
        self._default_handler = self._chain(self._default_sender, self._middlewares)

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
    ) -> RequestContextManager:
        """Send a request; await the result or use it with ``async with``."""
        return RequestContextManager(self._request(method, url, **kwargs))

    def get(
        self, url: StrOrURL, *, allow_redirects: bool = True, **kwargs: Any
    ) -> RequestContextManager:
        """Send a GET request."""
        return RequestContextManager(
            self._request(hdrs.METH_GET, url, allow_redirects=allow_redirects, **kwargs)
        )

    def options(
        self, url: StrOrURL, *, allow_redirects: bool = True, **kwargs: Any
    ) -> RequestContextManager:
        """Send an OPTIONS request."""
        return RequestContextManager(
            self._request(
                hdrs.METH_OPTIONS, url, allow_redirects=allow_redirects, **kwargs
            )
        )

    def head(
        self, url: StrOrURL, *, allow_redirects: bool = False, **kwargs: Any
    ) -> RequestContextManager:
        """Send a HEAD request (redirects not followed by default)."""
        return RequestContextManager(
            self._request(
                hdrs.METH_HEAD, url, allow_redirects=allow_redirects, **kwargs
            )
        )

    def post(
        self, url: StrOrURL, *, data: Any = None, **kwargs: Any
    ) -> RequestContextManager:
        """Send a POST request."""
        return RequestContextManager(
            self._request(hdrs.METH_POST, url, data=data, **kwargs)
        )

    def put(
        self, url: StrOrURL, *, data: Any = None, **kwargs: Any
    ) -> RequestContextManager:
        """Send a PUT request."""
        return RequestContextManager(
            self._request(hdrs.METH_PUT, url, data=data, **kwargs)
        )

    def patch(
        self, url: StrOrURL, *, data: Any = None, **kwargs: Any
    ) -> RequestContextManager:
        """Send a PATCH request."""
        return RequestContextManager(
            self._request(hdrs.METH_PATCH, url, data=data, **kwargs)
        )

    def delete(self, url: StrOrURL, **kwargs: Any) -> RequestContextManager:
        """Send a DELETE request."""
        return RequestContextManager(self._request(hdrs.METH_DELETE, url, **kwargs))

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
        connector = self._connector
        if connector is None or connector.closed:
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
        if url.scheme not in HTTP_SCHEMES:
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
        handler: ClientHandlerType
        if (
            read_until_eof
            and real_timeout is self._timeout
            and read_bufsize is None
            and auto_decompress is None
            and max_line_size is None
            and max_field_size is None
        ):
            # The common call overrides nothing: the session's own handler
            # chain serves it, built once.
            if middlewares is None:
                handler = self._default_handler
            else:
                handler = self._chain(self._default_sender, middlewares)
        else:
            sender = RequestSender(
                read_until_eof=read_until_eof,
                read_bufsize=(
                    self._read_bufsize if read_bufsize is None else read_bufsize
                ),
                auto_decompress=(
                    self._auto_decompress
                    if auto_decompress is None
                    else auto_decompress
                ),
                max_line_size=(
                    self._max_line_size if max_line_size is None else max_line_size
                ),
                max_field_size=(
                    self._max_field_size if max_field_size is None else max_field_size
                ),
                timeout=real_timeout,
            )
            handler = self._chain(
                sender, self._middlewares if middlewares is None else middlewares
            )
        loop = self._loop
        deadline = Deadline(
            loop,
            real_timeout.total,
            real_timeout.ceil_threshold,
            clock=self._deadline_clock,
        )
        traces: list[Trace] = []
        if self._trace_configs:
            traces = [
                Trace(self, config, config.trace_config_ctx(trace_request_ctx))
                for config in self._trace_configs
            ]
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
                    url_auth = None
                    if url.raw_user is not None or url.raw_password is not None:
                        url, url_auth = url.with_user(None), BasicAuth.from_url(url)
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
                        cookies=(
                            self._cookies_for(url, extra_cookies)
                            if extra_cookies or len(self._cookie_jar)
                            else None
                        ),
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
                    if not allow_redirects or resp.status not in REDIRECT_STATUSES:
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
                    target = location(resp.headers)
                    if target is None:
                        history.pop()
                        break  # nowhere to go: the 3xx is the answer
                    resp.release()
                    next_url = redirect_url(
                        url, target, requote=self._requote_redirect_url
                    )
                    status = resp.status
                    if turns_into_get(status, req.method):
                        method = hdrs.METH_GET
                        data = None
                        compress = None
                        chunked = None
                        drop_fields(req_headers, BODY_FIELDS)
                    elif isinstance(req.body, Payload):
                        data = replayed_body(req.body, status, next_url)
                    if next_url.origin() != url.origin():
                        # RFC 9110 15.4: credentials are for the origin they
                        # were given to.
                        auth = None
                        extra_cookies = None
                        drop_fields(req_headers, CREDENTIAL_FIELDS)
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
            if (
                connection is not None
                and (protocol := connection.protocol) is not None
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

    def _chain(
        self, sender: RequestSender, middlewares: Iterable[ClientMiddlewareType]
    ) -> ClientHandlerType:
        chain = tuple(middlewares)
        if not chain:
            return sender.send
        return build_client_middlewares(sender.send, chain)

    def _cookies_for(
        self, url: URL, extra: LooseCookies | None
    ) -> BaseCookie[str] | None:
        # The caller skips this for an empty jar and no extra cookies (the
        # common case: nothing to look through).
        jar = self._cookie_jar
        if not extra:
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


def request(
    method: str,
    url: StrOrURL,
    *,
    version: HttpVersion = HttpVersion11,
    connector: BaseConnector | None = None,
    cookies: LooseCookies | None = None,
    **kwargs: Any,
) -> SessionRequestContextManager:
    """Send one request with a session of its own, closed when the block ends."""
    owner = connector is None
    if connector is None:
        connector = TCPConnector(force_close=True)
    session = ClientSession(
        cookies=cookies, version=version, connector=connector, connector_owner=owner
    )
    return SessionRequestContextManager(
        session._request(method, url, **kwargs), session
    )
