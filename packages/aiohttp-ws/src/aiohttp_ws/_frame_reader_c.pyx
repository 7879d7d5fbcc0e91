# cython: language_level=3, boundscheck=False, wraparound=False
"""Compiled twin of ``frame_reader.WebSocketReader``: the same behaviour, typed.

The module doc of ``frame_reader`` is the contract of both.  Differences are
in how, never in what: headers are parsed from a C pointer into the bytes
just received, payloads are unmasked while they are copied (one pass), and a
binary message of one frame that spans several reads is copied once, into
its final ``bytes`` object, as its pieces arrive.
"""

from cpython.bytearray cimport (
    PyByteArray_AS_STRING,
    PyByteArray_GET_SIZE,
    PyByteArray_Resize,
)
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdint cimport uint64_t
from libc.string cimport memcpy

from ._xor cimport xor_copy

import codecs

from .deflate import Inflater
from .frame_reader import NO_STATUS_RECEIVED, is_valid_close_code
from .models import WebSocketError, WSCloseCode, WSMessage, WSMsgType

__all__ = ("WebSocketReader",)

cdef enum:
    OP_CONTINUATION = 0x0
    OP_TEXT = 0x1
    OP_BINARY = 0x2
    OP_CLOSE = 0x8
    OP_PING = 0x9
    OP_PONG = 0xA
    MAX_CONTROL_PAYLOAD = 125
    STATE_HEAD = 0
    STATE_PAYLOAD = 1
    STATE_CLOSED = 2
    STATE_DEAD = 3
    # Payloads up to this size are unmasked on the stack before decoding.
    STACK_BUFFER = 512
    # The largest announced payload allocated before it arrives: above it,
    # memory follows the bytes actually received.
    DIRECT_MAX = 1 << 20

cdef object _TEXT = WSMsgType.TEXT
cdef object _BINARY = WSMsgType.BINARY
cdef object _PING = WSMsgType.PING
cdef object _PONG = WSMsgType.PONG
cdef object _CLOSE = WSMsgType.CLOSE
cdef object _ERROR = WSMsgType.ERROR
cdef object _PROTOCOL_ERROR = WSCloseCode.PROTOCOL_ERROR
cdef object _INVALID_TEXT = WSCloseCode.INVALID_TEXT
cdef object _MESSAGE_TOO_BIG = WSCloseCode.MESSAGE_TOO_BIG
cdef object _ABNORMAL_CLOSURE = WSCloseCode.ABNORMAL_CLOSURE
cdef object _tuple_new = tuple.__new__
cdef object _utf8_decoder_class = codecs.getincrementaldecoder("utf-8")


cdef inline object _message(object kind, object data, object extra):
    # tuple.__new__ skips the NamedTuple's Python-level __new__.
    return _tuple_new(WSMessage, (kind, data, extra))


