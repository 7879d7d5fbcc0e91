# cython: language_level=3
"""Compiled twin of ``mask.websocket_mask_py``."""

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
