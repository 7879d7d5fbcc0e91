# cython: language_level=3
"""Compiled twin of ``frame_writer.WebSocketWriter``: the same frames, laid
out in C in one allocation (header, mask and payload, masked on the way)."""

import os
import zlib

from cpython.buffer cimport PyBUF_SIMPLE, PyBuffer_Release, PyObject_GetBuffer
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from libc.stdint cimport uint64_t
from libc.string cimport memcpy

from ._xor cimport xor_copy

from .deflate import Deflater
from .frame_writer import _CONTROL, _DATA, _MASK_BLOCK, _MAX_CONTROL_PAYLOAD
from .frame_writer import _octets, close_payload
from .models import WSMsgType

cdef object _urandom = os.urandom
cdef object _CLOSE = WSMsgType.CLOSE
cdef Py_ssize_t _BLOCK = _MASK_BLOCK
cdef Py_ssize_t _MAX_CONTROL = _MAX_CONTROL_PAYLOAD

# The process the mask blocks were drawn in (see frame_writer._pid).
cdef long _pid = os.getpid()


def _after_fork():
    global _pid
    _pid = os.getpid()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


cdef class WebSocketWriter:
    """Frames the messages of one side of a WebSocket."""

    cdef bint _is_client
    cdef object _deflater
    cdef bytes _masks
    cdef Py_ssize_t _masks_pos
    cdef long _masks_pid

    def __init__(
        self, *, is_client, deflate=None, level=zlib.Z_DEFAULT_COMPRESSION
    ):
        self._is_client = is_client
        self._masks = b""
        self._masks_pos = _BLOCK  # drawn at the first frame
        self._masks_pid = _pid
        self._deflater = None
        if deflate is not None:
            is_server = not is_client
            self._deflater = Deflater(
                window_bits=deflate.send_window_bits(is_server),
                no_context_takeover=deflate.send_no_context_takeover(is_server),
                level=level,
            )

    @property
    def compress(self):
        """True when permessage-deflate was agreed."""
        return self._deflater is not None

    def frame(self, opcode, payload, *, compress=None):
        """The bytes of a whole message (or control frame) with ``opcode``."""
        cdef bint rsv1 = False
        if type(payload) is memoryview:
            payload = _octets(payload)
        if opcode in _DATA:
            if self._deflater is not None and compress != 0:
                payload = self._deflater.compress(payload, compress)
                rsv1 = True
        elif opcode in _CONTROL:
            if len(payload) > _MAX_CONTROL:
                raise ValueError(
                    f"A control frame payload has 125 bytes at most, not {len(payload)}"
                )
        else:
            raise ValueError(f"Not a frame opcode: {opcode!r}")
        cdef int op = opcode
        cdef Py_buffer view
        PyObject_GetBuffer(payload, &view, PyBUF_SIMPLE)
        try:
            return self._lay_out(op, rsv1, <const unsigned char *>view.buf, view.len)
        finally:
            PyBuffer_Release(&view)

    cdef bytes _lay_out(
        self, int op, bint rsv1, const unsigned char *data, Py_ssize_t size
    ):
        cdef Py_ssize_t head = 2
        cdef unsigned char mask_bit = 0x80 if self._is_client else 0
        cdef const unsigned char *key = NULL
        cdef unsigned char *out
        cdef bytes result
        cdef int i
        if self._is_client:
            # A fresh random mask (RFC 6455 5.3) from this writer's block.
            if self._masks_pos >= _BLOCK or self._masks_pid != _pid:
                self._masks = _urandom(_BLOCK)
                self._masks_pid = _pid
                self._masks_pos = 0
            key = <const unsigned char *>PyBytes_AS_STRING(self._masks) + self._masks_pos
            self._masks_pos += 4
        if size >= 1 << 16:
            head = 10
        elif size >= 126:
            head = 4
        result = PyBytes_FromStringAndSize(
            NULL, head + (4 if self._is_client else 0) + size
        )
        out = <unsigned char *>PyBytes_AS_STRING(result)
        out[0] = 0x80 | (0x40 if rsv1 else 0) | (op & 0x0F)
        if head == 2:
            out[1] = mask_bit | <unsigned char>size
        elif head == 4:
            out[1] = mask_bit | 126
            out[2] = (size >> 8) & 0xFF
            out[3] = size & 0xFF
        else:
            out[1] = mask_bit | 127
            for i in range(8):
                out[2 + i] = (<uint64_t>size >> (8 * (7 - i))) & 0xFF
        out += head
        if key == NULL:
            memcpy(out, data, size)
        else:
            memcpy(out, key, 4)
            xor_copy(out + 4, data, size, key, 0)
        return result

    def close(self, code, reason=b""):
        """The bytes of a CLOSE frame."""
        return self.frame(_CLOSE, close_payload(code, reason))
