# cython: boundscheck=False, wraparound=False, cdivision=True
"""Compiled twin of the head serializer in ``http_writer``.

Same interface, checks, framing report and errors as ``_serialize_py`` and
``serialize_headers_py``: CR, LF and NUL are refused anywhere in the start
line and the values, and a field name must be an RFC 9110 token.  Each
string's characters are read once, straight from the str object, checked and
copied (UTF-8 encoded) into one buffer, which becomes the result bytes.  The
errors are built by ``http_head``, as the pure twin's are.
"""

from cpython.buffer cimport PyBUF_SIMPLE, PyBuffer_Release, PyObject_CheckBuffer
from cpython.bytes cimport (
    PyBytes_AS_STRING,
    PyBytes_FromStringAndSize,
    PyBytes_GET_SIZE,
)
from cpython.exc cimport PyErr_Clear
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.object cimport PyObject_Format
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE
from cpython.unicode cimport (
    PyUnicode_1BYTE_DATA,
    PyUnicode_DATA,
    PyUnicode_DecodeUTF8,
    PyUnicode_FromObject,
    PyUnicode_GET_LENGTH,
    PyUnicode_KIND,
    PyUnicode_READ,
)
from libc.stdint cimport uint8_t, uint32_t, uint64_t
from libc.string cimport memcpy

from multidict import istr

from .http_head import (
    FramingField,
    field_pair,
    forbidden_error,
    name_error,
    plain_str,
    value_str,
)

__all__ = ("_chunk", "_serialize", "serialize_headers")


cdef extern from *:
    """
    /* Strings made through the legacy API need their canonical form before
       their characters are read; since Python 3.12 every str has it. */
    #if PY_VERSION_HEX < 0x030C0000
    #define aiohttp_unicode_ready(op) PyUnicode_READY(op)
    #else
    #define aiohttp_unicode_ready(op) 0
    #endif
    #define AIOHTTP_BYTES_0E UINT64_C(0x0E0E0E0E0E0E0E0E)
    #define AIOHTTP_HIGH_BITS UINT64_C(0x8080808080808080)
    static const char aiohttp_hex_digits[] = "0123456789abcdef";
    """
    int aiohttp_unicode_ready(object op) except -1
    bint PyUnicode_IS_ASCII(object op)
    const Py_ssize_t PY_SSIZE_T_MAX
    const uint64_t _BYTES_0E "AIOHTTP_BYTES_0E"
    const uint64_t _HIGH_BITS "AIOHTTP_HIGH_BITS"
    const char *_HEX_DIGITS "aiohttp_hex_digits"
    # Declared without "except", to try the buffer protocol without raising.
    int _get_buffer "PyObject_GetBuffer" (object obj, Py_buffer *view, int flags)


cdef enum:
    # Most heads fit here, on the C stack: no allocation but the result.
    _STACK_SIZE = 2048
    # Room kept after each name or text written, for the separators that
    # follow it (": ", "\r\n" and the final "\r\n"), so that writing those
    # needs no capacity check.
    _SLACK = 4

cdef enum:
    # What scanning a text found (flags).
    _FORBIDDEN = 1  # CR, LF or NUL
    _SURROGATE = 2  # a lone surrogate: UTF-8 cannot encode it

cdef enum:
    # What a field name is.
    _OTHER = 0
    _CONTENT_LENGTH = 1
    _TRANSFER_ENCODING = 2
    _NOT_A_TOKEN = 3


# RFC 9110 section 5.6.2:
#   token = 1*tchar
#   tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
#           "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
cdef uint8_t _TCHAR[256]


cdef void _fill_tchar() noexcept:
    cdef bytes tchars = (
        b"!#$%&'*+-.^_`|~0123456789"
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    )
    cdef uint8_t c
    for c in tchars:
        _TCHAR[c] = 1


_fill_tchar()

