# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The compiled twin of ``http_parser``: the same HTTP/1.1 parsers, in C.

``http_parser``'s docstring is the specification.  This module makes every
decision listed there the same way, raises the same exceptions with the same
messages, and emits the same events for every fragmentation of the input:
the parser test suite runs against both twins, and a differential test feeds
both the same random valid and broken messages, split at random points.

What differs is only how the work is done:

* Bytes are scanned forward, with ``memchr``, 256-entry class tables and
  (for field values) eight bytes at a time, rather than with regular
  expressions: no input can make a scan backtrack, and the lines of a head
  that arrives whole are found and checked in one pass.
* A feed is parsed in place in the caller's buffer; only an incomplete tail
  is copied into the parser's own buffer, to be joined with the next feed.
  The states, and the offsets kept between feeds (``_scan``,
  ``_line_start``, ``_lines``), mean what they mean in the pure twin, so
  that limits and errors come out the same whatever the fragmentation.
* Common field names map to prebuilt ``bytes`` and ``istr`` objects, the
  pairs a header multidict is built from are reused, and message tuples are
  filled directly: fewer allocations per message.
* Cold paths (naming the precise fault of a refused start or field line,
  request targets that are not in origin-form, checking the limits) call the
  functions of ``http_parser_rules`` that the pure twin uses too.
"""

from cpython.buffer cimport PyBUF_SIMPLE, PyBuffer_Release, PyObject_GetBuffer
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_CheckExact, PyBytes_GET_SIZE
from cpython.list cimport PyList_New, PyList_SET_ITEM
from cpython.mem cimport PyMem_Free, PyMem_Realloc
from cpython.object cimport PyObject, PyTypeObject
from cpython.ref cimport Py_INCREF, Py_XDECREF, Py_XINCREF
from cpython.tuple cimport PyTuple_New, PyTuple_SET_ITEM
from libc.stdint cimport uint32_t, uint64_t
from libc.string cimport memchr, memcmp, memcpy, memmove

from multidict import CIMultiDict, CIMultiDictProxy, istr
from yarl import URL

from . import http_grammar as g
from .http_exceptions import (
    BadHttpMessage,
    BadHttpMethod,
    BadStatusLine,
    ContentLengthError,
    HttpProcessingError,
    HttpVersionNotSupported,
    InvalidHeader,
    InvalidURLError,
    LineTooLong,
    TooManyHeaders,
    TransferEncodingError,
    UnsupportedTransferCoding,
)
from .http_messages import (
    CHUNK_END,
    BodyChunk,
    HttpVersion10,
    HttpVersion11,
    MessageEnd,
    ProtocolSwitch,
    RawRequestMessage,
    RawResponseMessage,
)
from .http_parser_rules import (
    build_url,
    check_limits,
    raise_field_error,
    raise_request_line_error,
    raise_status_line_error,
)

__all__ = ("HttpRequestParser", "HttpResponseParser")


cdef extern from "Python.h":
    # Declared here with const pointers, which the Cython ones lack.
    bytes PyBytes_FromStringAndSize(const char* v, Py_ssize_t size)
    str PyUnicode_DecodeUTF8(const char* s, Py_ssize_t size, const char* errors)
    str PyUnicode_DecodeASCII(const char* s, Py_ssize_t size, const char* errors)
    object PyType_GenericAlloc(PyTypeObject* tp, Py_ssize_t nitems)
    # Borrowed-pointer forms, for refilling a tuple nobody else holds.
    Py_ssize_t _refcount "Py_REFCNT" (PyObject* obj)
    PyObject* _list_item "PyList_GET_ITEM" (object lst, Py_ssize_t i)
    PyObject* _tuple_item "PyTuple_GET_ITEM" (PyObject* tup, Py_ssize_t i)
    void _set_tuple_item "PyTuple_SET_ITEM" (PyObject* tup, Py_ssize_t i, PyObject* o)


# -- states -----------------------------------------------------------------

cdef enum:
    HEAD = 0
    BODY_LENGTH = 1
    BODY_EOF = 2
    CHUNK_LINE = 3
    CHUNK_DATA = 4
    CHUNK_CRLF = 5
    TRAILERS = 6
    # States from here on accept no more data.
    SWITCHED = 7
    CLOSED = 8
    FAILED = 9

cdef enum:
    BODY_NONE = 0
    BODY_SIZED = 1
    BODY_CHUNKED = 2
    BODY_UNTIL_EOF = 3

cdef enum:
    CR = 13
    LF = 10
    SP = 32
    HTAB = 9

# The largest body or chunk size (2**63 - 1, as in the pure twin).
cdef uint64_t MAX_SIZE = <uint64_t>0x7FFFFFFFFFFFFFFF
# More hex digits than this in a chunk size are refused before converting.
cdef Py_ssize_t MAX_CHUNK_DIGITS = g.MAX_CHUNK_SIZE_DIGITS

if g.MAX_BODY_SIZE != 0x7FFFFFFFFFFFFFFF:
    raise ImportError("http_grammar.MAX_BODY_SIZE no longer fits this twin")


# -- byte classes (http_grammar spells out the same sets) -------------------

cdef enum:
    C_TCHAR = 1    # tchar
    C_VALUE = 2    # field-content, reason-phrase, quoted-pair: HTAB SP VCHAR obs-text
    C_TARGET = 4   # request-target bytes: VCHAR obs-text
    C_HEX = 8      # HEXDIG
    C_QDTEXT = 16  # qdtext
    C_DIGIT = 32   # DIGIT

cdef unsigned char CLS[256]
cdef unsigned char LOWER[256]
cdef unsigned char HEXVAL[256]


cdef void _init_classes():
    cdef int c
    for c in range(256):
        CLS[c] = 0
        LOWER[c] = c + 32 if 0x41 <= c <= 0x5A else c
        HEXVAL[c] = 0
    for c in b"!#$%&'*+-.^_`|~":
        CLS[c] |= C_TCHAR
    for c in range(0x30, 0x3A):
        CLS[c] |= C_TCHAR | C_HEX | C_DIGIT
        HEXVAL[c] = c - 0x30
    for c in range(0x41, 0x5B):
        CLS[c] |= C_TCHAR
        CLS[c + 32] |= C_TCHAR
    for c in range(6):
        CLS[0x41 + c] |= C_HEX
        CLS[0x61 + c] |= C_HEX
        HEXVAL[0x41 + c] = 10 + c
        HEXVAL[0x61 + c] = 10 + c
    for c in range(0x21, 0x7F):
        CLS[c] |= C_VALUE | C_TARGET
        if c != 0x22 and c != 0x5C:
            CLS[c] |= C_QDTEXT
    for c in range(0x80, 0x100):
        CLS[c] |= C_VALUE | C_TARGET | C_QDTEXT
    for c in (HTAB, SP):
        CLS[c] |= C_VALUE | C_QDTEXT


_init_classes()


cdef inline bint _is_ows(unsigned char c) noexcept nogil:
    return c == SP or c == HTAB


cdef inline bint _ci_equal(
    const unsigned char* s, const char* lower, Py_ssize_t n
) noexcept nogil:
    # ASCII-only case folding, like bytes.lower(): a Kelvin sign is no 'k'.
    cdef Py_ssize_t i
    for i in range(n):
        if LOWER[s[i]] != <unsigned char>lower[i]:
            return False
    return True


cdef inline Py_ssize_t _skip_ows(
    const unsigned char* s, Py_ssize_t i, Py_ssize_t n
) noexcept nogil:
    while i < n and _is_ows(s[i]):
        i += 1
    return i


cdef inline Py_ssize_t _skip_token(
    const unsigned char* s, Py_ssize_t i, Py_ssize_t n
) noexcept nogil:
    while i < n and CLS[s[i]] & C_TCHAR:
        i += 1
    return i


cdef inline bint _all_field_content(
    const unsigned char* s, Py_ssize_t n
) noexcept nogil:
    """Whether ``s[:n]`` is all HTAB, SP, VCHAR and obs-text."""
    cdef Py_ssize_t i = 0, j
    cdef uint64_t word, low, delete
    # Eight bytes at a time: a word with no byte below 0x20 (CTLs, but also
    # HTAB) and none equal to 0x7F (DEL) is fine; any other word is looked
    # at byte by byte.  These tests have no false negatives.
    while i + 8 <= n:
        memcpy(&word, s + i, 8)
        low = (word - 0x2020202020202020ULL) & ~word & 0x8080808080808080ULL
        delete = word ^ 0x7F7F7F7F7F7F7F7FULL
        delete = (delete - 0x0101010101010101ULL) & ~delete & 0x8080808080808080ULL
        if low | delete:
            for j in range(i, i + 8):
                if not CLS[s[j]] & C_VALUE:
                    return False
        i += 8
    for j in range(i, n):
        if not CLS[s[j]] & C_VALUE:
            return False
    return True


cdef Py_ssize_t _skip_quoted(
    const unsigned char* s, Py_ssize_t i, Py_ssize_t n
) noexcept nogil:
    """The end of the quoted-string at ``i``, or -1 when there is none."""
    if i >= n or s[i] != 0x22:
        return -1
    i += 1
    while i < n:
        if s[i] == 0x22:
            return i + 1
        if s[i] == 0x5C:
            if i + 1 >= n or not CLS[s[i + 1]] & C_VALUE:
                return -1
            i += 2
        elif CLS[s[i]] & C_QDTEXT:
            i += 1
        else:
            return -1
    return -1


# -- field names --------------------------------------------------------------
#
# A field name's kind says what the framing rules need to know about it; the
# table also holds prebuilt bytes and istr objects for the spellings that
# clients and servers actually send, so that the common names of a head cost
# no allocation (and CIMultiDict finds their lower-cased form in the istr).
# The names that carry a kind come from http_grammar.

cdef enum:
    K_OTHER = 0
    K_CONTENT_LENGTH = 1
    K_TRANSFER_ENCODING = 2
    K_CONNECTION = 3
    K_CONTENT_ENCODING = 4
    K_UPGRADE = 5
    # The kind's low byte is one of the above; a request singleton also has
    # its bit number plus one in the next byte.
    K_FRAMING_MASK = 0xFF
    NAME_SLOTS = 1024
    MAX_NAMES = 400
    MAX_NAME_SIZE = 40
    SPELLINGS = 2

cdef struct KnownName:
    Py_ssize_t size
    char lower[MAX_NAME_SIZE]
    int kind
    PyObject* raw[SPELLINGS]
    PyObject* text[SPELLINGS]

cdef KnownName NAMES[MAX_NAMES]
cdef int NAME_COUNT = 0
cdef unsigned short NAME_SLOT[NAME_SLOTS]
# Owns the objects that NAMES points to.
cdef list _NAME_OBJECTS = []

_FRAMING_KINDS = {
    b"content-length": K_CONTENT_LENGTH,
    b"transfer-encoding": K_TRANSFER_ENCODING,
    b"connection": K_CONNECTION,
    b"content-encoding": K_CONTENT_ENCODING,
    b"upgrade": K_UPGRADE,
}

# Spellings seen in real traffic; each is also known in lower case.
_COMMON_NAMES = """
    Accept Accept-Charset Accept-Encoding Accept-Language Accept-Ranges
    Access-Control-Allow-Credentials Access-Control-Allow-Headers
    Access-Control-Allow-Methods Access-Control-Allow-Origin
    Access-Control-Expose-Headers Access-Control-Max-Age
    Access-Control-Request-Headers Access-Control-Request-Method Age Allow
    Alt-Svc Authorization Cache-Control Connection Content-Disposition
    Content-Encoding Content-Language Content-Length Content-Location
    Content-Range Content-Security-Policy Content-Type Cookie Date DNT ETag
    Expect Expires Forwarded From Host If-Match If-Modified-Since If-None-Match
    If-Range If-Unmodified-Since Keep-Alive Last-Modified Link Location
    Max-Forwards Origin Pragma Priority Proxy-Authenticate Proxy-Authorization
    Proxy-Connection Range Referer Referrer-Policy Retry-After Sec-CH-UA
    Sec-CH-UA-Mobile Sec-CH-UA-Platform Sec-Fetch-Dest Sec-Fetch-Mode
    Sec-Fetch-Site Sec-Fetch-User Sec-WebSocket-Accept Sec-WebSocket-Extensions
    Sec-WebSocket-Key Sec-WebSocket-Protocol Sec-WebSocket-Version Server
    Set-Cookie Strict-Transport-Security TE Trailer Transfer-Encoding Upgrade
    Upgrade-Insecure-Requests User-Agent Vary Via WWW-Authenticate Warning
    X-Content-Type-Options X-Forwarded-For X-Forwarded-Host X-Forwarded-Proto
    X-Frame-Options X-Real-IP X-Request-ID X-Requested-With X-XSS-Protection
