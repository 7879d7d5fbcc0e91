"""``ClientRequest``: one request as the client sends it, and how it is written.

A request is built once per hop (every redirect makes a new one from the
previous one's values), passed through the middlewares, then written to a
``Connection`` by ``send``.  The head is written at once; a body that is
small and already in memory follows in the same call, any other body (files,
async iterables, anything waiting for ``100 Continue``) is written by a task
so that the response can be read while it is still being sent.
"""

from __future__ import annotations

import asyncio
import re
import ssl as ssl_mod
import sys
from collections.abc import Iterable
from http.cookies import BaseCookie, Morsel, SimpleCookie
from importlib import metadata
from typing import TYPE_CHECKING, Any, Final, Literal, cast

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from aiohttp_core import hdrs
from aiohttp_core.basic_auth import BasicAuth
from aiohttp_core.compression import supported_encodings
from aiohttp_core.formdata import FormData
from aiohttp_core.http_messages import HttpVersion, HttpVersion10, HttpVersion11
from aiohttp_core.http_writer import StreamWriter
from aiohttp_core.payload import BytesPayload, LookupError, Payload, get_payload
from aiohttp_core.streams import ReadTimer
from aiohttp_core.typedefs import LooseHeaders, Query

from .abc import LooseCookies
from .connection_key import ConnectionKey
from .exceptions import (
    ClientConnectionError,
    ClientOSError,
    InvalidUrlClientError,
    InvalidUrlRedirectClientError,
    NonHttpUrlClientError,
)
from .request_info import RequestInfo
from .response import ClientResponse
from .tls import Fingerprint

if TYPE_CHECKING:
    from .client_proto import ResponseHandler
    from .connector import Connection
    from .session import ClientSession
    from .tracing import Trace

__all__ = ("HTTP_SCHEMES", "ClientRequest", "check_host", "with_params")

# RFC 9110 9.1: method = token;  5.6.2: tchar.
_TOKEN_RE: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", re.ASCII)
# RFC 9110 5.5: a field value never holds CR, LF or NUL.
_FORBIDDEN_VALUE_RE: Final = re.compile(r"[\r\n\x00]")

# A host made only of numeric labels (decimal, 0x-hex or 0-octal) that is not
# a plain dotted quad: inet_aton() would read "2130706433", "127.1" or
# "0x7f.1" as 127.0.0.1, which defeats host-based checks made on the URL.
_NUMERIC_LABEL_RE: Final = re.compile(r"0[xX][0-9a-fA-F]*|[0-9]+", re.ASCII)
_DEC_OCTET: Final = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
_DOTTED_QUAD_RE: Final = re.compile(rf"{_DEC_OCTET}(?:\.{_DEC_OCTET}){{3}}", re.ASCII)

HTTP_SCHEMES: Final = frozenset({"http", "https", "ws", "wss"})
_SECURE_SCHEMES: Final = frozenset({"https", "wss"})
# Methods whose request usually has no body: no "Content-Length: 0" for them.
_NO_BODY_METHODS: Final = frozenset(
    {hdrs.METH_GET, hdrs.METH_HEAD, hdrs.METH_OPTIONS, hdrs.METH_TRACE}
)
# A body up to this size is written inline with the head, without a task.
_INLINE_BODY_MAX: Final = 2**16

try:
    _VERSION = metadata.version("aiohttp-client")
except metadata.PackageNotFoundError:  # pragma: no cover - source checkout
    _VERSION = "4.0.0a0"
_USER_AGENT: Final = (
    f"Python/{sys.version_info[0]}.{sys.version_info[1]} aiohttp/{_VERSION}"
)
_ACCEPT_ENCODING: Final = ", ".join(supported_encodings())
# The fields added unless given or skipped: (name, lower-cased name, value).
_AUTO_HEADERS: Final = (
    (hdrs.ACCEPT, "accept", "*/*"),
    (hdrs.ACCEPT_ENCODING, "accept-encoding", _ACCEPT_ENCODING),
    (hdrs.USER_AGENT, "user-agent", _USER_AGENT),
)


# Hosts already found acceptable: most programs talk to a few hosts, and the
# check runs for every request.  Bounded, as hosts may come from redirects.
_good_hosts: dict[str, None] = {}
_GOOD_HOSTS_MAX: Final = 256


