"""Sans-I/O reader of RFC 6455 frames: bytes in, ``WSMessage`` out.

Feed every chunk read from the peer to ``feed_data`` and handle the
returned messages in order; call ``feed_eof`` when the peer closes.  Chunks
may be split anywhere.  TEXT and BINARY messages come out whole (fragments
joined, decompressed, UTF-8 decoded); PING, PONG and CLOSE frames come out
as they arrive, also between the fragments of a message.

A violation by the peer does not raise: it comes out as the last message,
``WSMessage(WSMsgType.ERROR, WebSocketError(code, text), None)``, where
``code`` is the close code to answer with (1002 protocol error, 1007
invalid UTF-8, 1009 too big); the caller must send a close frame with it
and close the connection.  Messages completed before the violation are
returned before it.  ``feed_eof`` before a close frame gives an ERROR with
ABNORMAL_CLOSURE (1006).  After an ERROR or ``feed_eof``, ``feed_data``
raises ``RuntimeError``; bytes after a CLOSE frame are ignored.

Limits: ``max_msg_size`` bounds the payload of a message after
decompression (0: no limit).  An uncompressed frame whose header announces
more than the room left is refused at once, before its payload arrives; a
compressed one is inflated as its bytes arrive, never producing more than
the room left plus one byte.  So no payload is ever buffered beyond the
limit, however slowly it dribbles in.

This module has a compiled twin, ``_frame_reader_c.pyx`` (see ``reader``),
a typed copy of the same logic: a change to one must be made to the other,
and the tests, which run over both, must show that they still agree.
"""

from __future__ import annotations

import codecs
from typing import Final

from .deflate import Inflater
from .extensions import DeflateParams
from .mask import websocket_mask
from .models import WebSocketError, WSCloseCode, WSMessage, WSMsgType

__all__ = ("NO_STATUS_RECEIVED", "WebSocketReader")

#: The close code reported for a CLOSE frame without a payload (RFC 6455 7.1.5).
NO_STATUS_RECEIVED: Final = 1005

_OP_CONTINUATION: Final = 0x0
_OP_TEXT: Final = 0x1
_OP_BINARY: Final = 0x2
_OP_CLOSE: Final = 0x8
_OP_PING: Final = 0x9
_OP_PONG: Final = 0xA
_DATA_OPCODES: Final = frozenset((_OP_CONTINUATION, _OP_TEXT, _OP_BINARY))
_CONTROL_OPCODES: Final = frozenset((_OP_CLOSE, _OP_PING, _OP_PONG))
_MAX_CONTROL_PAYLOAD: Final = 125

# Close codes a peer may send (RFC 6455 7.4.1 and the IANA registry):
# 1004-1006 and 1015 are reserved for reporting, never sent; 3000-4999 are
# for libraries and applications.
_SENDABLE_CODES: Final = frozenset(
    (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014)
)

_STATE_HEAD: Final = 0
_STATE_PAYLOAD: Final = 1
_STATE_CLOSED: Final = 2  # a CLOSE frame arrived: the rest is ignored
_STATE_DEAD: Final = 3  # after an error or feed_eof

_MSG_TYPES: Final = {
    _OP_TEXT: WSMsgType.TEXT,
    _OP_BINARY: WSMsgType.BINARY,
    _OP_PING: WSMsgType.PING,
    _OP_PONG: WSMsgType.PONG,
}


def _utf8_decoder() -> codecs.IncrementalDecoder:
    return codecs.getincrementaldecoder("utf-8")("strict")


def is_valid_close_code(code: int) -> bool:
    """True for a close code that a peer may put in a CLOSE frame."""
    return code in _SENDABLE_CODES or 3000 <= code <= 4999


