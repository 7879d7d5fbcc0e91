"""The client side of a WebSocket: ``ws_connect`` and ``ClientWebSocketResponse``.

``ws_connect`` sends the upgrade request through the session's ordinary
request machinery (pool, proxies, TLS, redirects, middlewares, tracing),
checks the 101 answer with ``aiohttp_ws.ClientHandshake`` and hands every
later byte of the connection to an ``aiohttp_ws.WebSocketConnection``.
``ClientWebSocketResponse`` is the user's view of that connection; the
pooled connection is given up as soon as the WebSocket is closed or lost.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Awaitable, Coroutine, Iterable
from ssl import SSLContext
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

from multidict import CIMultiDict
from yarl import URL

from aiohttp_core import hdrs
from aiohttp_core.basic_auth import BasicAuth
from aiohttp_core.helpers import Sentinel, sentinel
from aiohttp_core.typedefs import LooseHeaders, Query, StrOrURL
from aiohttp_ws import (
    ClientHandshake,
    HandshakeResult,
    WebSocketConnection,
    WebSocketReader,
    WebSocketWriter,
    WSCloseCode,
    WSHandshakeError,
    WSMessage,
    WSMsgType,
)
from aiohttp_ws.messages import JSONEncoder, WebSocketMessages

from .exceptions import (
    ClientConnectionResetError,
    ServerTimeoutError,
    WSServerHandshakeError,
)
from .request_context import AwaitableContext
from .response import ClientResponse
from .timeouts import ClientWSTimeout
from .tls import Fingerprint

if TYPE_CHECKING:
    from .session import ClientSession

__all__ = (
    "DEFAULT_WS_CLIENT_TIMEOUT",
    "ClientWebSocketResponse",
    "JSONEncoder",
    "WSConnectContextManager",
    "ws_connect",
)

#: No limit on one ``receive()``, 10 seconds for the closing handshake.
DEFAULT_WS_CLIENT_TIMEOUT: Final = ClientWSTimeout(ws_receive=None, ws_close=10.0)
_DEFAULT_MAX_MSG_SIZE: Final = 4 * 1024 * 1024
#: Bytes sent between two looks at whether the transport must drain, and the
#: most that the answers to one read are held back to go out together:
#: enough for the four 64 KiB messages one read of the transport can bring.
_WRITER_LIMIT: Final = 2**18
_DONE: Final = frozenset(
    (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR)
)


class ClientWebSocketResponse(WebSocketMessages):
    """An open client WebSocket; made by ``ClientSession.ws_connect``.

    ``send_str``, ``receive_json``, ``async for`` and the other message calls
    come from ``aiohttp_ws.WebSocketMessages``.
    """

    def __init__(
        self,
        response: ClientResponse,
        connection: WebSocketConnection,
        *,
        protocol: str | None,
        compress: int,
        client_notakeover: bool,
        timeout: ClientWSTimeout,
    ) -> None:
        self._response = response
        self._conn = connection
        self._protocol = protocol
        self._compress = compress
        self._client_notakeover = client_notakeover
        self._timeout = timeout
        self._close_received = False
        connection.on_ending(self._message_ending)

    def __repr__(self) -> str:
        return f"<ClientWebSocketResponse {self._response.url} {self._conn!r}>"

    def _connection_lost(self) -> None:
        """Give the pooled connection up once the transport is gone."""
        self._response.close()

    # -- state --------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once ``close()`` was called or the peer's CLOSE was received."""
        return self._close_received or self._conn.closed

    @property
    def close_code(self) -> int | None:
        """The peer's close code (or the code of the failure); None while open."""
        return self._conn.close_code

    @property
    def protocol(self) -> str | None:
        """The subprotocol the server chose, None without one."""
        return self._protocol

    @property
    def compress(self) -> int:
        """The window bits of permessage-deflate when agreed, else 0."""
        return self._compress

    @property
    def client_notakeover(self) -> bool:
        """True when our compressor starts each message afresh."""
        return self._client_notakeover

    @property
    def timeout(self) -> ClientWSTimeout:
        """The receive and close timeouts of this WebSocket."""
        return self._timeout

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """Extra information of the connection's transport."""
        return self._conn.get_extra_info(name, default)

    def exception(self) -> BaseException | None:
        """The last error, or None."""
        return self._conn.exception()

    # -- sending ------------------------------------------------------------------

    async def ping(self, message: bytes | str = b"") -> None:
        """Send a PING."""
        await self._conn.ping(message)

    async def pong(self, message: bytes | str = b"") -> None:
        """Send an unsolicited PONG."""
        await self._conn.pong(message)

    async def send_frame(
        self,
        message: bytes | bytearray | memoryview,
        opcode: WSMsgType,
        compress: int | None = None,
    ) -> None:
        """Send ``message`` as is, with ``opcode`` (low level)."""
        await self._conn.send_frame(message, opcode, compress)

    def _send(
        self,
        message: bytes | bytearray | memoryview,
        opcode: WSMsgType,
        compress: int | None,
    ) -> Awaitable[None]:
        return self._conn.send_frame(message, opcode, compress)

    async def close(
        self, *, code: int = WSCloseCode.OK, message: bytes | str = b""
    ) -> bool:
        """Send CLOSE and wait (``ws_close`` seconds) for the server's.

        False when closing had already started.
        """
        try:
            return await self._conn.close(code=code, message=message)
        finally:
            if self._conn.closed:
                self._response.close()

    # -- receiving ----------------------------------------------------------------

    def receive(self, timeout: float | None = None) -> Coroutine[Any, Any, WSMessage]:
        """The next message; PING, PONG and CLOSE are handled on the way.

        ``timeout`` overrides ``ws_receive`` for this call; when it expires
        ``asyncio.TimeoutError`` is raised and the WebSocket stays open.
        (The connection's own coroutine, not a wrapper: one less per message.)
        """
        return self._conn.receive(timeout)

    def __anext__(self) -> Awaitable[WSMessage]:
        """The next message; the iteration ends at CLOSE, CLOSING or CLOSED."""
        if type(self).receive is not ClientWebSocketResponse.receive:
            return super().__anext__()
        return self._conn.receive(iterating=True)

    def _message_ending(self, message: WSMessage) -> None:
        """The connection returns a last message: give the pooled one up."""
        if message.type in _DONE:
            if message.type is WSMsgType.CLOSE:
                self._close_received = True
            if self._conn.closed:
                self._response.close()

    async def __aenter__(self) -> ClientWebSocketResponse:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class WSConnectContextManager(AwaitableContext[ClientWebSocketResponse]):
    """``await`` it for the WebSocket, or ``async with`` it to close it at exit."""

    __slots__ = ("_ws",)

    def __init__(self, coro: Coroutine[Any, Any, ClientWebSocketResponse]) -> None:
        super().__init__(coro)
        self._ws: ClientWebSocketResponse | None = None

    async def __aenter__(self) -> ClientWebSocketResponse:
        self._ws = await self._coro
        return self._ws

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._ws is not None:
            await self._ws.close()