def check_host(url: URL, *, redirect: bool = False) -> None:
    """Refuse a URL the client cannot fetch: no host, or a numeric host spelling."""
    host = url.raw_host
    if host in _good_hosts:
        return
    error = InvalidUrlRedirectClientError if redirect else InvalidUrlClientError
    if not host:
        raise error(url, "the URL has no host")
    labels = host.rstrip(".").split(".")
    numeric = all(_NUMERIC_LABEL_RE.fullmatch(label) for label in labels)
    if numeric and not _DOTTED_QUAD_RE.fullmatch(host):
        raise error(url, "a host spelled as a number is ambiguous")
    if len(_good_hosts) < _GOOD_HOSTS_MAX:
        _good_hosts[host] = None


def with_params(url: URL, params: Query) -> URL:
    """``url`` with ``params`` added to its query (yarl's extend_query rules)."""
    if not params:
        return url
    # Query is a little wider than yarl's annotation (any iterable of pairs).
    return url.extend_query(cast(Any, params))


def _check_field(name: str, value: str) -> None:
    if not _TOKEN_RE.fullmatch(name):
        raise ValueError(f"Invalid header name {name!r}")
    if _FORBIDDEN_VALUE_RE.search(value):
        raise ValueError(f"Header {name!r} holds CR, LF or NUL: {value!r}")