""".split()


cdef inline uint32_t _name_hash(const unsigned char* s, Py_ssize_t n) noexcept nogil:
    # Lower-cased bytes, so that every spelling lands in one slot.  The size
    # and three bytes tell the names of the table apart well enough (a full
    # compare follows anyway), for less work than hashing every byte.
    cdef uint32_t h = <uint32_t>n * 2654435761u
    if n:
        h ^= LOWER[s[0]] * 16777619u
        h ^= LOWER[s[n - 1]] * 40503u
        h ^= LOWER[s[n >> 1]] * 2246822519u
    return h ^ (h >> 15)


cdef KnownName* _find_name(const unsigned char* s, Py_ssize_t n) noexcept nogil:
    cdef uint32_t slot
    cdef KnownName* known
    if n >= MAX_NAME_SIZE:
        return NULL
    slot = _name_hash(s, n) & (NAME_SLOTS - 1)
    while NAME_SLOT[slot]:
        known = &NAMES[NAME_SLOT[slot] - 1]
        if known.size == n and _ci_equal(s, known.lower, n):
            return known
        slot = (slot + 1) & (NAME_SLOTS - 1)
    return NULL


cdef inline int _spelling(
    KnownName* known, const unsigned char* s, Py_ssize_t n
) noexcept:
    """Which prebuilt spelling of ``known`` the name ``s[:n]`` is, or -1."""
    cdef int i
    if known == NULL:
        return -1
    for i in range(SPELLINGS):
        if known.raw[i] != NULL and memcmp(
            PyBytes_AS_STRING(<bytes>known.raw[i]), s, n
        ) == 0:
            return i
    return -1


cdef void _add_spelling(KnownName* known, bytes raw) except *:
    cdef int i
    for i in range(SPELLINGS):
        if known.raw[i] == NULL:
            text = istr(raw.decode("ascii"))
            _NAME_OBJECTS.append(raw)
            _NAME_OBJECTS.append(text)
            known.raw[i] = <PyObject*>raw
            known.text[i] = <PyObject*>text
            return
        if <bytes>known.raw[i] == raw:
            return


cdef void _add_name(bytes spelling, int kind) except *:
    global NAME_COUNT
    cdef bytes lower = spelling.lower()
    cdef Py_ssize_t n = len(lower)
    cdef KnownName* known = _find_name(
        <const unsigned char*>PyBytes_AS_STRING(lower), n
    )
    cdef uint32_t slot
    if n >= MAX_NAME_SIZE or NAME_COUNT >= MAX_NAMES:
        raise ImportError(f"field name table cannot hold {spelling!r}")
    if known == NULL:
        known = &NAMES[NAME_COUNT]
        NAME_COUNT += 1
        known.size = n
        memcpy(known.lower, PyBytes_AS_STRING(lower), n)
        known.kind = kind
        for i in range(SPELLINGS):
            known.raw[i] = NULL
            known.text[i] = NULL
        slot = _name_hash(
            <const unsigned char*>PyBytes_AS_STRING(lower), n
        ) & (NAME_SLOTS - 1)
        while NAME_SLOT[slot]:
            slot = (slot + 1) & (NAME_SLOTS - 1)
        NAME_SLOT[slot] = NAME_COUNT
    known.kind |= kind
    _add_spelling(known, spelling)
    _add_spelling(known, lower)


cdef void _init_names() except *:
    cdef int bit = 0
    for i in range(NAME_SLOTS):
        NAME_SLOT[i] = 0
    singletons = sorted(g.REQUEST_SINGLETON_FIELDS)
    if len(singletons) > 31:
        raise ImportError("too many request singleton fields for a bit set")
    for name in singletons:
        bit += 1
        _add_name(name, _FRAMING_KINDS.get(name, K_OTHER) | (bit << 8))
    for name, kind in _FRAMING_KINDS.items():
        _add_name(name, kind)
    for name in _COMMON_NAMES:
        _add_name(name.encode("ascii"), K_OTHER)


_init_names()


# -- message objects ----------------------------------------------------------

# The message types are NamedTuples: plain tuple subclasses.  Filling an
# instance from tp_alloc is what tuple.__new__ does for a subclass, minus the
# argument tuple and the call; _check_tuple_type makes sure it still applies.
cdef PyTypeObject* _REQUEST_TYPE = <PyTypeObject*>RawRequestMessage
cdef PyTypeObject* _RESPONSE_TYPE = <PyTypeObject*>RawResponseMessage
cdef PyTypeObject* _CHUNK_TYPE = <PyTypeObject*>BodyChunk
cdef PyTypeObject* _END_TYPE = <PyTypeObject*>MessageEnd
cdef PyTypeObject* _SWITCH_TYPE = <PyTypeObject*>ProtocolSwitch


def _check_tuple_type(cls, size):
    """Refuse to load if a message type stopped being a plain NamedTuple."""
    if not (
        issubclass(cls, tuple)
        and len(getattr(cls, "_fields", ())) == size
        and cls.__dictoffset__ == 0
        and cls.__init__ is object.__init__
    ):
        raise ImportError(f"{cls.__name__} is no longer a plain NamedTuple")


_check_tuple_type(RawRequestMessage, 10)
_check_tuple_type(RawResponseMessage, 9)
_check_tuple_type(BodyChunk, 1)
_check_tuple_type(MessageEnd, 2)
_check_tuple_type(ProtocolSwitch, 1)


cdef inline object _new_tuple(PyTypeObject* tp, Py_ssize_t size):
    # Items start as NULL: fill them all before any other Python call.
    return PyType_GenericAlloc(tp, size)


cdef inline void _put(object tup, Py_ssize_t i, object item):
    Py_INCREF(item)
    PyTuple_SET_ITEM(tup, i, item)


cdef inline object _body_chunk(object data):
    result = _new_tuple(_CHUNK_TYPE, 1)
    _put(result, 0, data)
    return result


cdef object _EMPTY_HEADERS = CIMultiDictProxy(CIMultiDict())
cdef object _END = MessageEnd(_EMPTY_HEADERS, ())
cdef object _CHUNK_END = CHUNK_END
cdef object _HTTP10 = HttpVersion10
cdef object _HTTP11 = HttpVersion11
cdef object _CIMultiDict = CIMultiDict
cdef object _istr = istr
cdef object _CIMultiDictProxy = CIMultiDictProxy
cdef object _URL_build = URL.build
cdef object _FORBIDDEN_TRAILERS = g.FORBIDDEN_TRAILER_FIELDS


cdef inline object _build_headers(list pairs):
    if not pairs:
        return _EMPTY_HEADERS
    headers = _CIMultiDictProxy(_CIMultiDict(pairs))
    # Hands the pairs back to the parser's pool (see _reused_pair).
    pairs.clear()
    return headers


cdef inline str _decode(const unsigned char* s, Py_ssize_t n):
    return PyUnicode_DecodeUTF8(<const char*>s, n, "surrogateescape")


cdef inline bytes _bytes(const unsigned char* s, Py_ssize_t n):
    return PyBytes_FromStringAndSize(<const char*>s, n)


cdef str _method(const unsigned char* s, Py_ssize_t n):
    # The usual methods come back as shared constants.
    if n == 3 and memcmp(s, b"GET", 3) == 0:
        return "GET"
    if n == 4 and memcmp(s, b"POST", 4) == 0:
        return "POST"
    if n == 4 and memcmp(s, b"HEAD", 4) == 0:
        return "HEAD"
    if n == 3 and memcmp(s, b"PUT", 3) == 0:
        return "PUT"
    if n == 6 and memcmp(s, b"DELETE", 6) == 0:
        return "DELETE"
    if n == 7 and memcmp(s, b"OPTIONS", 7) == 0:
        return "OPTIONS"
    if n == 5 and memcmp(s, b"PATCH", 5) == 0:
        return "PATCH"
    if n == 7 and memcmp(s, b"CONNECT", 7) == 0:
        return "CONNECT"
    return PyUnicode_DecodeASCII(<const char*>s, n, NULL)


cdef object _version(unsigned char major, unsigned char minor):
    if major == 0x31 and minor == 0x31:
        return _HTTP11
    if major == 0x31 and minor == 0x30:
        return _HTTP10
    raise HttpVersionNotSupported(
        f"HTTP version {chr(major)}.{chr(minor)} is not supported"
    )


# -- what the framing fields of a block say ---------------------------------

cdef struct Summary:
    Py_ssize_t cl_count
    const unsigned char* cl
    Py_ssize_t cl_size
    bint cl_differs
    Py_ssize_t ce_count
    const unsigned char* ce
    Py_ssize_t ce_size
    bint upgrade
    bint close
    bint keep_alive
    bint connection_upgrade
    uint32_t singletons
    int repeated


cdef void _connection_tokens(
    Summary* sm, const unsigned char* s, Py_ssize_t n
) noexcept nogil:
    # value.split(b",") with each token stripped of OWS and ASCII-lowered.
    cdef Py_ssize_t i = 0, j, a, b
    while True:
        j = i
        while j < n and s[j] != 0x2C:
            j += 1
        a = i
        b = j
        while a < b and _is_ows(s[a]):
            a += 1
        while b > a and _is_ows(s[b - 1]):
            b -= 1
        if b - a == 5 and _ci_equal(s + a, "close", 5):
            sm.close = True
        elif b - a == 10 and _ci_equal(s + a, "keep-alive", 10):
            sm.keep_alive = True
        elif b - a == 7 and _ci_equal(s + a, "upgrade", 7):
            sm.connection_upgrade = True
        if j >= n:
            return
        i = j + 1


cdef inline bint _should_close(Summary* sm, object version) noexcept:
    """Whether the connection closes after this message (RFC 9112 9.3)."""
    if sm.close:
        return True
    return version is _HTTP10 and not sm.keep_alive


cdef object _compression(Summary* sm):
    cdef const unsigned char* s = sm.ce
    cdef Py_ssize_t n = sm.ce_size
    if sm.ce_count != 1:
        return None
    if n == 4 and _ci_equal(s, "gzip", 4):
        return "gzip"
    if n == 6 and _ci_equal(s, "x-gzip", 6):
        return "gzip"
    if n == 7 and _ci_equal(s, "deflate", 7):
        return "deflate"
    if n == 2 and _ci_equal(s, "br", 2):
        return "br"
    if n == 4 and _ci_equal(s, "zstd", 4):
        return "zstd"
    return None


cdef long long _content_length(Summary* sm) except -2:
    """The validated Content-Length, or -1 when absent."""
    cdef const unsigned char* s = sm.cl
    cdef Py_ssize_t n = sm.cl_size, i, zeros = 0
    cdef uint64_t value = 0
    if sm.cl_count == 0:
        return -1
    for i in range(n):
        if not CLS[s[i]] & C_DIGIT:
            n = 0
            break
    if n == 0:
        raise ContentLengthError(f"Invalid Content-Length {_bytes(s, sm.cl_size)!r}")
    if sm.cl_differs:
        raise ContentLengthError("Differing Content-Length values")
    while zeros < n and s[zeros] == 0x30:
        zeros += 1
    if n - zeros <= 19:
        for i in range(zeros, n):
            value = value * 10 + (s[i] - 0x30)
    if n - zeros > 19 or value > MAX_SIZE:
        raise ContentLengthError(
            f"Content-Length too large {_bytes(s, n if n < 30 else 30)!r}"
        )
    return <long long>value


cdef struct Codings:
    Py_ssize_t count
    Py_ssize_t chunked
    bint last_chunked


cdef int _transfer_codings(Codings* out, bytes value, list names) except -1:
    """Walk a Transfer-Encoding list (RFC 9110 10.1.4, 5.6.1.2).

    Counts the codings into ``out`` and, when ``names`` is a list, appends
    their lowered names to it.  Raises for a value that is not such a list.
    """
    cdef const unsigned char* s = <const unsigned char*>PyBytes_AS_STRING(value)
    cdef Py_ssize_t n = PyBytes_GET_SIZE(value), i = 0, a, j
    while True:
        i = _skip_ows(s, i, n)
        if i < n and CLS[s[i]] & C_TCHAR:
            a = i
            i = _skip_token(s, i, n)
            out.count += 1
            out.last_chunked = i - a == 7 and _ci_equal(s + a, "chunked", 7)
            out.chunked += out.last_chunked
            if names is not None:
                names.append(value[a:i].lower())
            # transfer-parameters: OWS ";" OWS token BWS "=" BWS value
            while True:
                j = _skip_ows(s, i, n)
                if j >= n or s[j] != 0x3B:
                    break
                j = _skip_ows(s, j + 1, n)
                a = j
                j = _skip_token(s, j, n)
                if j == a:
                    return _bad_transfer_encoding(value)
                j = _skip_ows(s, j, n)
                if j >= n or s[j] != 0x3D:
                    return _bad_transfer_encoding(value)
                j = _skip_ows(s, j + 1, n)
                a = j
                j = _skip_token(s, j, n)
                if j == a:
                    j = _skip_quoted(s, j, n)
                    if j < 0:
                        return _bad_transfer_encoding(value)
                i = j
            i = _skip_ows(s, i, n)
        if i >= n:
            return 0
        if s[i] != 0x2C:
            return _bad_transfer_encoding(value)
        i += 1


cdef int _bad_transfer_encoding(bytes value) except -1:
    raise BadHttpMessage(f"Invalid Transfer-Encoding {value[:50]!r}")


cdef uint64_t _chunk_size(const unsigned char* s, Py_ssize_t n) except? 0xFFFFFFFFFFFFFFFF:
    """The size of a chunk-size line (extensions checked, then ignored)."""
    cdef Py_ssize_t i = 0, j, a
    cdef uint64_t size = 0
    while i < n and CLS[s[i]] & C_HEX:
        i += 1
    cdef Py_ssize_t digits = i
    if digits == 0:
        return _bad_chunk_line(s, n)
    # chunk-ext: *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )
    while i < n:
        j = _skip_ows(s, i, n)
        if j >= n or s[j] != 0x3B:
            return _bad_chunk_line(s, n)
        j = _skip_ows(s, j + 1, n)
        a = j
        j = _skip_token(s, j, n)
        if j == a:
            return _bad_chunk_line(s, n)
        i = j
        j = _skip_ows(s, j, n)
        if j < n and s[j] == 0x3D:
            j = _skip_ows(s, j + 1, n)
            a = j
            j = _skip_token(s, j, n)
            if j == a:
                j = _skip_quoted(s, j, n)
                if j < 0:
                    return _bad_chunk_line(s, n)
            i = j
    if digits > MAX_CHUNK_DIGITS:
        raise TransferEncodingError(
            f"Chunk size too large {_bytes(s, digits if digits < 50 else 50)!r}"
        )
    for i in range(digits):
        size = (size << 4) | HEXVAL[s[i]]
    if size > MAX_SIZE:
        raise TransferEncodingError(f"Chunk size too large {_bytes(s, digits)!r}")
    return size


cdef uint64_t _bad_chunk_line(const unsigned char* s, Py_ssize_t n) except? 0xFFFFFFFFFFFFFFFF:
    raise TransferEncodingError(
        f"Invalid chunk-size line {_bytes(s, n if n < 50 else 50)!r}"
    )


cdef inline Py_ssize_t _find_blank_line(
    const unsigned char* p, Py_ssize_t n, Py_ssize_t start
) noexcept nogil:
    """Where the first CRLF CRLF at or after ``start`` begins, or -1."""
    cdef Py_ssize_t i = start + 3
    cdef const unsigned char* q
    while i < n:
        q = <const unsigned char*>memchr(p + i, LF, n - i)
        if q == NULL:
            return -1
        i = q - p
        if p[i - 1] == CR and p[i - 2] == LF and p[i - 3] == CR:
            return i - 3
        i += 1
    return -1


# -- the parsers --------------------------------------------------------------


cdef class _HttpParser:
    """The machinery shared by the request and the response parser."""

    cdef public Py_ssize_t max_line_size
    cdef public Py_ssize_t max_field_size
    cdef public Py_ssize_t max_headers

    cdef int _state
    cdef Py_ssize_t _scan
    cdef Py_ssize_t _line_start
    cdef Py_ssize_t _lines
    cdef bint _start_checked
    cdef bint _switch
    cdef long long _remaining
    cdef object _error

    # The incomplete tail of earlier feeds: _mem[_mem_off:_mem_off + _mem_len].
    cdef char* _mem
    cdef Py_ssize_t _mem_cap
    cdef Py_ssize_t _mem_off
    cdef Py_ssize_t _mem_len

    # During a feed: the unconsumed bytes, in the caller's buffer or in _mem.
    cdef const unsigned char* _p
    cdef Py_ssize_t _n
    cdef bint _in_mem
    # The caller's bytes object, reused as is for a body chunk that is all of it.
    cdef object _src
    cdef const unsigned char* _src_ptr
    cdef Py_ssize_t _src_len

    # What _parse_fields found in the last field block.
    cdef Summary _sm
    cdef tuple _raw_fields
    cdef list _pairs
    cdef list _te_values
    # 2-tuples reused for the (name, value) pairs that a CIMultiDict is
    # built from: it copies what it needs, so afterwards only this list
    # holds them, and the next block refills them instead of allocating.
    cdef list _pair_pool
    # How many lines the block _read_block returned has.
    cdef Py_ssize_t _block_lines

    def __dealloc__(self):
        PyMem_Free(self._mem)

    cdef _set_limits(self, max_line_size, max_field_size, max_headers):
        check_limits(
            max_line_size=max_line_size,
            max_field_size=max_field_size,
            max_headers=max_headers,
        )
        self.max_line_size = max_line_size
        self.max_field_size = max_field_size
        self.max_headers = max_headers
        self._state = HEAD

    # Public API.

    def feed_data(self, data):
        """Parse more bytes from the peer; return the events they complete.

        Raises an ``HttpProcessingError`` subclass on bad input, with the
        events completed before it as its ``events``; the caller handles
        those, then answers with the error's ``code`` (server side) and closes.
        """
        cdef Py_buffer view
        cdef bint release = False
        cdef list events
        if self._state >= SWITCHED:
            self._refuse("feed_data")
        if PyBytes_CheckExact(data):
            self._src = data
            self._src_ptr = <const unsigned char*>PyBytes_AS_STRING(data)
            self._src_len = PyBytes_GET_SIZE(data)
        else:
            PyObject_GetBuffer(data, &view, PyBUF_SIMPLE)
            release = True
            self._src = None
            self._src_ptr = <const unsigned char*>view.buf
            self._src_len = view.len
        events = []
        try:
            if self._mem_len:
                self._append(self._src_ptr, self._src_len)
                self._in_mem = True
                self._p = <const unsigned char*>self._mem + self._mem_off
                self._n = self._mem_len
            else:
                self._in_mem = False
                self._p = self._src_ptr
                self._n = self._src_len
            try:
                self._run(events)
            except HttpProcessingError as exc:
                exc.events = tuple(events)
                self._fail(exc)
                raise
            finally:
                self._keep_rest()
        finally:
            self._src = None
            if release:
                PyBuffer_Release(&view)
        return events

    def feed_eof(self):
        """The peer closed: end a body read until EOF, or raise if one was cut."""
        cdef int state = self._state
        cdef list events = []
        cdef Py_ssize_t i
        if state == FAILED:
            self._refuse("feed_eof")
        if state >= SWITCHED:
            return events
        self._in_mem = True
        self._p = <const unsigned char*>self._mem + self._mem_off
        self._n = self._mem_len
        try:
            if state == BODY_EOF:
                self._end_message(events, _END)
            elif state == BODY_LENGTH:
                raise ContentLengthError(
                    "Not enough data to satisfy content length header."
                )
            elif state != HEAD:
                raise TransferEncodingError(
                    "Not enough data to satisfy transfer length header."
                )
            else:
                for i in range(self._n):
                    if self._p[i] != CR:
                        raise BadHttpMessage(
                            "Connection closed in the middle of a message head"
                        )
        except HttpProcessingError as exc:
            self._fail(exc)
            raise
        finally:
            self._keep_rest()
        self._state = CLOSED
        return events

    # Buffer.

    cdef int _append(self, const unsigned char* data, Py_ssize_t size) except -1:
        cdef Py_ssize_t need = self._mem_len + size, cap
        cdef char* mem
        if self._mem_off + need > self._mem_cap:
            if self._mem_off:
                memmove(self._mem, self._mem + self._mem_off, self._mem_len)
                self._mem_off = 0
            if need > self._mem_cap:
                cap = self._mem_cap * 2
                if cap < need:
                    cap = need
                if cap < 256:
                    cap = 256
                mem = <char*>PyMem_Realloc(self._mem, cap)
                if mem == NULL:
                    raise MemoryError()
                self._mem = mem
                self._mem_cap = cap
        memcpy(self._mem + self._mem_off + self._mem_len, data, size)
        self._mem_len += size
        return 0

    cdef int _keep_rest(self) except -1:
        """Keep the unconsumed bytes of this feed for the next one."""
        cdef const unsigned char* rest = self._p
        cdef Py_ssize_t size = self._n
        self._p = NULL
        self._n = 0
        if self._in_mem:
            self._mem_off = <char*>rest - self._mem if size else 0
            self._mem_len = size
        elif size:
            self._append(rest, size)
        if not self._mem_len and self._mem_cap > 65536:
            # Give back what one huge head needed.
            PyMem_Free(self._mem)
            self._mem = NULL
            self._mem_cap = 0
            self._mem_off = 0
        return 0

    cdef inline void _consume(self, Py_ssize_t size) noexcept:
        self._p += size
        self._n -= size

    # Life cycle.

    cdef int _refuse(self, str what) except -1:
        if self._state == FAILED:
            raise RuntimeError(f"{what}() after a parse error") from self._error
        raise RuntimeError(f"{what}() after the end of HTTP/1.x on this connection")

    cdef void _fail(self, exc) noexcept:
        self._state = FAILED
        self._error = exc
        self._n = 0
        self._mem_len = 0
        self._mem_off = 0

    cdef int _run(self, list events) except -1:
        cdef int more = 1, state
        while more:
            state = self._state
            if state == HEAD:
                more = self._step_head(events)
            elif state == BODY_LENGTH or state == CHUNK_DATA:
                more = self._step_sized(events)
            elif state == CHUNK_LINE:
                more = self._step_chunk_line()
            elif state == CHUNK_CRLF:
                more = self._step_chunk_crlf(events)
            elif state == TRAILERS:
                more = self._step_trailers(events)
            else:
                if state == BODY_EOF and self._n:
                    events.append(self._take_body(self._n))
                more = 0
        return 0

    cdef int _begin_body(
        self, list events, object head, int body, long long length, bint switch
    ) except -1:
        events.append(head)
        self._switch = switch
        if body == BODY_SIZED and length:
            self._state = BODY_LENGTH
            self._remaining = length
        elif body == BODY_CHUNKED:
            self._state = CHUNK_LINE
        elif body == BODY_UNTIL_EOF:
            self._state = BODY_EOF
        else:
            self._end_message(events, _END)
        return 0

    cdef int _end_message(self, list events, object end) except -1:
        events.append(end)
        if self._switch:
            switch = _new_tuple(_SWITCH_TYPE, 1)
            _put(switch, 0, _bytes(self._p, self._n))
            events.append(switch)
            self._consume(self._n)
            self._state = SWITCHED
        else:
            self._state = HEAD
        return 0

    # Head and trailer blocks.

    cdef int _step_head(self, list events) except -1:
        cdef const unsigned char* p = self._p
        cdef Py_ssize_t n = self._n, k = 0, total, lines
        if n and p[0] == CR:
            while k + 1 < n and p[k] == CR and p[k + 1] == LF:
                k += 2
            if k:
                self._consume(k)
                p = self._p
                n = self._n
                self._scan = 0
        if n == 0 or (n == 1 and p[0] == CR):
            # Nothing yet, or the first half of an empty line's CRLF.
            return 0
        if not self._start_checked:
            self._start_checked = self._check_start(self._scan)
        total = self._read_block(True)
        if total < 0:
            return 0
        # The start line ends at the first LF, which has its CR (checked).
        k = <const unsigned char*>memchr(p, LF, total) - p - 1 if total else 0
        self._on_head(events, p, k, total, self._block_lines)
        return 1

    cdef int _step_trailers(self, list events) except -1:
        cdef const unsigned char* p = self._p
        cdef Py_ssize_t total = self._read_block(False)
        if total < 0:
            return 0
        if total == 0:
            self._end_message(events, _END)
            return 1
        self._parse_fields(p, 0, total, self._block_lines)
        for name, _ in self._raw_fields:
            if name.lower() in _FORBIDDEN_TRAILERS:
                raise InvalidHeader(name)
        headers = _build_headers(self._pairs)
        end = _new_tuple(_END_TYPE, 2)
        _put(end, 0, headers)
        _put(end, 1, self._raw_fields)
        self._end_message(events, end)
        return 1

    cdef Py_ssize_t _read_block(self, bint has_start_line) except -2:
        """Take a complete head or trailer block; return its size or -1.

        The block (its lines with their CRLF) starts where ``_p`` was; it and
        the empty line after it are consumed, its lines all checked and
        counted in ``_block_lines``.
        """
        cdef const unsigned char* p = self._p
        cdef Py_ssize_t n = self._n, end
        if n >= 2 and p[0] == CR and p[1] == LF:
            # An empty block: only trailers can have one, heads skip these.
            self._consume(2)
            self._reset_lines()
            self._block_lines = 0
            return 0
        if self._scan == 0:
            return self._read_fresh_block(has_start_line)
        end = _find_blank_line(p, n, self._scan - 3 if self._scan > 3 else 0)
        if end < 0:
            self._check_lines(
                p, n, self._scan, &self._line_start, &self._lines, has_start_line
            )
            self._scan = n
            return -1
        self._block_lines = self._check_block(p, end + 2, has_start_line)
        self._consume(end + 4)
        self._reset_lines()
        return end + 2

    cdef Py_ssize_t _read_fresh_block(self, bint has_start_line) except -2:
        """``_read_block`` when nothing of the block was seen yet, in one pass.

        The pure twin looks for the blank line first and then checks the
        lines before it (or, without one, all of them): since the checks go
        in wire order and stop at the first fault, checking each line as the
        search passes it raises the same error, and reads the bytes once.
        """
        cdef const unsigned char* p = self._p
        cdef Py_ssize_t n = self._n, start = 0, lines = 0, nl
        cdef const unsigned char* q = <const unsigned char*>memchr(p, LF, n)
        while q != NULL:
            nl = q - p
            if nl >= 3 and p[nl - 1] == CR and p[nl - 2] == LF and p[nl - 3] == CR:
                self._block_lines = lines
                self._consume(nl + 1)
                self._reset_lines()
                return nl - 1
            self._check_ended_line(p, start, nl, lines, has_start_line)
            lines += 1
            start = nl + 1
            q = <const unsigned char*>memchr(p + start, LF, n - start)
        self._check_open_line(p, start, n, lines, has_start_line)
        self._line_start = start
        self._lines = lines
        self._scan = n
        return -1

    cdef inline void _reset_lines(self) noexcept:
        self._scan = 0
        self._line_start = 0
        self._lines = 0
        self._start_checked = False

    cdef Py_ssize_t _check_block(
        self, const unsigned char* p, Py_ssize_t total, bint has_start_line
    ) except -1:
        """Check every line of a complete block; return how many there are.

        The pure twin first tries a quicker test and replays these checks
        only when it fails; with limits of 0 or more both give the same
        verdict, so this one pass decides the same way.
        """
        cdef Py_ssize_t line_start = 0, lines = 0
        self._check_lines(p, total, 0, &line_start, &lines, has_start_line)
        return lines

    cdef int _check_lines(
        self,
        const unsigned char* buf,
        Py_ssize_t n,
        Py_ssize_t scan,
        Py_ssize_t* line_start,
        Py_ssize_t* lines,
        bint has_start_line,
    ) except -1:
        """Check the lines ended since ``scan`` and the one still open.

        Lines are checked in wire order (bare LF, length, count), so whole
        and fragmented input fail with the same error.
        """
        cdef Py_ssize_t start = line_start[0], count = lines[0], nl
        cdef const unsigned char* q = <const unsigned char*>memchr(
            buf + scan, LF, n - scan
        )
        while q != NULL:
            nl = q - buf
            self._check_ended_line(buf, start, nl, count, has_start_line)
            count += 1
            start = nl + 1
            q = <const unsigned char*>memchr(buf + start, LF, n - start)
        self._check_open_line(buf, start, n, count, has_start_line)
        line_start[0] = start
        lines[0] = count
        return 0

    cdef inline int _check_ended_line(
        self,
        const unsigned char* buf,
        Py_ssize_t start,
        Py_ssize_t nl,
        Py_ssize_t count,
        bint has_start_line,
    ) except -1:
        """Check the line ``buf[start:nl]`` (its LF at ``nl``), the ``count``-th."""
        if nl == start or buf[nl - 1] != CR:
            raise BadHttpMessage("Bare LF where CRLF is required")
        self._check_line_size(nl - 1 - start, count, has_start_line)
        if count + 1 - has_start_line > self.max_headers:
            kind = "header" if has_start_line else "trailer"
            raise TooManyHeaders(f"Too many {kind} fields")
        return 0

    cdef inline int _check_open_line(
        self,
        const unsigned char* buf,
        Py_ssize_t start,
        Py_ssize_t n,
        Py_ssize_t count,
        bint has_start_line,
    ) except -1:
        """Check the line still open at ``buf[start:n]`` against its limit."""
        cdef Py_ssize_t size = n - start
        # A CR at the very end is the first half of a CRLF, not line content.
        if size and buf[n - 1] == CR:
            size -= 1
        self._check_line_size(size, count, has_start_line)
        return 0

    cdef int _check_line_size(
        self, Py_ssize_t size, Py_ssize_t lines, bint has_start_line
    ) except -1:
        if has_start_line and lines == 0:
            if size > self.max_line_size:
                raise self._start_line_too_long(size)
        elif size > self.max_field_size:
            kind = "header" if has_start_line else "trailer"
            raise LineTooLong(f"a {kind} field", self.max_field_size, str(size))
        return 0

    cdef int _parse_fields(
        self,
        const unsigned char* s,
        Py_ssize_t pos,
        Py_ssize_t end,
        Py_ssize_t count,
    ) except -1:
        """Parse ``count`` field lines of ``s[pos:end]`` (all CRLF-ended).

        Leaves the raw pairs, the decoded pairs and the framing summary in
        ``_raw_fields``, ``_pairs``, ``_sm`` and ``_te_values``.
        """
        cdef Summary* sm = &self._sm
        cdef Py_ssize_t first = pos, idx, i, name_end, vs, ve
        cdef KnownName* known
        cdef int spelling
        cdef tuple raw = PyTuple_New(count)
        cdef list pairs = PyList_New(count)
        cdef object raw_name, text_name, raw_value
        sm.cl_count = 0
        sm.cl_differs = False
        sm.ce_count = 0
        sm.upgrade = False
        sm.close = False
        sm.keep_alive = False
        sm.connection_upgrade = False
        sm.singletons = 0
        sm.repeated = 0
        self._te_values = None
        for idx in range(count):
            # Every line ends with CRLF (checked), which stops both scans.
            i = pos
            while CLS[s[i]] & C_TCHAR:
                i += 1
            if i == pos or s[i] != 0x3A:
                return self._field_error(s, first, end)
            name_end = i
            i += 1
            while _is_ows(s[i]):
                i += 1
            vs = i
            # The first CR ends the value, unless it is a bare one.
            i = <const unsigned char*>memchr(s + vs, CR, end - vs) - s
            if s[i + 1] != LF or not _all_field_content(s + vs, i - vs):
                return self._field_error(s, first, end)
            ve = i
            while ve > vs and _is_ows(s[ve - 1]):
                ve -= 1

            known = _find_name(s + pos, name_end - pos)
            spelling = _spelling(known, s + pos, name_end - pos)
            if spelling >= 0:
                raw_name = <object>known.raw[spelling]
                text_name = <object>known.text[spelling]
            else:
                raw_name = _bytes(s + pos, name_end - pos)
                text_name = _istr(
                    PyUnicode_DecodeASCII(<const char*>s + pos, name_end - pos, NULL)
                )
            raw_value = _bytes(s + vs, ve - vs)
            _put(raw, idx, (raw_name, raw_value))
            pair = self._reused_pair(idx, text_name, _decode(s + vs, ve - vs))
            Py_INCREF(pair)
            PyList_SET_ITEM(pairs, idx, pair)
            if known != NULL and known.kind:
                self._summarize(known.kind, s + vs, ve - vs, raw_value)
            pos = i + 2
        self._raw_fields = raw
        self._pairs = pairs
        return 0

    cdef int _summarize(
        self, int kind, const unsigned char* value, Py_ssize_t size, bytes raw
    ) except -1:
        """Note in ``_sm`` what a field of this kind says about framing."""
        cdef Summary* sm = &self._sm
        cdef int bit = kind >> 8
        if bit:
            if sm.singletons & (1u << bit) and not sm.repeated:
                sm.repeated = bit
            sm.singletons |= 1u << bit
        kind &= K_FRAMING_MASK
        if kind == K_CONTENT_LENGTH:
            sm.cl_count += 1
            if sm.cl_count == 1:
                sm.cl = value
                sm.cl_size = size
            elif size != sm.cl_size or memcmp(value, sm.cl, size):
                sm.cl_differs = True
        elif kind == K_TRANSFER_ENCODING:
            if self._te_values is None:
                self._te_values = []
            self._te_values.append(raw)
        elif kind == K_CONNECTION:
            _connection_tokens(sm, value, size)
        elif kind == K_CONTENT_ENCODING:
            sm.ce_count += 1
            sm.ce = value
            sm.ce_size = size
        elif kind == K_UPGRADE:
            sm.upgrade = True
        return 0

    cdef object _reused_pair(self, Py_ssize_t idx, object key, object value):
        """A ``(key, value)`` tuple: the pool's ``idx``-th one when it is free."""
        cdef list pool = self._pair_pool
        cdef PyObject* pair
        cdef PyObject* old
        if pool is None:
            pool = self._pair_pool = []
        if idx < len(pool):
            pair = _list_item(pool, idx)
            if _refcount(pair) == 1:
                # Only the pool holds it (as zip() checks before it reuses
                # its result tuple): no one can see it change, nor hashed it.
                old = _tuple_item(pair, 0)
                Py_XINCREF(<PyObject*>key)
                _set_tuple_item(pair, 0, <PyObject*>key)
                Py_XDECREF(old)
                old = _tuple_item(pair, 1)
                Py_XINCREF(<PyObject*>value)
                _set_tuple_item(pair, 1, <PyObject*>value)
                Py_XDECREF(old)
                return <object>pair
            fresh = (key, value)
            pool[idx] = fresh
            return fresh
        fresh = (key, value)
        if idx == len(pool) and idx < 64:
            pool.append(fresh)
        return fresh

    cdef int _field_error(
        self, const unsigned char* s, Py_ssize_t first, Py_ssize_t end
    ) except -1:
        raise_field_error(_bytes(s + first, end - first))
        return -1

    # Bodies.

    cdef object _take_body(self, Py_ssize_t size):
        """A body chunk of the next ``size`` unconsumed bytes."""
        cdef object data
        if self._src is not None and self._p == self._src_ptr and size == self._src_len:
            data = self._src
        else:
            data = _bytes(self._p, size)
        self._consume(size)
        return _body_chunk(data)

    cdef int _step_sized(self, list events) except -1:
        cdef Py_ssize_t size = self._n
        if size > self._remaining:
            size = <Py_ssize_t>self._remaining
        if size:
            events.append(self._take_body(size))
            self._remaining -= size
        if self._remaining:
            return 0
        if self._state == CHUNK_DATA:
            self._state = CHUNK_CRLF
        else:
            self._end_message(events, _END)
        return 1

    cdef int _step_chunk_line(self) except -1:
        cdef const unsigned char* p = self._p
        cdef Py_ssize_t n = self._n, nl, size
        cdef const unsigned char* q = <const unsigned char*>memchr(
            p + self._scan, LF, n - self._scan
        )
        cdef bint has_cr
        cdef uint64_t chunk
        if q == NULL:
            size = n - 1 if n and p[n - 1] == CR else n
            if size > self.max_line_size:
                raise self._chunk_line_too_long(size)
            self._scan = n
            return 0
        nl = q - p
        has_cr = nl > 0 and p[nl - 1] == CR
        if nl - has_cr > self.max_line_size:
            raise self._chunk_line_too_long(nl - has_cr)
        if not has_cr:
            raise TransferEncodingError("Bare LF where CRLF is required")
        self._consume(nl + 1)
        self._scan = 0
        chunk = _chunk_size(p, nl - 1)
        if chunk:
            self._state = CHUNK_DATA
            self._remaining = <long long>chunk
        else:
            self._state = TRAILERS
        return 1

    cdef int _step_chunk_crlf(self, list events) except -1:
        cdef const unsigned char* p = self._p
        cdef Py_ssize_t n = self._n
        if n >= 2 and p[0] == CR and p[1] == LF:
            self._consume(2)
            events.append(_CHUNK_END)
            self._state = CHUNK_LINE
            return 1
        if n < 2 and (n == 0 or p[0] == CR):
            return 0
        raise TransferEncodingError("Chunk data not followed by CRLF")

    cdef object _chunk_line_too_long(self, Py_ssize_t size):
        exc = LineTooLong("a chunk-size line", self.max_line_size, str(size))
        exc.code = 400
        return exc

    # Hooks for the two directions.

    cdef int _check_start(self, Py_ssize_t scan) except -1:
        """Refuse a start line whose first bytes already show it is bad.

        Returns 1 once the verdict is final, so that it is not redone;
        ``scan`` tells how much of the buffer an earlier call already saw.
        """
        raise NotImplementedError

    cdef object _start_line_too_long(self, Py_ssize_t size):
        raise NotImplementedError

    cdef int _on_head(
        self,
        list events,
        const unsigned char* s,
        Py_ssize_t start_size,
        Py_ssize_t total,
        Py_ssize_t lines,
    ) except -1:
        """Parse a start line and its field block; emit the head, set up the body."""
        raise NotImplementedError