def _close_message(payload: bytes) -> WSMessage:
    """The CLOSE message of a close frame's payload; raises on a bad one."""
    if not payload:
        return WSMessage(WSMsgType.CLOSE, NO_STATUS_RECEIVED, "")
    if len(payload) == 1:
        raise WebSocketError(
            WSCloseCode.PROTOCOL_ERROR, "Invalid close frame: a 1-byte payload"
        )
    code = int.from_bytes(payload[:2], "big")
    if not is_valid_close_code(code):
        raise WebSocketError(WSCloseCode.PROTOCOL_ERROR, f"Invalid close code: {code}")
    try:
        reason = payload[2:].decode("utf-8")
    except UnicodeDecodeError:
        raise WebSocketError(
            WSCloseCode.INVALID_TEXT, "Invalid UTF-8 in the close reason"
        ) from None
    return WSMessage(WSMsgType.CLOSE, code, reason)


class WebSocketReader:
    """Turns the bytes of one side of a WebSocket into messages."""

    def __init__(
        self,
        *,
        is_server: bool,
        max_msg_size: int = 4 * 1024 * 1024,
        deflate: DeflateParams | None = None,
    ) -> None:
        if max_msg_size < 0:
            raise ValueError(f"max_msg_size must be 0 or more, not {max_msg_size}")
        # A server reads what clients send, which must be masked; a
        # client reads server frames, which must not be.
        self._expect_mask = is_server
        self._max = max_msg_size
        self._inflater: Inflater | None = (
            None
            if deflate is None
            else Inflater(
                no_context_takeover=deflate.receive_no_context_takeover(is_server)
            )
        )
        self._buf = bytearray()
        self._state = _STATE_HEAD
        # The frame being read.
        self._opcode = 0
        self._fin = False
        self._mask = b""
        self._left = 0  # payload bytes still to come
        self._done = 0  # payload bytes already unmasked (mask phase)
        self._control = bytearray()
        # The data message being read.
        self._msg_opcode = -1  # -1: none in progress
        self._msg_compressed = False
        self._msg_size = 0
        self._msg_bytes = bytearray()
        self._msg_text: list[str] = []
        self._decoder: codecs.IncrementalDecoder | None = None

    def __repr__(self) -> str:
        states = ("head", "payload", "closed", "dead")
        return f"<WebSocketReader {states[self._state]} buffered={len(self._buf)}>"

    @property
    def closed(self) -> bool:
        """True once a CLOSE frame arrived (or the reader stopped)."""
        return self._state >= _STATE_CLOSED

    def feed_data(self, data: bytes | bytearray | memoryview) -> list[WSMessage]:
        """Read ``data``; return the messages it completes (see module doc)."""
        state = self._state
        if state == _STATE_DEAD:
            raise RuntimeError("The reader failed or reached EOF: no more data")
        if state == _STATE_CLOSED or not data:
            return []
        out: list[WSMessage] = []
        self._buf += data
        try:
            self._parse(out)
        except WebSocketError as exc:
            self._state = _STATE_DEAD
            self._buf.clear()
            self._msg_bytes = bytearray()
            self._msg_text = []
            out.append(WSMessage(WSMsgType.ERROR, exc, None))
        return out

    def feed_eof(self) -> list[WSMessage]:
        """The peer closed: ERROR with 1006 unless a CLOSE frame came first."""
        state = self._state
        self._state = _STATE_DEAD
        self._buf.clear()
        if state in (_STATE_HEAD, _STATE_PAYLOAD):
            exc = WebSocketError(
                WSCloseCode.ABNORMAL_CLOSURE, "Connection closed without a close frame"
            )
            return [WSMessage(WSMsgType.ERROR, exc, None)]
        return []

    # -- parsing ----------------------------------------------------------------

    def _parse(self, out: list[WSMessage]) -> None:
        buf = self._buf
        pos = 0
        end = len(buf)
        while pos < end:
            if self._state == _STATE_HEAD:
                used = self._read_head(buf, pos, end)
                if used == 0:
                    break
                pos += used
                left = self._left
                if (
                    self._fin
                    and 0 < left <= end - pos
                    and (self._opcode == _OP_TEXT or self._opcode == _OP_BINARY)
                    and not self._msg_compressed
                ):
                    # The common case, a whole message in one frame that is
                    # all here: no stop in the per-piece machinery.
                    chunk = buf[pos : pos + left]
                    pos += left
                    out.append(self._whole_message(chunk))
                elif left == 0:
                    self._frame_payload(b"", out)
            elif self._state == _STATE_PAYLOAD:
                take = min(self._left, end - pos)
                chunk = buf[pos : pos + take]
                pos += take
                self._left -= take
                self._frame_payload(chunk, out)
            else:
                break  # closed: ignore what follows the CLOSE frame
        del buf[:pos]

    def _read_head(self, buf: bytearray, pos: int, end: int) -> int:
        """Parse a frame header at ``pos``; its size, or 0 when incomplete."""
        if end - pos < 2:
            return 0
        first = buf[pos]
        second = buf[pos + 1]
        length = second & 0x7F
        size = 2
        if length == 126:
            size = 4
        elif length == 127:
            size = 10
        masked = second & 0x80
        if masked:
            size += 4
        if end - pos < size:
            return 0
        if length == 126:
            length = int.from_bytes(buf[pos + 2 : pos + 4], "big")
        elif length == 127:
            length = int.from_bytes(buf[pos + 2 : pos + 10], "big")
            if length >> 63:
                raise WebSocketError(
                    WSCloseCode.PROTOCOL_ERROR, "Frame length has its top bit set"
                )
        self._check_head(first, bool(masked), length)
        self._mask = bytes(buf[pos + size - 4 : pos + size]) if masked else b""
        self._fin = bool(first & 0x80)
        self._opcode = first & 0x0F
        self._left = length
        self._done = 0
        self._state = _STATE_PAYLOAD
        return size

    def _check_head(self, first: int, masked: bool, length: int) -> None:
        """Refuse a frame header the protocol forbids."""
        opcode = first & 0x0F
        fin = first & 0x80
        rsv1 = first & 0x40
        if first & 0x30:
            raise WebSocketError(WSCloseCode.PROTOCOL_ERROR, "RSV2 or RSV3 is set")
        if masked != self._expect_mask:
            raise WebSocketError(
                WSCloseCode.PROTOCOL_ERROR,
                "Client frames must be masked"
                if self._expect_mask
                else "Server frames must not be masked",
            )
        if opcode in _CONTROL_OPCODES:
            if not fin:
                raise WebSocketError(
                    WSCloseCode.PROTOCOL_ERROR, "Fragmented control frame"
                )
            if length > _MAX_CONTROL_PAYLOAD:
                raise WebSocketError(
                    WSCloseCode.PROTOCOL_ERROR,
                    f"Control frame payload of {length} bytes, more than 125",
                )
            if rsv1:
                raise WebSocketError(
                    WSCloseCode.PROTOCOL_ERROR, "RSV1 set on a control frame"
                )
            self._control = bytearray()
            return
        if opcode not in _DATA_OPCODES:
            raise WebSocketError(
                WSCloseCode.PROTOCOL_ERROR, f"Unknown opcode {opcode:#x}"
            )
        if opcode == _OP_CONTINUATION:
            if self._msg_opcode < 0:
                raise WebSocketError(
                    WSCloseCode.PROTOCOL_ERROR, "Continuation frame without a message"
                )
            if rsv1:
                raise WebSocketError(
                    WSCloseCode.PROTOCOL_ERROR, "RSV1 set on a continuation frame"
                )
        else:
            if self._msg_opcode >= 0:
                raise WebSocketError(
                    WSCloseCode.PROTOCOL_ERROR,
                    "New message before the last fragment of the previous one",
                )
            if rsv1 and self._inflater is None:
                raise WebSocketError(
                    WSCloseCode.PROTOCOL_ERROR,
                    "RSV1 set but permessage-deflate was not negotiated",
                )
            self._msg_opcode = opcode
            self._msg_compressed = bool(rsv1)
            self._msg_size = 0
        limit = self._max
        if limit and not self._msg_compressed and self._msg_size + length > limit:
            raise WebSocketError(
                WSCloseCode.MESSAGE_TOO_BIG,
                f"Message of more than {limit} bytes "
                f"({self._msg_size + length} announced)",
            )

    def _whole_message(self, chunk: bytearray) -> WSMessage:
        """The message of a single complete, uncompressed frame."""
        self._state = _STATE_HEAD
        self._left = 0
        self._msg_opcode = -1
        self._unmask(chunk)
        if self._opcode == _OP_BINARY:
            return WSMessage(WSMsgType.BINARY, bytes(chunk), None)
        self._decoder = None
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError:
            raise WebSocketError(
                WSCloseCode.INVALID_TEXT, "Invalid UTF-8 in a text message"
            ) from None
        return WSMessage(WSMsgType.TEXT, text, None)

    def _unmask(self, chunk: bytearray) -> None:
        mask = self._mask
        if not mask:
            return
        phase = self._done & 3
        if phase:
            mask = mask[phase:] + mask[:phase]
        self._done += len(chunk)
        websocket_mask(mask, chunk)

    def _frame_payload(self, chunk: bytearray | bytes, out: list[WSMessage]) -> None:
        """Take the next piece of the current frame's payload."""
        if chunk:
            chunk = bytearray(chunk) if isinstance(chunk, bytes) else chunk
            self._unmask(chunk)
        opcode = self._opcode
        if opcode >= _OP_CLOSE:
            self._control += chunk
            if self._left == 0:
                self._state = _STATE_HEAD
                self._control_frame(opcode, bytes(self._control), out)
            return
        self._data(chunk)
        if self._left == 0:
            self._state = _STATE_HEAD
            if self._fin:
                out.append(self._end_message())

    def _control_frame(self, opcode: int, payload: bytes, out: list[WSMessage]) -> None:
        if opcode == _OP_CLOSE:
            message = _close_message(payload)
            self._state = _STATE_CLOSED
            out.append(message)
        else:
            out.append(WSMessage(_MSG_TYPES[opcode], payload, None))

    def _data(self, chunk: bytearray | bytes) -> None:
        """Add payload bytes to the message, decompressed and decoded."""
        if self._msg_compressed:
            inflater = self._inflater
            if inflater is None:  # excluded by _check_head
                raise RuntimeError("compressed message without an inflater")
            chunk = inflater.feed(chunk, self._room())
        self._add(chunk, False)

    def _room(self) -> int | None:
        """Bytes the message may still grow by; None means no limit."""
        if not self._max:
            return None
        return max(self._max - self._msg_size, 0)

    def _add(self, data: bytearray | bytes, final: bool) -> None:
        self._msg_size += len(data)
        decoder = self._decoder
        if decoder is None:
            if self._msg_opcode != _OP_TEXT:
                self._msg_bytes += data
                return
            # Made here rather than at the frame head: a text message that
            # arrives whole in one frame (the common case) never needs one.
            decoder = self._decoder = _utf8_decoder()
        try:
            text = decoder.decode(data, final)
        except UnicodeDecodeError:
            raise WebSocketError(
                WSCloseCode.INVALID_TEXT, "Invalid UTF-8 in a text message"
            ) from None
        if text:
            self._msg_text.append(text)

    def _end_message(self) -> WSMessage:
        if self._msg_compressed:
            inflater = self._inflater
            if inflater is None:  # excluded by _check_head
                raise RuntimeError("compressed message without an inflater")
            self._add(inflater.finish(self._room()), False)
        opcode = self._msg_opcode
        self._msg_opcode = -1
        if opcode == _OP_TEXT:
            self._add(b"", True)
            text = "".join(self._msg_text)
            self._msg_text = []
            self._decoder = None
            return WSMessage(WSMsgType.TEXT, text, None)
        data = bytes(self._msg_bytes)
        self._msg_bytes = bytearray()
        return WSMessage(WSMsgType.BINARY, data, None)
