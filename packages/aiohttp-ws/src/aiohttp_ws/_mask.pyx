# cython: language_level=3
"""Compiled twins of ``mask.websocket_mask_py`` and ``mask.masked_py``."""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from libc.stdint cimport uint32_t, uint64_t
from libc.string cimport memcpy


def websocket_mask(bytes mask, bytearray data):
    """XOR ``data`` in place with the 4-byte ``mask`` repeated over it."""
    cdef Py_ssize_t size = len(data)
    cdef Py_ssize_t i
    cdef unsigned char *buf
    cdef const unsigned char *key
    cdef uint32_t key32
    cdef uint64_t key64
    cdef uint64_t word
    if len(mask) != 4:
        raise ValueError(f"a mask is 4 bytes, not {len(mask)}")
    if size == 0:
        return
    buf = <unsigned char *>data
    key = <const unsigned char *>mask
    memcpy(&key32, key, 4)
    key64 = (<uint64_t>key32 << 32) | key32
    # Eight bytes at a time: the mask repeats every four, so a word of two
    # masks lines up with every 8-byte step from the start of the payload.
    i = 0
    while size - i >= 8:
        memcpy(&word, buf + i, 8)
        word ^= key64
        memcpy(buf + i, &word, 8)
        i += 8
    while i < size:
        buf[i] ^= key[i & 3]
        i += 1


def masked(bytes prefix, const unsigned char[::1] payload, bytes mask):
    """``prefix`` then ``payload`` XOR-ed with ``mask``: one pass, one copy."""
    cdef Py_ssize_t head = len(prefix)
    cdef Py_ssize_t size = payload.shape[0]
    cdef Py_ssize_t i = 0
    cdef const unsigned char *key
    cdef const unsigned char *src
    cdef unsigned char *dst
    cdef uint32_t key32
    cdef uint64_t key64
    cdef uint64_t word
    if len(mask) != 4:
        raise ValueError(f"a mask is 4 bytes, not {len(mask)}")
    result = PyBytes_FromStringAndSize(NULL, head + size)
    dst = <unsigned char *>PyBytes_AS_STRING(result)
    memcpy(dst, PyBytes_AS_STRING(prefix), head)
    if size == 0:
        return result
    dst += head
    src = &payload[0]
    key = <const unsigned char *>mask
    memcpy(&key32, key, 4)
    key64 = (<uint64_t>key32 << 32) | key32
    while size - i >= 8:
        memcpy(&word, src + i, 8)
        word ^= key64
        memcpy(dst + i, &word, 8)
        i += 8
    while i < size:
        dst[i] = src[i] ^ key[i & 3]
        i += 1
    return result