cdef object _KIND_CONTENT_LENGTH = FramingField.CONTENT_LENGTH
cdef object _KIND_TRANSFER_ENCODING = FramingField.TRANSFER_ENCODING


cdef struct _Buffer:
    char *data
    Py_ssize_t pos
    Py_ssize_t size
    bint on_heap


cdef int _grow(_Buffer *buf, Py_ssize_t extra) except -1:
    """Make room for ``extra`` more bytes, moving the buffer to the heap."""
    cdef Py_ssize_t size
    cdef char *data
    # Far beyond any memory, and keeps the sizes below from overflowing.
    if buf.size > PY_SSIZE_T_MAX // 4 or extra > PY_SSIZE_T_MAX // 4 - buf.pos:
        raise MemoryError()
    size = max(buf.size * 2, buf.pos + extra)
    data = <char *>PyMem_Malloc(size)
    if data is NULL:
        raise MemoryError()
    memcpy(data, buf.data, buf.pos)
    if buf.on_heap:
        PyMem_Free(buf.data)
    buf.data = data
    buf.size = size
    buf.on_heap = True
    return 0


cdef inline void _put2(_Buffer *buf, char first, char second) noexcept:
    # Within the _SLACK reserved by the write before.
    buf.data[buf.pos] = first
    buf.data[buf.pos + 1] = second
    buf.pos += 2


cdef inline int _write_text(_Buffer *buf, object text) except -1:
    """Copy a str as UTF-8; return the _FORBIDDEN/_SURROGATE flags found."""
    cdef Py_ssize_t n, i = 0
    cdef const uint8_t *src
    cdef uint8_t *out
    cdef uint64_t word = 0, low = 0
    aiohttp_unicode_ready(text)
    if not PyUnicode_IS_ASCII(text):
        return _write_wide(buf, text)
    n = PyUnicode_GET_LENGTH(text)
    if n > buf.size - buf.pos - _SLACK:
        _grow(buf, n + _SLACK)
    src = PyUnicode_1BYTE_DATA(text)
    out = <uint8_t *>buf.data + buf.pos
    # Eight bytes at a time, branch-free: a byte below 0x0E (as CR, LF and
    # NUL are) leaves its top bit in (word - 0x0E0E...) & ~word, and no
    # byte at or above it does unless a lower byte of the word already did.
    # Only then are the bytes looked at one by one.
    while i + 8 <= n:
        memcpy(&word, src + i, 8)
        memcpy(out + i, &word, 8)
        low |= (word - _BYTES_0E) & ~word
        i += 8
    while i < n:
        out[i] = src[i]
        if src[i] < 0x0E:
            low = _HIGH_BITS
        i += 1
    buf.pos += n
    if low & _HIGH_BITS:
        return _find_forbidden(src, n)
    return 0


cdef int _find_forbidden(const uint8_t *src, Py_ssize_t n) noexcept:
    """_FORBIDDEN if CR, LF or NUL is among the ``n`` ASCII bytes, else 0."""
    cdef Py_ssize_t i
    cdef uint8_t c
    for i in range(n):
        c = src[i]
        if c == 13 or c == 10 or c == 0:
            return _FORBIDDEN
    return 0