cdef class HttpRequestParser(_HttpParser):
    """Parses the requests a client sends to a server (compiled)."""

    def __init__(
        self,
        *,
        max_line_size=8190,
        max_field_size=8190,
        max_headers=128,
    ):
        self._set_limits(max_line_size, max_field_size, max_headers)

    cdef int _check_start(self, Py_ssize_t scan) except -1:
        # Until decided, the buffer up to scan is tchars, maybe with a CR at
        # its end: resuming one byte early keeps the search linear.
        cdef const unsigned char* p = self._p
        cdef Py_ssize_t n = self._n
        cdef Py_ssize_t i = _skip_token(p, scan - 1 if scan > 0 else 0, n)
        if i < n and p[i] == SP:
            return 1
        if i + 1 < n and p[i] == CR and p[i + 1] == LF:
            return 1
        if i == n or (i + 1 == n and p[i] == CR):
            return 0
        raise BadHttpMethod(_bytes(p, i + 1))

    cdef object _start_line_too_long(self, Py_ssize_t size):
        exc = LineTooLong("the request line", self.max_line_size, str(size))
        exc.code = 414
        return exc

    cdef int _on_head(
        self,
        list events,
        const unsigned char* s,
        Py_ssize_t start_size,
        Py_ssize_t total,
        Py_ssize_t lines,
    ) except -1:
        cdef Py_ssize_t i, method_end, target, target_end
        cdef unsigned char high = 0
        cdef bint connect, chunked, upgrade
        cdef long long length
        cdef int body
        cdef Summary* sm = &self._sm
        cdef Codings codings
        # request-line = method SP request-target SP HTTP-version
        i = _skip_token(s, 0, start_size)
        method_end = i
        target = target_end = 0
        if method_end and i < start_size and s[i] == SP:
            target = i = i + 1
            while i < start_size and CLS[s[i]] & C_TARGET:
                high |= s[i]
                i += 1
            target_end = i
        if not (
            target_end > target
            and start_size - target_end == 9
            and s[target_end] == SP
            and memcmp(s + target_end + 1, b"HTTP/", 5) == 0
            and CLS[s[target_end + 6]] & C_DIGIT
            and s[target_end + 7] == 0x2E
            and CLS[s[target_end + 8]] & C_DIGIT
        ):
            raise_request_line_error(_bytes(s, start_size))
        version = _version(s[target_end + 6], s[target_end + 8])
        method = _method(s, method_end)
        path = _decode(s + target, target_end - target)
        connect = method_end == 7 and memcmp(s, b"CONNECT", 7) == 0
        if not connect and s[target] == 0x2F and high < 0x80:
            url = _origin_url(path, s + target, target_end - target)
        else:
            url = build_url(method, path, _bytes(s + target, target_end - target))

        self._parse_fields(s, start_size + 2, total, lines - 1 if lines else 0)
        if sm.repeated:
            _repeated_singleton(sm.repeated)
        upgrade = sm.connection_upgrade and sm.upgrade

        # RFC 9112 6.3 for requests: how long the body is.
        length = _content_length(sm)
        chunked = self._te_values is not None
        if chunked and length >= 0:
            raise BadHttpMessage("Content-Length and Transfer-Encoding in one request")
        if connect:
            if chunked or length > 0:
                raise BadHttpMessage("A CONNECT request cannot have content")
            body = BODY_NONE
        elif chunked:
            if version is _HTTP10:
                raise BadHttpMessage("Transfer-Encoding in an HTTP/1.0 request")
            codings.count = codings.chunked = 0
            codings.last_chunked = False
            for value in self._te_values:
                _transfer_codings(&codings, value, None)
            if codings.chunked != 1 or not codings.last_chunked:
                if codings.count == 0 or codings.chunked:
                    raise BadHttpMessage(
                        "chunked must be the last transfer coding, once"
                    )
            if codings.count != 1 or not codings.last_chunked:
                _unsupported_codings(self._te_values)
            body = BODY_CHUNKED
        else:
            body = BODY_SIZED

        headers = _build_headers(self._pairs)
        compression = _compression(sm)
        head = _new_tuple(_REQUEST_TYPE, 10)
        _put(head, 0, method)
        _put(head, 1, path)
        _put(head, 2, version)
        _put(head, 3, headers)
        _put(head, 4, self._raw_fields)
        _put(head, 5, _should_close(sm, version))
        _put(head, 6, compression)
        _put(head, 7, upgrade)
        _put(head, 8, body == BODY_CHUNKED)
        _put(head, 9, url)
        self._begin_body(
            events, head, body, length if length > 0 else 0, connect or upgrade
        )
        return 0


