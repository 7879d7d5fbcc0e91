# cython: language_level=3
"""The XOR loop of RFC 6455 masking, shared by the compiled twins."""

from libc.stdint cimport uint64_t
from libc.string cimport memcpy


cdef inline void xor_copy(
    unsigned char *dst,
    const unsigned char *src,
    Py_ssize_t size,
    const unsigned char *mask,
    uint64_t phase,
) noexcept nogil:
    """Copy ``size`` bytes XOR-ed with ``mask`` from its byte ``phase`` on.

    ``dst`` may be ``src``: masking in place.  Eight bytes at a time: the
    mask repeats every four, so a word of two turned masks lines up with
    every 8-byte step.
    """
    cdef unsigned char key[8]
    cdef uint64_t key64
    cdef uint64_t word
    cdef Py_ssize_t i = 0
    cdef int k
    for k in range(8):
        key[k] = mask[(phase + k) & 3]
    memcpy(&key64, key, 8)
    while size - i >= 8:
        memcpy(&word, src + i, 8)
        word ^= key64
        memcpy(dst + i, &word, 8)
        i += 8
    while i < size:
        dst[i] = src[i] ^ key[i & 7]
        i += 1