cdef int _write_wide(_Buffer *buf, object text) except -1:
    """``_write_text`` for a str with non-ASCII characters."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text)
    cdef int kind = PyUnicode_KIND(text)
    cdef void *data = PyUnicode_DATA(text)
    cdef uint8_t *out
    cdef Py_ssize_t i, p = 0
    cdef uint32_t ch  # not Py_UCS4, which Cython treats as a character
    cdef int found = 0
    if n > (PY_SSIZE_T_MAX - _SLACK) // 4:
        raise MemoryError()
    if 4 * n > buf.size - buf.pos - _SLACK:
        _grow(buf, 4 * n + _SLACK)
    out = <uint8_t *>buf.data + buf.pos
    for i in range(n):
        ch = PyUnicode_READ(kind, data, i)
        if ch < 0x80:
            if ch == 13 or ch == 10 or ch == 0:
                found |= _FORBIDDEN
            out[p] = <uint8_t>ch
            p += 1
        elif ch < 0x800:
            out[p] = <uint8_t>(0xC0 | (ch >> 6))
            out[p + 1] = <uint8_t>(0x80 | (ch & 0x3F))
            p += 2
        elif ch < 0x10000:
            # A surrogate is written as the "surrogatepass" error handler
            # would, only for the error path to decode the text back.
            if 0xD800 <= ch <= 0xDFFF:
                found |= _SURROGATE
            out[p] = <uint8_t>(0xE0 | (ch >> 12))
            out[p + 1] = <uint8_t>(0x80 | ((ch >> 6) & 0x3F))
            out[p + 2] = <uint8_t>(0x80 | (ch & 0x3F))
            p += 3
        else:
            out[p] = <uint8_t>(0xF0 | (ch >> 18))
            out[p + 1] = <uint8_t>(0x80 | ((ch >> 12) & 0x3F))
            out[p + 2] = <uint8_t>(0x80 | ((ch >> 6) & 0x3F))
            out[p + 3] = <uint8_t>(0x80 | (ch & 0x3F))
            p += 4
    buf.pos += p
    return found


cdef inline bint _equals_lower(
    const uint8_t *name, const char *lower, Py_ssize_t n
) noexcept:
    """Compare a token with a lower-case name, ignoring ASCII case."""
    cdef Py_ssize_t i
    for i in range(n):
        # Setting bit 0x20 lowers a letter and keeps "-"; no other
        # character of a token turns into a letter or "-" that way.
        if (name[i] | 0x20) != <uint8_t>lower[i]:
            return False
    return True


cdef inline int _write_name(_Buffer *buf, object name) except -1:
    """Copy a field name if it is a token; return what name it is."""
    cdef Py_ssize_t n, i
    cdef const uint8_t *src
    cdef uint8_t *out
    cdef uint8_t c, valid = 1
    aiohttp_unicode_ready(name)
    n = PyUnicode_GET_LENGTH(name)
    if n == 0 or not PyUnicode_IS_ASCII(name):
        return _NOT_A_TOKEN
    if n > buf.size - buf.pos - _SLACK:
        _grow(buf, n + _SLACK)
    src = PyUnicode_1BYTE_DATA(name)
    out = <uint8_t *>buf.data + buf.pos
    for i in range(n):
        c = src[i]
        out[i] = c
        valid &= _TCHAR[c]
    if not valid:
        return _NOT_A_TOKEN
    buf.pos += n
    if n == 14 and _equals_lower(src, b"content-length", 14):
        return _CONTENT_LENGTH
    if n == 17 and _equals_lower(src, b"transfer-encoding", 17):
        return _TRANSFER_ENCODING
    return _OTHER


cdef object _write_head(
    _Buffer *buf, object status_line, object headers, bint report
):
    """Write the whole head into ``buf``; return the bytes (and framing)."""
    cdef int found, kind
    cdef list framing = None
    cdef object items, item, name, value, text
    if not isinstance(status_line, str):
        status_line = plain_str(status_line)
    found = _write_text(buf, status_line)
    _put2(buf, b"\r", b"\n")
    # Not "for ... in headers.items()", which Cython would turn into its
    # own dict iteration: the interpreter's is what the pure twin uses.
    items = headers.items()
    for item in items:
        if type(item) is tuple and PyTuple_GET_SIZE(item) == 2:
            name = <object>PyTuple_GET_ITEM(item, 0)
            value = <object>PyTuple_GET_ITEM(item, 1)
        else:
            name, value = field_pair(item)
        # Let go of the pair before the next one: an items() iterator can
        # then reuse it (dict's does) or at least its memory.
        item = None
        if not isinstance(name, str):
            name = plain_str(name)
        kind = _write_name(buf, name)
        if kind == _NOT_A_TOKEN:
            # The pure twin reports istr names as they are, other str
            # subclasses as their plain str.
            if type(name) is not str and type(name) is not istr:
                name = PyUnicode_FromObject(name)
            raise name_error(name)
        _put2(buf, b":", b" ")
        if isinstance(value, str):
            text = value
        elif type(value) is int:
            text = PyObject_Format(value, "")
        else:
            # Anything else may fake its class to isinstance(): let the
            # pure twin's own code decide.
            text = value_str(value)
        found |= _write_text(buf, text)
        _put2(buf, b"\r", b"\n")
        if kind != _OTHER and report:
            if type(value) is not str and isinstance(value, str):
                text = PyUnicode_FromObject(value)  # its plain str
            if framing is None:
                framing = []
            framing.append(
                (
                    _KIND_CONTENT_LENGTH
                    if kind == _CONTENT_LENGTH
                    else _KIND_TRANSFER_ENCODING,
                    text,
                )
            )
    if found & _FORBIDDEN:
        if type(status_line) is not str:
            status_line = PyUnicode_FromObject(status_line)
        raise forbidden_error(status_line, headers)
    _put2(buf, b"\r", b"\n")
    if found & _SURROGATE:
        # Encoding the very text the pure twin encodes raises its error.
        PyUnicode_DecodeUTF8(buf.data, buf.pos, "surrogatepass").encode("utf-8")
    data = PyBytes_FromStringAndSize(buf.data, buf.pos)
    if report:
        return data, framing
    return data


cdef object _serialize_head(object status_line, object headers, bint report):
    cdef char stack[_STACK_SIZE]
    cdef _Buffer buf
    buf.data = stack
    buf.pos = 0
    buf.size = _STACK_SIZE
    buf.on_heap = False
    try:
        return _write_head(&buf, status_line, headers, report)
    finally:
        if buf.on_heap:
            PyMem_Free(buf.data)


def _serialize(status_line, headers):
    """Serialize a head; also return its framing fields (None if there are none)."""
    return _serialize_head(status_line, headers, True)


def serialize_headers(status_line, headers):
    """Return ``status_line``, the header fields and the blank line, as bytes."""
    return _serialize_head(status_line, headers, False)


cdef bytes _frame_chunk(const char *data, Py_ssize_t size):
    """The chunk framing around ``size`` bytes at ``data``, in one bytes object."""
    cdef Py_ssize_t digits = 1, i
    cdef size_t rest = (<size_t>size) >> 4
    cdef bytes chunk
    cdef char *out
    while rest:
        digits += 1
        rest >>= 4
    chunk = PyBytes_FromStringAndSize(NULL, digits + size + 4)
    out = PyBytes_AS_STRING(chunk)
    for i in range(digits):
        out[digits - 1 - i] = _HEX_DIGITS[(size >> (4 * i)) & 15]
    out[digits] = b"\r"
    out[digits + 1] = b"\n"
    memcpy(out + digits + 2, data, size)
    out[digits + 2 + size] = b"\r"
    out[digits + 3 + size] = b"\n"
    return chunk


def _chunk(data):
    """``data`` framed as one chunk of the chunked transfer coding."""
    cdef Py_buffer view
    if type(data) is bytes:
        return _frame_chunk(PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))
    if PyObject_CheckBuffer(data):
        if _get_buffer(data, &view, PyBUF_SIMPLE) == 0:
            try:
                # len() of a buffer may count items, not bytes: the pure
                # twin frames len(data), so only the same count is done here.
                if view.len == len(data):
                    return _frame_chunk(<const char *>view.buf, view.len)
            finally:
                PyBuffer_Release(&view)
        else:
            PyErr_Clear()
    # Whatever else: the pure twin's expression, with its results and errors.
    return b"".join((b"%x\r\n" % len(data), data, b"\r\n"))