cdef object _origin_url(str path, const unsigned char* s, Py_ssize_t n):
    """The URL of an ASCII origin-form target (``build_url``'s first case)."""
    cdef const unsigned char* q = <const unsigned char*>memchr(s, 0x23, n)
    cdef Py_ssize_t hash_at = q - s if q != NULL else n
    q = <const unsigned char*>memchr(s, 0x3F, hash_at)
    cdef Py_ssize_t query_at = q - s if q != NULL else hash_at
    # Only the parts that are there are passed: the others default to "".
    try:
        if query_at == n:
            return _URL_build(path=path, encoded=True)
        if hash_at == n:
            return _URL_build(
                path=path[:query_at], query_string=path[query_at + 1 :], encoded=True
            )
        return _URL_build(
            path=path[:query_at],
            query_string=path[query_at + 1 : hash_at] if query_at < hash_at else "",
            fragment=path[hash_at + 1 :],
            encoded=True,
        )
    except ValueError as exc:
        raise InvalidURLError(f"Invalid request target {path[:50]!r}") from exc


cdef int _repeated_singleton(int bit) except -1:
    cdef KnownName* known
    for i in range(NAME_COUNT):
        known = &NAMES[i]
        if known.kind >> 8 == bit:
            name = known.lower[:known.size].decode("ascii")
            if name == "content-length":
                raise ContentLengthError("Duplicate Content-Length in a request")
            raise BadHttpMessage(f"Duplicate {name} field")
    raise AssertionError("unknown singleton field")