class ClientRequest:
    """An HTTP request about to be sent: method, URL, headers and body."""

    body: Payload | Literal[b""]

    def __init__(
        self,
        method: str,
        url: URL,
        *,
        params: Query = None,
        headers: LooseHeaders | None = None,
        skip_auto_headers: Iterable[str] | None = None,
        data: Any = None,
        cookies: LooseCookies | None = None,
        auth: BasicAuth | None = None,
        version: HttpVersion = HttpVersion11,
        compress: bool | str | None = None,
        chunked: bool | None = None,
        expect100: bool = False,
        loop: asyncio.AbstractEventLoop | None = None,
        response_class: type[ClientResponse] | None = None,
        proxy: URL | None = None,
        proxy_auth: BasicAuth | None = None,
        timer: ReadTimer | None = None,
        session: ClientSession | None = None,
        ssl: ssl_mod.SSLContext | Fingerprint | bool = True,
        proxy_headers: LooseHeaders | None = None,
        traces: list[Trace] | None = None,
        trust_env: bool = False,
        server_hostname: str | None = None,
        quote_cookie: bool = True,
    ) -> None:
        if method not in hdrs.METH_ALL and not _TOKEN_RE.fullmatch(method):
            raise ValueError(f"Method must be an RFC 9110 token, got {method!r}")
        if not isinstance(url, URL):
            raise TypeError(f"url must be a yarl.URL, got {url!r}")
        if url.scheme not in HTTP_SCHEMES:
            raise NonHttpUrlClientError(url)
        if url.raw_host not in _good_hosts:
            check_host(url)
        # RFC 9112 2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT
        if version is not HttpVersion11 and (
            not isinstance(version, tuple)
            or len(version) != 2
            or not all(type(part) is int and 0 <= part <= 9 for part in version)
        ):
            raise ValueError(f"Invalid HTTP version {version!r}")
        if ssl is not True and (
            ssl is None or not isinstance(ssl, (bool, ssl_mod.SSLContext, Fingerprint))
        ):
            raise TypeError(
                f"ssl should be SSLContext, Fingerprint, or bool, got {ssl!r} instead."
            )
        self.loop = asyncio.get_running_loop() if loop is None else loop
        self.method = method.upper()
        if params:
            url = with_params(url, params)
        self.original_url = url
        self.url = url.with_fragment(None) if url.raw_fragment else url
        self.version = (
            version if type(version) is HttpVersion else HttpVersion(*version)
        )
        self.response_class: type[ClientResponse] = (
            ClientResponse if response_class is None else response_class
        )
        self.ssl = ssl
        self.server_hostname = server_hostname
        self.session = session
        self._timer = timer
        self._traces: list[Trace] = [] if traces is None else traces
        self._writer: asyncio.Task[None] | None = None
        self._writer_error: BaseException | None = None
        self._writer_protocol: ResponseHandler | None = None
        # Proxies and .netrc come from the environment in the session; the
        # flag is kept for code that reads it here.
        self.trust_env = trust_env
        self._expect100 = False
        # Made anew by each send(): a middleware may send a request twice.
        self._continue: asyncio.Future[bool] | None = None
        # Lower-cased: an istr hashes like the str it was made from.
        self._skip_auto_headers: frozenset[str] = (
            frozenset(str(name).lower() for name in skip_auto_headers)
            if skip_auto_headers
            else frozenset()
        )
        self.chunked = chunked
        self.compress: str | None = None
        self.body = b""

        # The steps that have nothing to do for a plain request are skipped
        # here rather than called: this runs for every request.
        if url.raw_user or url.raw_password:
            self._update_auth_from_url()
        self._update_headers(headers)
        self._update_auto_headers()
        if cookies:
            self._update_cookies(cookies, quote_cookie)
        if auth is not None:
            self._update_auth(auth)
        if proxy is None:
            self.proxy: URL | None = None
            self.proxy_auth: BasicAuth | None = None
            self.proxy_headers: CIMultiDict[str] | None = None
        else:
            self._update_proxy(proxy, proxy_auth, proxy_headers)
        self._set_body(data)
        self._update_transfer_encoding(compress)
        self._update_expect_continue(expect100)

    def __repr__(self) -> str:
        return f"<ClientRequest({self.method} {self.url})>"

    # -- what the connector reads ---------------------------------------------

    @property
    def host(self) -> str:
        """The host to connect to, as in the URL (IPv6 without brackets)."""
        host = self.url.raw_host
        if host is None:  # checked in __init__; keeps the type precise
            raise InvalidUrlClientError(self.url)
        return host

    @property
    def port(self) -> int | None:
        """The port to connect to (the scheme's default when not given)."""
        return self.url.port

    def is_ssl(self) -> bool:
        """True for https and wss URLs."""
        return self.url.scheme in _SECURE_SCHEMES

    @property
    def connection_key(self) -> ConnectionKey:
        """Connections are pooled and reused under this key."""
        proxy_headers = self.proxy_headers
        headers_hash = (
            hash(tuple(proxy_headers.items())) if proxy_headers is not None else None
        )
        url = self.url
        return ConnectionKey(
            self.host,
            url.port,
            url.scheme in _SECURE_SCHEMES,
            self.ssl,
            self.proxy,
            self.proxy_auth,
            headers_hash,
            self.server_hostname,
        )

    @property
    def request_info(self) -> RequestInfo:
        """The URL, method and headers, as responses and errors report them."""
        headers: CIMultiDictProxy[str] = CIMultiDictProxy(self.headers)
        return RequestInfo(self.url, self.method, headers, self.original_url)

    # -- building ------------------------------------------------------------

    def _update_auth_from_url(self) -> None:
        # Credentials in the URL become the auth argument (see session).
        if self.url.raw_user or self.url.raw_password:
            self.url = self.url.with_user(None)

    def _update_headers(self, headers: LooseHeaders | None) -> None:
        self.headers: CIMultiDict[str] = CIMultiDict()
        given: CIMultiDict[str] | None = None
        if headers:
            given = CIMultiDict()
            items = headers.items() if hasattr(headers, "items") else headers
            for name, value in items:
                _check_field(name, value)
                given.add(name, value)
        if given is None or hdrs.HOST not in given:
            host = self.url.host_port_subcomponent
            if host is None:
                raise InvalidUrlClientError(self.url)
            # Host goes first (RFC 9112 3.2 says it should).
            self.headers[hdrs.HOST] = host
        if given:
            self.headers.extend(given)

    def _update_auto_headers(self) -> None:
        skip = self._skip_auto_headers
        headers = self.headers
        for name, lower, value in _AUTO_HEADERS:
            if name not in headers and (not skip or lower not in skip):
                headers[name] = value

    def _update_cookies(self, cookies: LooseCookies | None, quote: bool) -> None:
        if not cookies:
            return
        jar: SimpleCookie = SimpleCookie()
        items = cookies.items() if hasattr(cookies, "items") else cookies
        for name, value in items:
            if isinstance(value, Morsel):
                morsel: Morsel[str] = Morsel()
                morsel.set(value.key, value.value, value.coded_value)
                jar[name] = morsel
            elif isinstance(value, BaseCookie):
                for key, inner in value.items():
                    jar[key] = inner
            else:
                jar[name] = value
        text = "; ".join(
            f"{morsel.key}={morsel.coded_value if quote else morsel.value}"
            for morsel in jar.values()
        )
        existing = self.headers.get(hdrs.COOKIE)
        self.headers[hdrs.COOKIE] = f"{existing}; {text}" if existing else text

    def _update_auth(self, auth: BasicAuth | None) -> None:
        if auth is None:
            return
        if not isinstance(auth, BasicAuth):
            raise TypeError("BasicAuth() tuple is required instead")
        self.headers[hdrs.AUTHORIZATION] = auth.encode()

    def _update_proxy(
        self,
        proxy: URL | None,
        proxy_auth: BasicAuth | None,
        proxy_headers: LooseHeaders | None,
    ) -> None:
        self.proxy = proxy
        if proxy is None:
            self.proxy_auth = None
            self.proxy_headers = None
            return
        if proxy_auth is not None and not isinstance(proxy_auth, BasicAuth):
            raise ValueError("proxy_auth must be None or BasicAuth() tuple")
        if proxy_auth is None:
            proxy_auth = BasicAuth.from_url(proxy)
        if proxy.raw_user or proxy.raw_password:
            self.proxy = proxy.with_user(None)
        self.proxy_auth = proxy_auth
        extra: CIMultiDict[str] = CIMultiDict()
        if proxy_headers:
            items = (
                proxy_headers.items()
                if hasattr(proxy_headers, "items")
                else proxy_headers
            )
            for name, value in items:
                _check_field(name, value)
                extra.add(name, value)
        self.proxy_headers = extra
        if not self.is_ssl():
            # A plain-http target is asked of the proxy itself: its
            # credentials and headers go with the request.
            for name, value in extra.items():
                self.headers.add(name, value)
            if proxy_auth is not None:
                self.headers[hdrs.PROXY_AUTHORIZATION] = proxy_auth.encode()

    def _set_body(self, data: Any) -> None:
        if data is None or data == b"":
            self.body = b""
        elif isinstance(data, FormData):
            self.body = data()
        else:
            try:
                self.body = get_payload(data, disposition=None)
            except LookupError:
                self.body = FormData(data)()
        self._update_body_headers()

    def _update_body_headers(self) -> None:
        headers = self.headers
        body = self.body
        if body == b"":
            if (
                self.method not in _NO_BODY_METHODS
                and not self.chunked
                and hdrs.CONTENT_LENGTH not in headers
                and hdrs.TRANSFER_ENCODING not in headers
            ):
                headers[hdrs.CONTENT_LENGTH] = "0"
            return
        skip = self._skip_auto_headers
        if hdrs.CONTENT_TYPE not in headers and "content-type" not in skip:
            headers[hdrs.CONTENT_TYPE] = body.content_type
        for name, value in body.headers.items():
            if name not in headers and name.lower() not in skip:
                headers[name] = value

    def _update_transfer_encoding(self, compress: bool | str | None) -> None:
        headers = self.headers
        if compress:
            if hdrs.CONTENT_ENCODING in headers:
                raise ValueError(
                    "compress can not be set if Content-Encoding header is set"
                )
            if hdrs.CONTENT_LENGTH in headers:
                raise ValueError(
                    "compress can not be set if Content-Length header is set"
                )
            self.compress = "deflate" if compress is True else str(compress)
            headers[hdrs.CONTENT_ENCODING] = self.compress
            self.chunked = True
        if self.chunked:
            if hdrs.CONTENT_LENGTH in headers:
                raise ValueError(
                    "chunked can not be set if Content-Length header is set"
                )
            if hdrs.TRANSFER_ENCODING in headers:
                raise ValueError(
                    "chunked can not be set if Transfer-Encoding header is set"
                )
        elif hdrs.TRANSFER_ENCODING in headers:
            self.chunked = True
            return
        elif not isinstance(self.body, bytes) and hdrs.CONTENT_LENGTH not in headers:
            # (bytes, not the Payload ABC: an ABC's isinstance is slow.)
            size = self.body.size
            if size is None:
                self.chunked = True
            else:
                headers[hdrs.CONTENT_LENGTH] = str(size)
        if self.chunked:
            if self.version < HttpVersion11:
                raise ValueError(
                    "A body of unknown length needs HTTP/1.1 chunked coding"
                )
            headers[hdrs.TRANSFER_ENCODING] = "chunked"

    def _update_expect_continue(self, expect: bool) -> None:
        if expect:
            self.headers[hdrs.EXPECT] = "100-continue"
        elif self.headers.get(hdrs.EXPECT, "").lower() == "100-continue":
            expect = True
        self._expect100 = expect

    async def update_body(self, body: Any) -> None:
        """Replace the body, closing the previous payload; headers follow."""
        old = self.body
        for name in (hdrs.CONTENT_LENGTH, hdrs.TRANSFER_ENCODING):
            self.headers.popall(name, None)
        if isinstance(body, (FormData, Payload)):
            # A FormData or Payload names its own type (as documented); raw
            # bytes and text keep the Content-Type the caller set.
            self.headers.popall(hdrs.CONTENT_TYPE, None)
        if self.compress is None:
            self.chunked = None
        self._set_body(body)
        self._update_transfer_encoding(None)
        if isinstance(old, Payload) and old is not self.body:
            await old.close()

    # -- sending -------------------------------------------------------------

    def _request_target(self) -> str:
        url = self.url
        if self.proxy is None and self.method != hdrs.METH_CONNECT:
            return url.raw_path_qs or "/"
        if self.method == hdrs.METH_CONNECT:
            return f"{url.raw_host}:{url.port}"
        if self.proxy is not None and not self.is_ssl():
            # RFC 9112 3.2.2: absolute-form towards a proxy, which speaks
            # HTTP: a ws:// target is asked for as http://.
            if url.scheme == "ws":
                url = url.with_scheme("http")
            return str(url)
        path = url.raw_path_qs
        return path or "/"

    async def send(self, conn: Connection) -> ClientResponse:
        """Write the request to ``conn``; return the (not yet started) response."""
        protocol = conn.protocol
        if protocol is None:
            raise ClientConnectionError("Connection closed")
        traces = self._traces
        self._writer_protocol = protocol
        self._writer_error = None
        self._continue = self.loop.create_future() if self._expect100 else None
        writer = StreamWriter(
            protocol,
            self.loop,
            on_chunk_sent=self._on_chunk_sent if traces else None,
            on_headers_sent=self._on_headers_sent if traces else None,
        )
        if self.compress:
            writer.enable_compression(self.compress)
        headers = self.headers
        version = self.version
        connector = self.session.connector if self.session is not None else None
        if connector is not None and hdrs.CONNECTION not in headers:
            if version == HttpVersion10 and not connector.force_close:
                headers[hdrs.CONNECTION] = "keep-alive"
            elif version >= HttpVersion11 and connector.force_close:
                headers[hdrs.CONNECTION] = "close"
        if version is HttpVersion11:
            status_line = f"{self.method} {self._request_target()} HTTP/1.1"
        else:
            status_line = (
                f"{self.method} {self._request_target()} "
                f"HTTP/{version.major}.{version.minor}"
            )
        if traces:
            await writer.write_headers(status_line, headers)
        else:
            # Nobody listens for the head: no coroutine to await for it.
            writer.buffer_headers(status_line, headers)
        body = self.body
        if (
            self._continue is None
            and (body == b"" or type(body) is BytesPayload)
            and (body == b"" or (body.size or 0) <= _INLINE_BODY_MAX)
        ):
            try:
                if body != b"":
                    await body.write(writer)
                await writer.write_eof()
            except OSError as exc:
                raise self._os_error(exc) from exc
        else:
            if self._continue is not None:
                # The server answers the head alone before the body is sent.
                try:
                    writer.send_headers()
                except OSError as exc:
                    raise self._os_error(exc) from exc
            task = self.loop.create_task(self._write_body(writer))
            task.add_done_callback(self._on_writer_done)
            self._writer = task
        return self.response_class(
            self.method,
            self.original_url,
            writer=self._writer,
            continue100=self._continue,
            timer=self._timer,
            request_info=self.request_info,
            traces=traces,
            loop=self.loop,
            session=self.session,
        )

    @staticmethod
    def _os_error(exc: OSError) -> ClientOSError:
        if isinstance(exc, ClientOSError):
            return exc
        return ClientOSError(*exc.args)

    async def _write_body(self, writer: StreamWriter) -> None:
        if self._continue is not None and not await self._continue:
            # A final answer came first: the body is not sent at all.
            return
        body = self.body
        try:
            if body != b"":
                await body.write(writer)
            await writer.write_eof()
        except OSError as exc:
            raise self._os_error(exc) from exc

    def _on_writer_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        # The request is cut short on the wire: the response reader must
        # not wait for an answer the server will never send.
        self._writer_error = exc
        conn_protocol = self._writer_protocol
        if conn_protocol is not None:
            conn_protocol.close()

    @property
    def writer_error(self) -> BaseException | None:
        """Why writing the body failed, if it did."""
        return self._writer_error

    async def _on_chunk_sent(self, chunk: bytes) -> None:
        for trace in self._traces:
            await trace.send_request_chunk_sent(self.method, self.url, chunk)

    async def _on_headers_sent(self, headers: CIMultiDict[str]) -> None:
        for trace in self._traces:
            await trace.send_request_headers(self.method, self.url, headers)
