# cython: language_level=3
"""Compiled twins of ``mask.websocket_mask_py`` and ``mask.masked_py``."""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from libc.string cimport memcpy

from ._xor cimport xor_copy


def websocket_mask(bytes mask, bytearray data):
    """XOR ``data`` in place with the 4-byte ``mask`` repeated over it."""
    cdef Py_ssize_t size = len(data)
    if len(mask) != 4:
        raise ValueError(f"a mask is 4 bytes, not {len(mask)}")
    if size == 0:
        return
    xor_copy(
        <unsigned char *>data,
        <const unsigned char *>data,
        size,
        <const unsigned char *>mask,
        0,
    )


def masked(bytes prefix, const unsigned char[::1] payload, bytes mask):
    """``prefix`` then ``payload`` XOR-ed with ``mask``: one pass, one copy."""
    cdef Py_ssize_t head = len(prefix)
    cdef Py_ssize_t size = payload.shape[0]
    cdef unsigned char *dst
    if len(mask) != 4:
        raise ValueError(f"a mask is 4 bytes, not {len(mask)}")
    result = PyBytes_FromStringAndSize(NULL, head + size)
    dst = <unsigned char *>PyBytes_AS_STRING(result)
    memcpy(dst, PyBytes_AS_STRING(prefix), head)
    if size:
        xor_copy(dst + head, &payload[0], size, <const unsigned char *>mask, 0)
    return result