def ws_connect(
    session: ClientSession,
    url: StrOrURL,
    *,
    method: str = hdrs.METH_GET,
    protocols: Iterable[str] = (),
    timeout: ClientWSTimeout | float | Sentinel | None = sentinel,
    receive_timeout: float | None = None,
    autoclose: bool = True,
    autoping: bool = True,
    heartbeat: float | None = None,
    auth: BasicAuth | None = None,
    origin: str | None = None,
    params: Query = None,
    headers: LooseHeaders | None = None,
    proxy: StrOrURL | None = None,
    proxy_auth: BasicAuth | None = None,
    ssl: SSLContext | Fingerprint | bool = True,
    verify_ssl: bool | None = None,
    fingerprint: bytes | None = None,
    ssl_context: SSLContext | None = None,
    server_hostname: str | None = None,
    proxy_headers: LooseHeaders | None = None,
    compress: int = 0,
    max_msg_size: int = _DEFAULT_MAX_MSG_SIZE,
) -> WSConnectContextManager:
    """Open a WebSocket to ``url`` through ``session``.

    Await the result for a ``ClientWebSocketResponse``, or use it with
    ``async with`` to close the WebSocket when the block ends.  A server
    that does not accept the upgrade raises ``WSServerHandshakeError``.
    """
    ws_timeout = _ws_timeout(timeout, receive_timeout)
    ssl = _merge_ssl(ssl, verify_ssl, fingerprint, ssl_context)
    if max_msg_size < 0:
        raise ValueError(f"max_msg_size must be 0 or more, not {max_msg_size}")
    if heartbeat is not None and heartbeat < 0:
        raise ValueError(f"heartbeat must be positive, not {heartbeat}")
    if isinstance(protocols, str):
        # A lone string would be offered letter by letter.
        protocols = (protocols,)
    # Raises ValueError for a bad ``compress`` before anything is sent.
    handshake = ClientHandshake(protocols=tuple(protocols), compress=compress)
    return WSConnectContextManager(
        _connect(
            session,
            url,
            handshake,
            method=method,
            timeout=ws_timeout,
            autoclose=autoclose,
            autoping=autoping,
            heartbeat=heartbeat,
            auth=auth,
            origin=origin,
            params=params,
            headers=headers,
            proxy=proxy,
            proxy_auth=proxy_auth,
            ssl=ssl,
            server_hostname=server_hostname,
            proxy_headers=proxy_headers,
            max_msg_size=max_msg_size,
        )
    )


def _ws_timeout(
    timeout: ClientWSTimeout | float | Sentinel | None, receive_timeout: float | None
) -> ClientWSTimeout:
    """The ``ClientWSTimeout`` that ``timeout`` and ``receive_timeout`` mean."""
    if timeout is sentinel:
        result = DEFAULT_WS_CLIENT_TIMEOUT
    elif timeout is None:
        result = ClientWSTimeout(ws_receive=None, ws_close=None)
    elif isinstance(timeout, ClientWSTimeout):
        result = timeout
    elif isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        warnings.warn(
            "a number as the timeout of ws_connect() is deprecated, "
            "use timeout=ClientWSTimeout(ws_close=...)",
            DeprecationWarning,
            stacklevel=3,
        )
        result = ClientWSTimeout(ws_receive=None, ws_close=float(timeout))
    else:
        raise TypeError(
            f"timeout must be a ClientWSTimeout, not {type(timeout).__name__}"
        )
    if receive_timeout is not None:
        warnings.warn(
            "receive_timeout is deprecated, "
            "use timeout=ClientWSTimeout(ws_receive=...)",
            DeprecationWarning,
            stacklevel=3,
        )
        result = ClientWSTimeout(ws_receive=receive_timeout, ws_close=result.ws_close)
    return result


