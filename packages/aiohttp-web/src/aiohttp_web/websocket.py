"""``WebSocketResponse``: the server side of a WebSocket (RFC 6455).

``prepare`` checks the upgrade request (``aiohttp_ws.server_handshake``),
sends the 101 answer and hands every later byte of the connection to an
``aiohttp_ws.WebSocketConnection`` through ``RequestHandler.set_parser``.
Everything else delegates to that connection.  A graceful shutdown of the
runner closes the websockets still open with GOING_AWAY (1001).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from aiohttp_core.abc import AbstractStreamWriter
from aiohttp_ws import (
    WebSocketConnection,
    WebSocketReader,
    WebSocketWriter,
    WSCloseCode,
    WSHandshakeError,
    WSMessage,
    WSMsgType,
    server_handshake,
)
from aiohttp_ws.handshake import ServerHandshake
from aiohttp_ws.messages import JSONEncoder, WebSocketMessages

from .exceptions import HTTPBadRequest, HTTPMethodNotAllowed
from .runner import on_going_away
from .stream_response import StreamResponse

if TYPE_CHECKING:
    from .request import BaseRequest

__all__ = ("JSONEncoder", "WebSocketReady", "WebSocketResponse")

_DEFAULT_MAX_MSG_SIZE: Final = 4 * 1024 * 1024
_END_OF_ITERATION: Final = frozenset(
    (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED)
)


async def _not_prepared() -> WSMessage:
    raise RuntimeError("Call .prepare() first")


class WebSocketReady(NamedTuple):
    """The answer of ``WebSocketResponse.can_prepare``; true when ``ok``."""

    ok: bool
    protocol: str | None

    def __bool__(self) -> bool:
        return self.ok


class WebSocketResponse(WebSocketMessages, StreamResponse):
    """A response that turns the connection into a WebSocket.

    ``send_str``, ``receive_json``, ``async for`` and the other message calls
    come from ``aiohttp_ws.WebSocketMessages``.
    """

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        receive_timeout: float | None = None,
        autoclose: bool = True,
        autoping: bool = True,
        heartbeat: float | None = None,
        protocols: Iterable[str] = (),
        compress: bool = True,
        max_msg_size: int = _DEFAULT_MAX_MSG_SIZE,
        writer_limit: int = 2**16,
    ) -> None:
        super().__init__(status=101)
        self._protocols = tuple(protocols)
        self._ws_timeout = timeout
        self._receive_timeout = receive_timeout
        self._autoclose = autoclose
        self._autoping = autoping
        self._heartbeat = heartbeat
        self._compress_wanted = compress
        self._max_msg_size = max_msg_size
        self._writer_limit = writer_limit
        self._conn: WebSocketConnection | None = None
        self._ws_protocol: str | None = None
        self._unregister: Callable[[], None] | None = None

    def __repr__(self) -> str:
        state = "not prepared" if self._conn is None else repr(self._conn)
        return f"<WebSocketResponse {state}>"

    # -- handshake ----------------------------------------------------------------

    def _handshake(self, request: BaseRequest) -> ServerHandshake:
        return server_handshake(
            request.method,
            request.headers,
            protocols=self._protocols,
            compress=self._compress_wanted,
        )

    def can_prepare(self, request: BaseRequest) -> WebSocketReady:
        """Tell whether ``prepare`` would succeed on ``request``; never raises."""
        try:
            agreed = self._handshake(request)
        except WSHandshakeError:
            return WebSocketReady(False, None)
        return WebSocketReady(True, agreed.protocol)

    async def prepare(self, request: BaseRequest) -> AbstractStreamWriter | None:
        """Answer the upgrade (101) and start the WebSocket.

        Raises ``HTTPMethodNotAllowed`` or ``HTTPBadRequest`` when the
        request is not a valid WebSocket upgrade.
        """
        if self._payload_writer is not None or self._eof_sent:
            return await super().prepare(request)
        try:
            agreed = self._handshake(request)
        except WSHandshakeError as exc:
            if exc.status == 405:
                raise HTTPMethodNotAllowed(request.method, ["GET"]) from exc
            raise HTTPBadRequest(
                text=str(exc), headers={"Sec-WebSocket-Version": "13"}
            ) from exc
        for name, value in agreed.headers:
            self.headers[name] = value
        writer = await super().prepare(request)
        if writer is None:  # write_eof() came first: nothing to start
            return None
        await writer.drain()  # the 101 leaves now, before any frame
        self._start_websocket(request, agreed)
        return writer

    def _start_websocket(self, request: BaseRequest, agreed: ServerHandshake) -> None:
        protocol = request.protocol
        reader = WebSocketReader(
            is_server=True, max_msg_size=self._max_msg_size, deflate=agreed.deflate
        )
        writer = WebSocketWriter(is_client=False, deflate=agreed.deflate)
        self._ws_protocol = agreed.protocol
        self._conn = WebSocketConnection(
            protocol,
            reader,
            writer,
            loop=protocol._loop,
            timeout=self._ws_timeout,
            receive_timeout=self._receive_timeout,
            autoclose=self._autoclose,
            autoping=self._autoping,
            heartbeat=self._heartbeat,
            writer_limit=self._writer_limit,
        )
        self._unregister = on_going_away(request, self._going_away)
        self._conn.on_ending(self._message_ending)
        protocol.set_parser(self._conn)

    async def _going_away(self) -> None:
        await self.close(code=WSCloseCode.GOING_AWAY, message=b"Server shutdown")

    def _connection(self) -> WebSocketConnection:
        conn = self._conn
        if conn is None:
            raise RuntimeError("Call .prepare() first")
        return conn

    # -- state --------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once the connection closed or is closing."""
        return self._conn is not None and self._conn.closed

    @property
    def close_code(self) -> int | None:
        """The peer's close code; None while the connection is open."""
        return None if self._conn is None else self._conn.close_code

    @property
    def ws_protocol(self) -> str | None:
        """The subprotocol agreed with the client, None without one."""
        return self._ws_protocol

    @property
    def compress(self) -> bool:
        """True when permessage-deflate is (or, before prepare, may be) used."""
        if self._conn is None:
            return self._compress_wanted
        return self._conn.compress

    def exception(self) -> BaseException | None:
        """The last error, or None."""
        return None if self._conn is None else self._conn.exception()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """Extra information of the connection's transport."""
        if self._conn is None:
            return default
        return self._conn.get_extra_info(name, default)

    # -- sending ------------------------------------------------------------------

    async def ping(self, message: bytes | str = b"") -> None:
        """Send a PING."""
        await self._connection().ping(message)

    async def pong(self, message: bytes | str = b"") -> None:
        """Send an unsolicited PONG."""
        await self._connection().pong(message)

    async def send_frame(
        self,
        message: bytes | bytearray | memoryview,
        opcode: WSMsgType,
        compress: int | None = None,
    ) -> None:
        """Send ``message`` as is, with ``opcode`` (low level)."""
        conn = self._conn
        if conn is None:
            raise RuntimeError("Call .prepare() first")
        await conn.send_frame(message, opcode, compress)

    def _send(
        self,
        message: bytes | bytearray | memoryview,
        opcode: WSMsgType,
        compress: int | None,
    ) -> Awaitable[None]:
        conn = self._conn
        if conn is None:
            raise RuntimeError("Call .prepare() first")
        return conn.send_frame(message, opcode, compress)

    async def close(
        self,
        *,
        code: int = WSCloseCode.OK,
        message: bytes | str = b"",
        drain: bool = True,
    ) -> bool:
        """Start the closing handshake; False if it had already started."""
        conn = self._connection()
        if self._unregister is not None:
            self._unregister()
            self._unregister = None
        return await conn.close(code=code, message=message, drain=drain)

    # -- receiving ----------------------------------------------------------------

    def receive(self, timeout: float | None = None) -> Coroutine[Any, Any, WSMessage]:
        """The next message from the peer (call from the handler's task only).

        The connection's own coroutine, not a wrapper around it: one
        coroutine less per message.
        """
        conn = self._conn
        if conn is None:
            return _not_prepared()
        return conn.receive(timeout)

    def __anext__(self) -> Awaitable[WSMessage]:
        """The next message; the iteration ends at CLOSE, CLOSING or CLOSED."""
        conn = self._conn
        if conn is None or type(self).receive is not WebSocketResponse.receive:
            return super().__anext__()
        return conn.receive(iterating=True)

    def _message_ending(self, message: WSMessage) -> None:
        """The connection returns its last messages: leave the shutdown list."""
        if self._unregister is not None and message.type in _END_OF_ITERATION:
            self._unregister()
            self._unregister = None

    # -- the body API does not apply ------------------------------------------------

    async def write(self, data: bytes | bytearray | memoryview) -> None:
        """Refused: a websocket sends messages, not a body."""
        raise RuntimeError("Cannot call .write() for websocket")

    async def write_eof(self, data: bytes = b"") -> None:
        """End the response: close the websocket if the handler did not."""
        if self._eof_sent:
            return
        if self._payload_writer is None:
            raise RuntimeError("Response has not been started")
        if self._conn is not None:
            await self.close()
        self._eof_sent = True