cdef class WebSocketReader:
    """Turns the bytes of one side of a WebSocket into messages."""

    cdef bint _expect_mask
    cdef uint64_t _max
    cdef object _inflater
    # Bytes of a frame header not complete yet (at most 13).
    cdef readonly bytearray _buf
    cdef int _state
    # The frame being read.
    cdef int _opcode
    cdef bint _fin
    cdef bint _masked
    cdef unsigned char _mask[4]
    cdef uint64_t _left
    cdef uint64_t _done
    cdef bytearray _control
    # A whole binary message in one frame, filled as its pieces arrive.
    cdef bytes _direct
    # The data message being read.
    cdef int _msg_opcode
    cdef bint _msg_compressed
    cdef uint64_t _msg_size
    cdef bytearray _msg_bytes
    cdef list _msg_text
    cdef object _decoder

    def __init__(self, *, is_server, max_msg_size=4 * 1024 * 1024, deflate=None):
        if max_msg_size < 0:
            raise ValueError(f"max_msg_size must be 0 or more, not {max_msg_size}")
        self._expect_mask = bool(is_server)
        self._max = max_msg_size
        self._inflater = (
            None
            if deflate is None
            else Inflater(
                no_context_takeover=deflate.receive_no_context_takeover(is_server)
            )
        )
        self._buf = bytearray()
        self._state = STATE_HEAD
        self._opcode = 0
        self._fin = False
        self._masked = False
        self._left = 0
        self._done = 0
        self._control = bytearray()
        self._direct = None
        self._msg_opcode = -1
        self._msg_compressed = False
        self._msg_size = 0
        self._msg_bytes = bytearray()
        self._msg_text = []
        self._decoder = None

    def __repr__(self):
        states = ("head", "payload", "closed", "dead")
        return f"<WebSocketReader {states[self._state]} buffered={len(self._buf)}>"

    @property
    def closed(self):
        """True once a CLOSE frame arrived (or the reader stopped)."""
        return self._state >= STATE_CLOSED

    def feed_data(self, data):
        """Read ``data``; return the messages it completes (see module doc)."""
        cdef list out
        cdef bytes chunk
        if self._state == STATE_DEAD:
            raise RuntimeError("The reader failed or reached EOF: no more data")
        if self._state == STATE_CLOSED or not data:
            return []
        if type(data) is bytes:
            chunk = <bytes>data
        else:
            chunk = bytes(data)
        if PyByteArray_GET_SIZE(self._buf):
            # The rest of a split header: rare, and at most 13 bytes early.
            chunk = bytes(self._buf) + chunk
            del self._buf[:]
        out = []
        try:
            self._parse(chunk, out)
        except WebSocketError as exc:
            self._state = STATE_DEAD
            del self._buf[:]
            self._direct = None
            self._msg_bytes = bytearray()
            self._msg_text = []
            out.append(_message(_ERROR, exc, None))
        return out

    def feed_eof(self):
        """The peer closed: ERROR with 1006 unless a CLOSE frame came first."""
        cdef int state = self._state
        self._state = STATE_DEAD
        del self._buf[:]
        self._direct = None
        if state == STATE_HEAD or state == STATE_PAYLOAD:
            exc = WebSocketError(
                _ABNORMAL_CLOSURE, "Connection closed without a close frame"
            )
            return [_message(_ERROR, exc, None)]
        return []

    # -- parsing ----------------------------------------------------------------

    cdef int _parse(self, bytes chunk, list out) except -1:
        cdef const unsigned char *data = <const unsigned char *>PyBytes_AS_STRING(
            chunk
        )
        cdef Py_ssize_t end = len(chunk)
        cdef Py_ssize_t pos = 0
        cdef Py_ssize_t used
        cdef Py_ssize_t take
        while pos < end:
            if self._state == STATE_HEAD:
                used = self._read_head(data + pos, end - pos)
                if used == 0:
                    self._buf += chunk[pos:]
                    return 0
                pos += used
                if self._left == 0:
                    self._end_frame(out)
                elif (
                    self._fin
                    and (self._opcode == OP_TEXT or self._opcode == OP_BINARY)
                    and not self._msg_compressed
                ):
                    if self._left <= <uint64_t>(end - pos):
                        # The common case, a whole message in one frame that
                        # is all here: straight from the received bytes.
                        take = <Py_ssize_t>self._left
                        out.append(self._whole_message(data + pos, take))
                        pos += take
                    elif self._opcode == OP_BINARY and self._left <= DIRECT_MAX:
                        # A whole message still on its way: its final bytes
                        # object, filled as its pieces arrive (one copy).
                        self._direct = PyBytes_FromStringAndSize(
                            NULL, <Py_ssize_t>self._left
                        )
            elif self._state == STATE_PAYLOAD:
                take = end - pos
                if <uint64_t>take > self._left:
                    take = <Py_ssize_t>self._left
                self._payload(data + pos, take)
                pos += take
                if self._left == 0:
                    self._end_frame(out)
            else:
                return 0  # closed: ignore what follows the CLOSE frame
        return 0

    cdef Py_ssize_t _read_head(
        self, const unsigned char *data, Py_ssize_t size
    ) except -1:
        """Parse a frame header; its size, or 0 when incomplete."""
        cdef Py_ssize_t need = 2
        cdef unsigned char first
        cdef unsigned char second
        cdef uint64_t length
        cdef int i
        if size < 2:
            return 0
        first = data[0]
        second = data[1]
        length = second & 0x7F
        if length == 126:
            need = 4
        elif length == 127:
            need = 10
        if second & 0x80:
            need += 4
        if size < need:
            return 0
        if length == 126:
            length = (<uint64_t>data[2] << 8) | data[3]
        elif length == 127:
            length = 0
            for i in range(2, 10):
                length = (length << 8) | data[i]
            if length >> 63:
                raise WebSocketError(_PROTOCOL_ERROR, "Frame length has its top bit set")
        self._check_head(first, (second & 0x80) != 0, length)
        self._masked = (second & 0x80) != 0
        if self._masked:
            memcpy(self._mask, data + need - 4, 4)
        self._fin = (first & 0x80) != 0
        self._opcode = first & 0x0F
        self._left = length
        self._done = 0
        self._state = STATE_PAYLOAD
        return need

    cdef int _check_head(self, int first, bint masked, uint64_t length) except -1:
        """Refuse a frame header the protocol forbids."""
        cdef int opcode = first & 0x0F
        cdef int fin = first & 0x80
        cdef int rsv1 = first & 0x40
        if first & 0x30:
            raise WebSocketError(_PROTOCOL_ERROR, "RSV2 or RSV3 is set")
        if masked != self._expect_mask:
            raise WebSocketError(
                _PROTOCOL_ERROR,
                "Client frames must be masked"
                if self._expect_mask
                else "Server frames must not be masked",
            )
        if opcode == OP_CLOSE or opcode == OP_PING or opcode == OP_PONG:
            if not fin:
                raise WebSocketError(_PROTOCOL_ERROR, "Fragmented control frame")
            if length > MAX_CONTROL_PAYLOAD:
                raise WebSocketError(
                    _PROTOCOL_ERROR,
                    f"Control frame payload of {length} bytes, more than 125",
                )
            if rsv1:
                raise WebSocketError(_PROTOCOL_ERROR, "RSV1 set on a control frame")
            self._control = bytearray()
            return 0
        if opcode != OP_CONTINUATION and opcode != OP_TEXT and opcode != OP_BINARY:
            raise WebSocketError(_PROTOCOL_ERROR, f"Unknown opcode {opcode:#x}")
        if opcode == OP_CONTINUATION:
            if self._msg_opcode < 0:
                raise WebSocketError(
                    _PROTOCOL_ERROR, "Continuation frame without a message"
                )
            if rsv1:
                raise WebSocketError(
                    _PROTOCOL_ERROR, "RSV1 set on a continuation frame"
                )
        else:
            if self._msg_opcode >= 0:
                raise WebSocketError(
                    _PROTOCOL_ERROR,
                    "New message before the last fragment of the previous one",
                )
            if rsv1 and self._inflater is None:
                raise WebSocketError(
                    _PROTOCOL_ERROR,
                    "RSV1 set but permessage-deflate was not negotiated",
                )
            self._msg_opcode = opcode
            self._msg_compressed = rsv1 != 0
            self._msg_size = 0
        cdef uint64_t limit = self._max
        # Written as a subtraction: msg_size + length may not fit 64 bits.
        if (
            limit
            and not self._msg_compressed
            and (self._msg_size > limit or length > limit - self._msg_size)
        ):
            raise WebSocketError(
                _MESSAGE_TOO_BIG,
                f"Message of more than {limit} bytes "
                f"({self._msg_size + <object>length} announced)",
            )
        return 0

    cdef object _whole_message(self, const unsigned char *data, Py_ssize_t size):
        """The message of a single complete, uncompressed frame at ``data``."""
        cdef bytes result
        cdef unsigned char stack[STACK_BUFFER]
        cdef unsigned char *plain
        self._state = STATE_HEAD
        self._left = 0
        self._msg_opcode = -1
        self._direct = None
        if self._opcode == OP_BINARY:
            if not self._masked:
                return _message(
                    _BINARY, PyBytes_FromStringAndSize(<const char *>data, size), None
                )
            result = PyBytes_FromStringAndSize(NULL, size)
            xor_copy(<unsigned char *>PyBytes_AS_STRING(result), data, size, self._mask, 0)
            return _message(_BINARY, result, None)
        self._decoder = None
        if not self._masked:
            return _message(_TEXT, self._decode(data, size), None)
        if size <= STACK_BUFFER:
            xor_copy(stack, data, size, self._mask, 0)
            return _message(_TEXT, self._decode(stack, size), None)
        result = PyBytes_FromStringAndSize(NULL, size)
        plain = <unsigned char *>PyBytes_AS_STRING(result)
        xor_copy(plain, data, size, self._mask, 0)
        return _message(_TEXT, self._decode(plain, size), None)

    cdef str _decode(self, const unsigned char *data, Py_ssize_t size):
        try:
            return PyUnicode_DecodeUTF8(<const char *>data, size, "strict")
        except UnicodeDecodeError:
            raise WebSocketError(
                _INVALID_TEXT, "Invalid UTF-8 in a text message"
            ) from None

    cdef int _payload(self, const unsigned char *data, Py_ssize_t size) except -1:
        """Take the next ``size`` payload bytes of the current frame."""
        cdef bytes plain
        cdef Py_ssize_t start
        cdef uint64_t phase = self._done & 3
        self._done += <uint64_t>size
        self._left -= <uint64_t>size
        if self._direct is not None:
            start = len(self._direct) - <Py_ssize_t>self._left - size
            self._unmask_into(
                <unsigned char *>PyBytes_AS_STRING(self._direct) + start,
                data,
                size,
                phase,
            )
            return 0
        if self._opcode >= OP_CLOSE:
            start = PyByteArray_GET_SIZE(self._control)
            PyByteArray_Resize(self._control, start + size)
            self._unmask_into(
                <unsigned char *>PyByteArray_AS_STRING(self._control) + start,
                data,
                size,
                phase,
            )
            return 0
        if not self._msg_compressed and self._msg_opcode == OP_BINARY:
            start = PyByteArray_GET_SIZE(self._msg_bytes)
            PyByteArray_Resize(self._msg_bytes, start + size)
            self._unmask_into(
                <unsigned char *>PyByteArray_AS_STRING(self._msg_bytes) + start,
                data,
                size,
                phase,
            )
            self._msg_size += <uint64_t>size
            return 0
        plain = PyBytes_FromStringAndSize(NULL, size)
        self._unmask_into(<unsigned char *>PyBytes_AS_STRING(plain), data, size, phase)
        self._data(plain)
        return 0

    cdef inline void _unmask_into(
        self,
        unsigned char *dst,
        const unsigned char *src,
        Py_ssize_t size,
        uint64_t phase,
    ) noexcept:
        if self._masked:
            xor_copy(dst, src, size, self._mask, phase)
        else:
            memcpy(dst, src, size)

    cdef int _end_frame(self, list out) except -1:
        """The current frame's payload is all here."""
        cdef int opcode = self._opcode
        cdef bytes direct
        self._state = STATE_HEAD
        if opcode >= OP_CLOSE:
            self._control_frame(opcode, bytes(self._control), out)
            return 0
        direct = self._direct
        if direct is not None:
            self._direct = None
            self._msg_opcode = -1
            out.append(_message(_BINARY, direct, None))
            return 0
        if self._fin:
            out.append(self._end_message())
        return 0

    cdef int _control_frame(self, int opcode, bytes payload, list out) except -1:
        if opcode == OP_CLOSE:
            out.append(self._close_message(payload))
            self._state = STATE_CLOSED
        elif opcode == OP_PING:
            out.append(_message(_PING, payload, None))
        else:
            out.append(_message(_PONG, payload, None))
        return 0

    cdef object _close_message(self, bytes payload):
        """The CLOSE message of a close frame's payload; raises on a bad one."""
        cdef Py_ssize_t size = len(payload)
        cdef int code
        if size == 0:
            return _message(_CLOSE, NO_STATUS_RECEIVED, "")
        if size == 1:
            raise WebSocketError(
                _PROTOCOL_ERROR, "Invalid close frame: a 1-byte payload"
            )
        code = (<unsigned char>payload[0] << 8) | <unsigned char>payload[1]
        if not is_valid_close_code(code):
            raise WebSocketError(_PROTOCOL_ERROR, f"Invalid close code: {code}")
        try:
            reason = payload[2:].decode("utf-8")
        except UnicodeDecodeError:
            raise WebSocketError(
                _INVALID_TEXT, "Invalid UTF-8 in the close reason"
            ) from None
        return _message(_CLOSE, code, reason)

    cdef int _data(self, bytes chunk) except -1:
        """Add payload bytes to the message, decompressed and decoded."""
        if self._msg_compressed:
            chunk = self._inflater.feed(chunk, self._room())
        self._add(chunk, False)
        return 0

    cdef object _room(self):
        """Bytes the message may still grow by; None means no limit."""
        if not self._max:
            return None
        if self._msg_size >= self._max:
            return 0
        return self._max - self._msg_size

    cdef int _add(self, bytes data, bint final) except -1:
        self._msg_size += <uint64_t>len(data)
        decoder = self._decoder
        if decoder is None:
            if self._msg_opcode != OP_TEXT:
                self._msg_bytes += data
                return 0
            # Made here rather than at the frame head: a text message that
            # arrives whole in one frame (the common case) never needs one.
            decoder = self._decoder = _utf8_decoder_class("strict")
        try:
            text = decoder.decode(data, final)
        except UnicodeDecodeError:
            raise WebSocketError(
                _INVALID_TEXT, "Invalid UTF-8 in a text message"
            ) from None
        if text:
            self._msg_text.append(text)
        return 0

    cdef object _end_message(self):
        if self._msg_compressed:
            self._add(self._inflater.finish(self._room()), False)
        cdef int opcode = self._msg_opcode
        self._msg_opcode = -1
        if opcode == OP_TEXT:
            self._add(b"", True)
            text = "".join(self._msg_text)
            self._msg_text = []
            self._decoder = None
            return _message(_TEXT, text, None)
        data = bytes(self._msg_bytes)
        self._msg_bytes = bytearray()
        return _message(_BINARY, data, None)