def _merge_ssl(
    ssl: SSLContext | Fingerprint | bool,
    verify_ssl: bool | None,
    fingerprint: bytes | None,
    ssl_context: SSLContext | None,
) -> SSLContext | Fingerprint | bool:
    """``ssl`` with the deprecated ``verify_ssl``/``fingerprint``/``ssl_context``."""
    old = {
        name: value
        for name, value in (
            ("verify_ssl", verify_ssl),
            ("fingerprint", fingerprint),
            ("ssl_context", ssl_context),
        )
        if value is not None
    }
    if not old:
        return ssl
    names = ", ".join(old)
    if len(old) > 1 or ssl is not True:
        raise ValueError(f"ssl and {names} are mutually exclusive; use ssl only")
    warnings.warn(
        f"{names} is deprecated, use ssl=...", DeprecationWarning, stacklevel=3
    )
    if ssl_context is not None:
        return ssl_context
    if fingerprint is not None:
        return Fingerprint(fingerprint)
    return bool(verify_ssl)


async def _connect(
    session: ClientSession,
    url: StrOrURL,
    handshake: ClientHandshake,
    *,
    method: str,
    timeout: ClientWSTimeout,
    autoclose: bool,
    autoping: bool,
    heartbeat: float | None,
    auth: BasicAuth | None,
    origin: str | None,
    params: Query,
    headers: LooseHeaders | None,
    proxy: StrOrURL | None,
    proxy_auth: BasicAuth | None,
    ssl: SSLContext | Fingerprint | bool,
    server_hostname: str | None,
    proxy_headers: LooseHeaders | None,
    max_msg_size: int,
) -> ClientWebSocketResponse:
    """Send the upgrade request, check the answer, start the WebSocket."""
    real_headers: CIMultiDict[str] = CIMultiDict(headers or ())
    fields = handshake.request_headers()
    for name in ("Upgrade", "Connection", "Sec-WebSocket-Version"):
        real_headers.setdefault(name, fields.pop(name))
    for name, value in fields.items():
        # Our key, protocols and offer: the answer is checked against them.
        real_headers[name] = value
    if origin is not None:
        real_headers[hdrs.ORIGIN] = origin
    resp = await session.request(
        method,
        url if isinstance(url, URL) else URL(url),
        params=params,
        headers=real_headers,
        read_until_eof=False,
        auth=auth,
        proxy=proxy,
        proxy_auth=proxy_auth,
        ssl=ssl,
        server_hostname=server_hostname,
        proxy_headers=proxy_headers,
    )
    try:
        agreed = _check_answer(resp, handshake)
        connection = resp.connection
        protocol = None if connection is None else connection.protocol
        if protocol is None or not protocol.upgraded:
            raise WSServerHandshakeError(
                resp.request_info,
                resp.history,
                message="The connection was not upgraded",
                status=resp.status,
                headers=resp.headers,
            )
    except BaseException:
        resp.close()
        raise
    deflate = agreed.deflate
    conn = WebSocketConnection(
        protocol,
        WebSocketReader(is_server=False, max_msg_size=max_msg_size, deflate=deflate),
        WebSocketWriter(is_client=True, deflate=deflate),
        loop=session.loop,
        # None means no limit on the closing handshake.
        timeout=math.inf if timeout.ws_close is None else timeout.ws_close,
        receive_timeout=timeout.ws_receive,
        autoclose=autoclose,
        autoping=autoping,
        heartbeat=heartbeat,
        reset_error=ClientConnectionResetError,
        timeout_error=ServerTimeoutError,
        writer_limit=_WRITER_LIMIT,
    )
    response_class = session.ws_response_class or ClientWebSocketResponse
    ws: ClientWebSocketResponse = response_class(
        resp,
        conn,
        protocol=agreed.protocol,
        compress=0 if deflate is None else deflate.send_window_bits(False),
        client_notakeover=deflate is not None and deflate.client_no_context_takeover,
        timeout=timeout,
    )
    protocol.closed.add_done_callback(lambda _: ws._connection_lost())
    protocol.set_parser(conn)
    return ws


def _check_answer(resp: ClientResponse, handshake: ClientHandshake) -> HandshakeResult:
    """The handshake's outcome; ``WSServerHandshakeError`` when refused."""
    try:
        return handshake.check_response(resp.status, resp.headers)
    except WSHandshakeError as exc:
        raise WSServerHandshakeError(
            resp.request_info,
            resp.history,
            message=str(exc),
            status=resp.status,
            headers=resp.headers,
        ) from exc
