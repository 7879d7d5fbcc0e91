"""``WebSocketConnection``: the asyncio side of an open WebSocket.

Server and client responses both wrap one.  It is given the connection's
``BaseProtocol`` (its transport and flow control) once the handshake is
done, and must receive every later byte through ``feed_data`` /
``feed_eof`` (the server passes it to ``RequestHandler.set_parser``).  It
keeps the received messages for ``receive``, answers pings, plays the
closing handshake, sends heartbeats, and frames what is sent.

Reading must happen in one task; sending and ``close`` may happen in any.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Final

from aiohttp_core.base_protocol import BaseProtocol
from aiohttp_core.connection_errors import ClientConnectionResetError

from .frame_reader import NO_STATUS_RECEIVED
from .frame_writer import WebSocketWriter
from .models import (
    WS_CLOSED_MESSAGE,
    WS_CLOSING_MESSAGE,
    WebSocketError,
    WSCloseCode,
    WSMessage,
    WSMsgType,
)
from .reader import WebSocketReaderPy

__all__ = ("WebSocketConnection",)

#: ``receive`` calls after the close that return CLOSED before it raises:
#: a loop that ignores CLOSED must not spin forever.
_CLOSED_CALLS_BEFORE_ERROR: Final = 5
#: Received bytes queued and not read yet before reading from the peer pauses.
#: Well above one ordinary message: pausing and resuming costs two system
#: calls, which a stream of 64 KiB messages must not pay for each one.
_READ_HIGH_WATER: Final = 2**20
#: Queued bytes under which reading resumes.
_READ_LOW_WATER: Final = _READ_HIGH_WATER // 4
#: Frames larger than this are held back to be joined only while received
#: messages wait to be answered: copying them costs more than the system
#: call that joining saves, less than waking the peer once per frame.
_BATCH_MAX_FRAME: Final = 2**12
_TEXT: Final = WSMsgType.TEXT
_BINARY: Final = WSMsgType.BINARY
#: What ends ``async for``: the closing handshake, not an ERROR.
_END_OF_ITERATION: Final = frozenset(
    (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED)
)


class WebSocketConnection:
    """Messages in and out of one WebSocket, over an asyncio transport."""

    def __init__(
        self,
        protocol: BaseProtocol,
        reader: WebSocketReaderPy,
        writer: WebSocketWriter,
        *,
        loop: asyncio.AbstractEventLoop,
        timeout: float | None = 10.0,
        receive_timeout: float | None = None,
        autoclose: bool = True,
        autoping: bool = True,
        heartbeat: float | None = None,
        writer_limit: int = 2**16,
        reset_error: type[ConnectionResetError] = ClientConnectionResetError,
        timeout_error: type[Exception] = asyncio.TimeoutError,
    ) -> None:
        self._protocol = protocol
        self._reader = reader
        self._writer = writer
        self._loop = loop
        self._timeout = timeout
        self._receive_timeout = receive_timeout
        self._autoclose = autoclose
        self._autoping = autoping
        self._writer_limit = writer_limit
        self._reset_error = reset_error
        self._timeout_error = timeout_error
        self._messages: deque[WSMessage] = deque()
        self._queued_bytes = 0
        self._read_paused = False
        self._waiter: asyncio.Future[None] | None = None
        self._reading = False
        self._peer_done: asyncio.Future[None] = loop.create_future()
        self._closed = False  # we sent CLOSE (or gave up on the connection)
        self._closing = False  # the peer's CLOSE was received
        self._close_code: int | None = None
        self._exception: BaseException | None = None
        self._closed_calls = 0
        self._ending_callback: Callable[[WSMessage], None] | None = None
        self._unsent = 0
        # What a send that need not wait returns: awaiting a done future
        # runs no Python code at all.
        self._sent: asyncio.Future[None] = loop.create_future()
        self._sent.set_result(None)
        # Frames held back until the end of this turn of the event loop;
        # None when the next frame may go out at once (see _write).
        self._batch: list[bytes | bytearray] | None = None
        self._held = 0  # bytes in _batch
        self._flush_scheduled = False
        # Heartbeat: one timer, re-armed lazily from the last reception.
        self._heartbeat = heartbeat
        self._pong_timeout = heartbeat / 2.0 if heartbeat else None
        self._last_received = loop.time()
        self._ping_sent_at: float | None = None
        self._heartbeat_handle: asyncio.TimerHandle | None = None
        if heartbeat:
            self._heartbeat_handle = loop.call_later(heartbeat, self._on_heartbeat)

    def __repr__(self) -> str:
        state = "closed" if self._closed else "closing" if self._closing else "open"
        return f"<WebSocketConnection {state} queued={len(self._messages)}>"

    # -- state ------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once closing started (our CLOSE sent) or the connection is gone."""
        return self._closed

    @property
    def close_code(self) -> int | None:
        """The peer's close code (or the code of the failure); None while open."""
        return self._close_code

    @property
    def compress(self) -> bool:
        """True when permessage-deflate is in use."""
        return self._writer.compress

    def exception(self) -> BaseException | None:
        """The last error, or None."""
        return self._exception

    def get_extra_info(self, name: str, default: object = None) -> object:
        """Extra information of the transport (``default`` once it is gone)."""
        transport = self._protocol.transport
        if transport is None:
            return default
        return transport.get_extra_info(name, default)

    # -- bytes from the protocol --------------------------------------------------

    def feed_data(self, data: bytes) -> None:
        """Take bytes received from the peer."""
        reader = self._reader
        if reader.closed and self._peer_done.done():
            return
        if self._heartbeat:
            self._last_received = self._loop.time()
        messages = reader.feed_data(data)
        if not messages:
            return
        # The loop of _push, inlined for the common case: data messages,
        # one wake-up and one flow-control check for the whole read.
        queue = self._messages
        queued = self._queued_bytes
        for message in messages:
            kind = message.type
            if kind is _TEXT or kind is _BINARY:
                queued += len(message.data)
            elif kind is WSMsgType.CLOSE or kind is WSMsgType.ERROR:
                self._peer_finished()
            queue.append(message)
        self._queued_bytes = queued
        if queued > _READ_HIGH_WATER and not self._read_paused:
            self._read_paused = True
            self._protocol.pause_reading()
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def feed_eof(self) -> None:
        """The peer closed its side, or the connection was lost."""
        if self._reader.closed and self._peer_done.done():
            return
        for message in self._reader.feed_eof():
            self._push(message)

    def _peer_finished(self) -> None:
        """The peer's CLOSE or a failure arrived: the peer will send no more."""
        self._cancel_heartbeat()
        if not self._peer_done.done():
            self._peer_done.set_result(None)

    def _push(self, message: WSMessage) -> None:
        kind = message.type
        if kind is WSMsgType.CLOSE or kind is WSMsgType.ERROR:
            self._peer_finished()
        elif kind is _TEXT or kind is _BINARY:
            self._queued_bytes += len(message.data)
            if self._queued_bytes > _READ_HIGH_WATER and not self._read_paused:
                self._read_paused = True
                self._protocol.pause_reading()
        self._messages.append(message)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- receiving ----------------------------------------------------------------

    async def receive(
        self, timeout: float | None = None, *, iterating: bool = False
    ) -> WSMessage:
        """The next message; answers PING and CLOSE itself (see the docs).

        ``iterating``: for ``async for``, raise ``StopAsyncIteration``
        instead of returning CLOSE, CLOSING or CLOSED (the responses hand
        this coroutine out as ``__anext__``: no wrapper per message).
        """
        if self._reading:
            raise RuntimeError("Concurrent call to receive() is not allowed")
        if timeout is None:
            timeout = self._receive_timeout
        # One deadline for the whole call: PINGs and PONGs answered on the
        # way (a heartbeat's, say) must not restart the clock.
        deadline = None if timeout is None else self._loop.time() + timeout
        messages = self._messages
        while True:
            if self._closed:
                self._closed_calls += 1
                if self._closed_calls >= _CLOSED_CALLS_BEFORE_ERROR:
                    raise RuntimeError("WebSocket connection is closed.")
                return self._ending(WS_CLOSED_MESSAGE, iterating)
            if self._closing:
                return self._ending(WS_CLOSING_MESSAGE, iterating)
            if not messages:
                # Written here rather than in a helper coroutine: one frame
                # less to create and resume per wait.
                batch = self._batch
                if batch is not None:
                    # Nothing more will be sent before the peer answers.
                    if batch:
                        self._flush_batch()
                    self._batch = None
                self._reading = True
                try:
                    while not messages:
                        waiter = self._waiter = self._loop.create_future()
                        try:
                            if deadline is None:
                                # wait_for() costs a coroutine and a getpid().
                                await waiter
                            else:
                                await asyncio.wait_for(
                                    waiter, deadline - self._loop.time()
                                )
                        finally:
                            self._waiter = None
                except asyncio.CancelledError:
                    self._close_code = WSCloseCode.ABNORMAL_CLOSURE
                    raise
                finally:
                    self._reading = False
            message = messages.popleft()
            kind = message.type
            if kind is _TEXT or kind is _BINARY:
                self._queued_bytes -= len(message.data)
                if self._read_paused and self._queued_bytes <= _READ_LOW_WATER:
                    self._read_paused = False
                    self._protocol.resume_reading()
                return message
            if kind is WSMsgType.ERROR:
                return self._ending(await self._failed(message), iterating)
            if kind is WSMsgType.CLOSE:
                self._closing = True
                self._close_code = message.data
                if not self._closed and self._autoclose:
                    # Echo the peer's code unless it may not be sent.
                    code = message.data
                    if code == NO_STATUS_RECEIVED:
                        code = WSCloseCode.OK
                    await self.close(code=code, drain=False)
                return self._ending(message, iterating)
            if kind is WSMsgType.PING and self._autoping:
                # A peer gone meanwhile shows up as the next message.
                with contextlib.suppress(ConnectionResetError):
                    await self._send_control(WSMsgType.PONG, message.data)
                continue
            if kind is WSMsgType.PONG and self._autoping:
                continue
            return message

    def on_ending(self, callback: Callable[[WSMessage], None] | None) -> None:
        """Have ``callback`` see each CLOSE, CLOSING, CLOSED or ERROR returned.

        It runs in ``receive`` just before the message is returned: the
        responses tidy up there without wrapping every ``receive`` call.
        """
        self._ending_callback = callback

    def _ending(self, message: WSMessage, iterating: bool = False) -> WSMessage:
        callback = self._ending_callback
        if callback is not None:
            callback(message)
        if iterating and message.type in _END_OF_ITERATION:
            raise StopAsyncIteration
        return message

    async def _failed(self, message: WSMessage) -> WSMessage:
        """The reader or the heartbeat failed: close with the error's code."""
        exc = message.data
        code = exc.code if isinstance(exc, WebSocketError) else None
        if code == WSCloseCode.ABNORMAL_CLOSURE:
            # The peer vanished without a CLOSE frame: nothing to answer.
            self._close_code = code
            self._exception = exc
            self._give_up()
            return WS_CLOSED_MESSAGE
        self._exception = exc
        if code is None:
            self._close_code = WSCloseCode.ABNORMAL_CLOSURE
            self._give_up()
        else:
            self._close_code = code
            await self.close(code=code, drain=False)
        return message

    def _give_up(self) -> None:
        self._closed = True
        self._closing = True
        self._cancel_heartbeat()
        self._flush_batch()
        transport = self._protocol.transport
        if transport is not None:
            transport.close()

    # -- sending ----------------------------------------------------------------

    def _write(self, data: bytes | bytearray) -> bool:
        """Hand ``data`` to the transport; True when it is time to ask
        whether the transport's buffer is full (and then to drain it).

        A frame is held back, to go out with the frames after it in one
        system call, when the reading task has more received messages to
        answer (the answers to one read then wake the peer once, not once
        each), or when it is small and another frame went out just before
        it in this turn of the event loop (a burst of sends).  Held frames
        go out with the next frame that is not held, when the reading task
        waits for the peer, or at the end of the turn.  A lone message
        answered by a lone message never waits.
        """
        transport = self._protocol.transport
        if transport is None or transport.is_closing():
            raise self._reset_error("Cannot write to closing transport")
        size = len(data)
        batch = self._batch
        if (
            self._messages or (batch is not None and size <= _BATCH_MAX_FRAME)
        ) and self._held + size <= self._writer_limit:
            if batch is None:
                batch = self._batch = []
            batch.append(data)
            self._held += size
            if not self._flush_scheduled:
                self._flush_scheduled = True
                self._loop.call_soon(self._flush)
        elif batch:
            batch.append(data)
            self._flush_batch()
        else:
            transport.write(data)
            if batch is None:
                self._batch = []
        self._unsent += size
        if self._unsent > self._writer_limit:
            # Asked every ``writer_limit`` bytes rather than on every frame:
            # a paused transport's buffer grows by that much at most (held
            # frames go out before a drain, in ``_drain``).
            self._unsent = 0
            return True
        return False

    def _flush_batch(self) -> None:
        """Write the frames held back, in one call."""
        batch = self._batch
        if batch:
            self._batch = []
            self._held = 0
            transport = self._protocol.transport
            # A transport gone meanwhile has lost them anyway.
            if transport is not None and not transport.is_closing():
                transport.write(batch[0] if len(batch) == 1 else b"".join(batch))

    def _flush(self) -> None:
        """The end of a turn: write what was held; the next frame goes out at once."""
        self._flush_scheduled = False
        self._flush_batch()
        self._batch = None

    async def _drain(self) -> None:
        self._flush_batch()
        try:
            await self._protocol._drain_helper()
        except ConnectionResetError as exc:
            if isinstance(exc, self._reset_error):
                raise
            raise self._reset_error(str(exc)) from exc

    def send_frame(
        self,
        message: bytes | bytearray | memoryview,
        opcode: int,
        compress: int | None = None,
    ) -> Awaitable[None]:
        """Send one message (or control frame) with ``opcode``; await the result.

        Awaiting it waits for the transport to drain when its buffer is
        full.  A plain method rather than a coroutine: most sends need no
        wait, and then no coroutine is made for them.
        """
        if self._closed:
            raise self._reset_error("Cannot write to closing transport")
        if (
            self._write(self._writer.frame(opcode, message, compress=compress))
            and self._protocol.writing_paused
        ):
            # Draining an unpaused transport returns at once: no coroutine.
            return self._drain()
        return self._sent

    async def _send_control(self, opcode: int, payload: bytes | str) -> None:
        if isinstance(payload, str):
            payload = payload.encode("utf-8")
        await self.send_frame(payload, opcode)

    async def ping(self, message: bytes | str = b"") -> None:
        """Send a PING."""
        await self._send_control(WSMsgType.PING, message)

    async def pong(self, message: bytes | str = b"") -> None:
        """Send an unsolicited PONG."""
        await self._send_control(WSMsgType.PONG, message)

    async def close(
        self,
        *,
        code: int = WSCloseCode.OK,
        message: bytes | str = b"",
        drain: bool = True,
    ) -> bool:
        """Send CLOSE, wait up to ``timeout`` for the peer's, then hang up.

        False when closing had already started.
        """
        if self._closed:
            return False
        frame = self._writer.close(code, message)  # a bad reason raises here
        self._closed = True
        self._cancel_heartbeat()
        try:
            must_drain = self._write(frame) or self._protocol.writing_paused
            self._flush_batch()  # nothing follows a CLOSE: hold nothing back
            if drain or must_drain:
                await self._drain()
        except ConnectionResetError as exc:
            self._close_code = WSCloseCode.ABNORMAL_CLOSURE
            self._exception = exc
            self._give_up()
            return True
        except asyncio.CancelledError:
            self._close_code = WSCloseCode.ABNORMAL_CLOSURE
            self._give_up()
            raise
        if not self._closing:
            try:
                await asyncio.wait_for(asyncio.shield(self._peer_done), self._timeout)
            except asyncio.TimeoutError as exc:
                self._close_code = WSCloseCode.ABNORMAL_CLOSURE
                self._exception = exc
            except asyncio.CancelledError:
                self._close_code = WSCloseCode.ABNORMAL_CLOSURE
                self._give_up()
                raise
            else:
                if self._close_code is None:
                    self._close_code = self._peer_close_code()
        self._give_up()
        return True

    def _peer_close_code(self) -> int:
        """The peer's code, from the CLOSE (or error) queued for ``receive``."""
        for queued in self._messages:
            if queued.type is WSMsgType.CLOSE:
                return int(queued.data)
            if queued.type is WSMsgType.ERROR:
                return WSCloseCode.ABNORMAL_CLOSURE
        return WSCloseCode.OK

    # -- heartbeat ----------------------------------------------------------------

    def _cancel_heartbeat(self) -> None:
        if self._heartbeat_handle is not None:
            self._heartbeat_handle.cancel()
            self._heartbeat_handle = None

    def _on_heartbeat(self) -> None:
        """Send a PING when nothing was received for ``heartbeat`` seconds."""
        self._heartbeat_handle = None
        heartbeat = self._heartbeat
        if heartbeat is None or self._closed:
            return
        now = self._loop.time()
        if self._ping_sent_at is not None:
            # The PONG timer fired: anything received since the PING will do.
            if self._last_received < self._ping_sent_at:
                self._pong_missing()
                return
            self._ping_sent_at = None
        quiet_until = self._last_received + heartbeat
        if now < quiet_until:
            self._heartbeat_handle = self._loop.call_at(quiet_until, self._on_heartbeat)
            return
        try:
            self._write(self._writer.frame(WSMsgType.PING, b""))
        except ConnectionResetError:
            return
        self._ping_sent_at = now
        pong_timeout = self._pong_timeout or heartbeat / 2.0
        self._heartbeat_handle = self._loop.call_later(pong_timeout, self._on_heartbeat)

    def _pong_missing(self) -> None:
        exc = self._timeout_error(
            f"No PONG received after {self._pong_timeout} seconds"
        )
        self._exception = exc
        self._close_code = WSCloseCode.ABNORMAL_CLOSURE
        # ``receive`` returns the ERROR, then CLOSED; writes fail from now.
        self._flush_batch()
        transport = self._protocol.transport
        if transport is not None:
            transport.close()
        self._messages.append(WSMessage(WSMsgType.ERROR, exc, None))
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