cdef int _unsupported_codings(list values) except -1:
    cdef Codings codings
    cdef list names = []
    codings.count = codings.chunked = 0
    codings.last_chunked = False
    for value in values:
        _transfer_codings(&codings, value, names)
    raise UnsupportedTransferCoding(
        f"Unsupported transfer coding {b', '.join(names)[:50]!r}"
    )


cdef class HttpResponseParser(_HttpParser):
    """Parses the responses a server sends to a client (compiled)."""

    cdef public object read_until_eof
    #: Method of the request the next response answers.
    cdef public object request_method

    def __init__(
        self,
        *,
        max_line_size=8190,
        max_field_size=8190,
        max_headers=128,
        read_until_eof=True,
    ):
        self._set_limits(max_line_size, max_field_size, max_headers)
        self.read_until_eof = read_until_eof
        self.request_method = "GET"

    cdef int _check_start(self, Py_ssize_t scan) except -1:
        cdef Py_ssize_t size = self._n if self._n < 5 else 5
        if memcmp(self._p, b"HTTP/", size) != 0:
            raise BadStatusLine(_bytes(self._p, self._n if self._n < 100 else 100))
        return size == 5

    cdef object _start_line_too_long(self, Py_ssize_t size):
        return LineTooLong("the status line", self.max_line_size, str(size))

    cdef int _on_head(
        self,
        list events,
        const unsigned char* s,
        Py_ssize_t start_size,
        Py_ssize_t total,
        Py_ssize_t lines,
    ) except -1:
        cdef Py_ssize_t i
        cdef int code, body
        cdef long long length
        cdef bint te, switch, forced_close
        cdef Summary* sm = &self._sm
        cdef Codings codings
        # status-line = HTTP-version SP status-code [ SP reason-phrase ]
        cdef bint ok = (
            start_size >= 12
            and memcmp(s, b"HTTP/", 5) == 0
            and CLS[s[5]] & C_DIGIT
            and s[6] == 0x2E
            and CLS[s[7]] & C_DIGIT
            and s[8] == SP
            and 0x31 <= s[9] <= 0x39
            and CLS[s[10]] & C_DIGIT
            and CLS[s[11]] & C_DIGIT
        )
        if ok and start_size > 12:
            ok = s[12] == SP
            i = 13
            while ok and i < start_size:
                ok = CLS[s[i]] & C_VALUE
                i += 1
        if not ok:
            raise_status_line_error(_bytes(s, start_size))
        version = _version(s[5], s[7])
        code = (s[9] - 0x30) * 100 + (s[10] - 0x30) * 10 + (s[11] - 0x30)

        self._parse_fields(s, start_size + 2, total, lines - 1 if lines else 0)
        te = self._te_values is not None
        codings.count = codings.chunked = 0
        codings.last_chunked = False
        if te:
            for value in self._te_values:
                _transfer_codings(&codings, value, None)

        # RFC 9112 6.3 for responses: the framing and a forced close.
        length = _content_length(sm)
        switch = code == 101 or (self.request_method == "CONNECT" and 200 <= code < 300)
        forced_close = False
        if switch or code < 200:
            body = BODY_NONE
        else:
            forced_close = te and (length >= 0 or version is _HTTP10)
            if self.request_method == "HEAD" or code == 204 or code == 304:
                body = BODY_NONE
            elif te:
                if codings.last_chunked:
                    if codings.chunked > 1:
                        raise BadHttpMessage("chunked applied more than once")
                    body = BODY_CHUNKED
                else:
                    body = BODY_UNTIL_EOF
                    forced_close = True
            elif length >= 0:
                body = BODY_SIZED
            elif self.read_until_eof:
                body = BODY_UNTIL_EOF
                forced_close = True
            else:
                body = BODY_NONE

        if start_size == 15 and s[13] == 0x4F and s[14] == 0x4B:
            reason = "OK"
        elif start_size > 13:
            reason = _decode(s + 13, start_size - 13)
        else:
            reason = ""
        headers = _build_headers(self._pairs)
        compression = _compression(sm)
        head = _new_tuple(_RESPONSE_TYPE, 9)
        _put(head, 0, version)
        _put(head, 1, code)
        _put(head, 2, reason)
        _put(head, 3, headers)
        _put(head, 4, self._raw_fields)
        _put(head, 5, forced_close or _should_close(sm, version))
        _put(head, 6, compression)
        _put(head, 7, code == 101)
        _put(head, 8, codings.last_chunked)
        self._begin_body(
            events, head, body, length if body == BODY_SIZED else 0, switch
        )
        return 0
