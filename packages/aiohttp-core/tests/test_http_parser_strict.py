"""The HTTP/1.1 parsers refuse what RFC 9110/9112 forbid, with precise errors.

Every case is fed whole and one byte at a time and must raise exactly the
same exception class both ways.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import pytest

from aiohttp_core.http_exceptions import (
    BadHttpMessage,
    BadHttpMethod,
    BadStatusLine,
    ContentLengthError,
    HttpProcessingError,
    HttpVersionNotSupported,
    InvalidHeader,
    InvalidURLError,
    TransferEncodingError,
    UnsupportedTransferCoding,
)
from aiohttp_core.http_messages import BodyChunk

# ``parser_mod`` (conftest.py) gives each parser twin in turn.


Factory = Callable[[], Any]


def feed_all(parser: Any, parts: Sequence[bytes], eof: bool) -> None:
    for part in parts:
        parser.feed_data(part)
    if eof:
        parser.feed_eof()


def rejected(
    make: Factory, data: bytes, exc_type: type[HttpProcessingError], eof: bool = False
) -> HttpProcessingError:
    """Feed whole, then byte by byte: both must raise exactly ``exc_type``."""
    errors = []
    for parts in ([data], [data[i : i + 1] for i in range(len(data))]):
        with pytest.raises(HttpProcessingError) as info:
            feed_all(make(), parts, eof)
        assert type(info.value) is exc_type, (len(parts), repr(info.value))
        errors.append(info.value)
    assert errors[0].code == errors[1].code
    return errors[0]


def request(parser_mod: ModuleType) -> Factory:
    return lambda: parser_mod.HttpRequestParser()


def response(parser_mod: ModuleType, method: str = "GET") -> Factory:
    def make() -> Any:
        parser = parser_mod.HttpResponseParser()
        parser.request_method = method
        return parser

    return make


def get_with(*fields: bytes) -> bytes:
    return b"GET / HTTP/1.1\r\n" + b"".join(f + b"\r\n" for f in fields) + b"\r\n"


def post_with(*fields: bytes) -> bytes:
    return b"POST / HTTP/1.1\r\n" + b"".join(f + b"\r\n" for f in fields) + b"\r\n"


def chunked(body: bytes) -> bytes:
    return b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + body


# -- framing ------------------------------------------------------------------


FRAMING_REJECTIONS = {
    "cl-then-te": (
        post_with(b"Content-Length: 3", b"Transfer-Encoding: chunked"),
        BadHttpMessage,
    ),
    "te-then-cl": (
        post_with(b"Transfer-Encoding: chunked", b"Content-Length: 0"),
        BadHttpMessage,
    ),
    "te-in-http10": (
        b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        BadHttpMessage,
    ),
    "te-gzip": (post_with(b"Transfer-Encoding: gzip"), UnsupportedTransferCoding),
    "te-identity": (
        post_with(b"Transfer-Encoding: identity"),
        UnsupportedTransferCoding,
    ),
    "te-gzip-chunked": (
        post_with(b"Transfer-Encoding: gzip, chunked"),
        UnsupportedTransferCoding,
    ),
    "te-chunked-gzip": (post_with(b"Transfer-Encoding: chunked, gzip"), BadHttpMessage),
    "te-chunked-twice": (
        post_with(b"Transfer-Encoding: chunked, chunked"),
        BadHttpMessage,
    ),
    "te-empty": (post_with(b"Transfer-Encoding: "), BadHttpMessage),
    "te-not-a-token": (post_with(b"Transfer-Encoding: chun ked"), BadHttpMessage),
    "te-kelvin-sign": (
        post_with(b"Transfer-Encoding: chun\xe2\x84\xaaed"),
        BadHttpMessage,
    ),
    "te-long-s": (post_with(b"Transfer-Encoding: \xc5\xbfchunked"), BadHttpMessage),
    "te-vertical-tab": (post_with(b"Transfer-Encoding: chunked\x0b"), InvalidHeader),
    "connect-with-body": (
        b"CONNECT h:1 HTTP/1.1\r\nContent-Length: 2\r\n\r\nab",
        BadHttpMessage,
    ),
    "connect-chunked": (
        b"CONNECT h:1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
        BadHttpMessage,
    ),
}


@pytest.mark.parametrize("case", list(FRAMING_REJECTIONS))
def test_request_framing_rejected(parser_mod: ModuleType, case: str) -> None:
    data, exc_type = FRAMING_REJECTIONS[case]
    rejected(request(parser_mod), data, exc_type)


def test_unsupported_transfer_coding_is_501(parser_mod: ModuleType) -> None:
    exc = rejected(
        request(parser_mod),
        post_with(b"Transfer-Encoding: gzip"),
        UnsupportedTransferCoding,
    )
    assert exc.code == 501


BAD_CONTENT_LENGTHS = [
    b"",
    b"+5",
    b"-5",
    b"5 5",
    b"0x5",
    b"5,5",
    b"5, 5",
    b"1e3",
    b"5.0",
    b"\xd9\xa5",  # ARABIC-INDIC DIGIT FIVE
    b"\xef\xbc\x95",  # FULLWIDTH DIGIT FIVE
    b"\xf0\x9d\x9f\x93",  # MATHEMATICAL BOLD DIGIT FIVE
    b"5\xc2\xa0",  # NO-BREAK SPACE
    b"9223372036854775808",  # 2**63
    b"9" * 5000,
]


@pytest.mark.parametrize("value", BAD_CONTENT_LENGTHS)
def test_bad_content_length_in_request(parser_mod: ModuleType, value: bytes) -> None:
    data = post_with(b"Content-Length: " + value)
    rejected(request(parser_mod), data, ContentLengthError)


@pytest.mark.parametrize("value", BAD_CONTENT_LENGTHS)
def test_bad_content_length_in_response(parser_mod: ModuleType, value: bytes) -> None:
    data = b"HTTP/1.1 200 OK\r\nContent-Length: " + value + b"\r\n\r\n"
    rejected(response(parser_mod), data, ContentLengthError)


@pytest.mark.parametrize("second", [b"3", b"4", b"03"])
def test_second_content_length_in_request(
    parser_mod: ModuleType, second: bytes
) -> None:
    data = post_with(b"Content-Length: 3", b"content-length: " + second) + b"abc"
    rejected(request(parser_mod), data, ContentLengthError)


@pytest.mark.parametrize("second", [b"4", b"03", b"3, 3"])
def test_differing_content_lengths_in_response(
    parser_mod: ModuleType, second: bytes
) -> None:
    data = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: " + second
    rejected(response(parser_mod), data + b"\r\n\r\nabc", ContentLengthError)


@pytest.mark.parametrize(
    "value",
    [b"chunked, chunked", b"chun\xe2\x84\xaaed", b'gzip;q="x'],
)
def test_bad_transfer_encoding_in_response(
    parser_mod: ModuleType, value: bytes
) -> None:
    data = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: " + value + b"\r\n\r\n"
    rejected(response(parser_mod), data, BadHttpMessage)


SINGLETONS = [
    b"Host",
    b"Transfer-Encoding",
    b"Content-Type",
    b"Content-Location",
    b"Content-Range",
    b"ETag",
    b"From",
    b"If-Modified-Since",
    b"If-Range",
    b"If-Unmodified-Since",
    b"Location",
    b"Max-Forwards",
    b"Authorization",
    b"Proxy-Authorization",
    b"Referer",
    b"User-Agent",
]


@pytest.mark.parametrize("name", SINGLETONS)
def test_repeated_singleton_in_request(parser_mod: ModuleType, name: bytes) -> None:
    data = get_with(name + b": a", b"X: y", name.lower() + b": a")
    rejected(request(parser_mod), data, BadHttpMessage)


def test_repeated_list_fields_are_fine(parser_mod: ModuleType) -> None:
    parser = request(parser_mod)()
    head = parser.feed_data(get_with(b"Accept: a", b"accept: b", b"Cookie: c"))[0]
    assert head.headers.getall("Accept") == ["a", "b"]


# -- header and trailer fields ----------------------------------------------------


FIELD_REJECTIONS = {
    "obs-fold-space": (b"X: a", b" b", BadHttpMessage),
    "obs-fold-tab": (b"X: a", b"\tb", BadHttpMessage),
    "space-before-first-field": (b" X: a", b"Y: b", BadHttpMessage),
    "space-before-colon": (b"X : a", b"Y: b", InvalidHeader),
    "tab-before-colon": (b"X\t: a", b"Y: b", InvalidHeader),
    "empty-name": (b": a", b"Y: b", InvalidHeader),
    "no-colon": (b"X a", b"Y: b", InvalidHeader),
    "name-at": (b"X@Y: a", b"Y: b", InvalidHeader),
    "name-paren": (b"X(Y): a", b"Y: b", InvalidHeader),
    "name-slash": (b"X/Y: a", b"Y: b", InvalidHeader),
    "name-brace": (b"{X}: a", b"Y: b", InvalidHeader),
    "name-quote": (b'X"Y: a', b"Y: b", InvalidHeader),
    "name-non-ascii": (b"F\xc3\xb6o: a", b"Y: b", InvalidHeader),
    "name-kelvin": (b"\xe2\x84\xaaey: a", b"Y: b", InvalidHeader),
    "name-nul": (b"X\x00: a", b"Y: b", InvalidHeader),
    "name-del": (b"X\x7f: a", b"Y: b", InvalidHeader),
    "value-nul": (b"X: a\x00b", b"Y: b", InvalidHeader),
    "value-soh": (b"X: a\x01", b"Y: b", InvalidHeader),
    "value-us": (b"X: \x1fa", b"Y: b", InvalidHeader),
    "value-vt": (b"X: a\x0bb", b"Y: b", InvalidHeader),
    "value-ff": (b"X: a\x0c", b"Y: b", InvalidHeader),
    "value-esc": (b"X: \x1b[0m", b"Y: b", InvalidHeader),
    "value-del": (b"X: a\x7fb", b"Y: b", InvalidHeader),
    # Long values, which a compiled twin may check a word at a time.
    "value-us-long": (b"X: " + b"a" * 20 + b"\x1f" + b"a" * 20, b"Y: b", InvalidHeader),
    "value-del-long": (b"X: " + b"a" * 16 + b"\x7f" + b"a" * 7, b"Y: b", InvalidHeader),
    "value-nul-long": (b"X: " + b"\t" * 9 + b"\x00", b"Y: b", InvalidHeader),
    "value-bare-cr": (b"X: a\rb", b"Y: b", BadHttpMessage),
    "name-bare-cr": (b"X\rY: a", b"Y: b", BadHttpMessage),
    "value-bare-lf": (b"X: a\nb", b"Y: b", BadHttpMessage),
    "line-end-bare-lf": (b"X: a\nY: b", b"Z: c", BadHttpMessage),
    "line-end-cr-cr-lf": (b"X: a\r", b"Y: b", BadHttpMessage),
}


@pytest.mark.parametrize("case", list(FIELD_REJECTIONS))
def test_bad_header_field(parser_mod: ModuleType, case: str) -> None:
    first, second, exc_type = FIELD_REJECTIONS[case]
    rejected(request(parser_mod), get_with(first, second), exc_type)
    data = b"HTTP/1.1 200 OK\r\n" + first + b"\r\n" + second + b"\r\n\r\n"
    rejected(response(parser_mod), data, exc_type)


@pytest.mark.parametrize("case", list(FIELD_REJECTIONS))
def test_bad_trailer_field(parser_mod: ModuleType, case: str) -> None:
    first, second, exc_type = FIELD_REJECTIONS[case]
    if case == "space-before-first-field":
        exc_type = BadHttpMessage
    data = chunked(b"1\r\na\r\n0\r\n" + first + b"\r\n" + second + b"\r\n\r\n")
    rejected(request(parser_mod), data, exc_type)


@pytest.mark.parametrize(
    "terminator",
    [b"\n", b"\n\n", b"\r\n\n", b"\n\r\n"],
    ids=["lf", "lf-lf", "crlf-lf", "lf-crlf"],
)
def test_head_end_needs_crlf(parser_mod: ModuleType, terminator: bytes) -> None:
    rejected(
        request(parser_mod), b"GET / HTTP/1.1\r\nX: a" + terminator, BadHttpMessage
    )


@pytest.mark.parametrize(
    "name",
    [
        b"Content-Length",
        b"transfer-encoding",
        b"Host",
        b"Trailer",
        b"Content-Type",
        b"Content-Encoding",
        b"Connection",
        b"Authorization",
        b"Set-Cookie",
    ],
)
def test_forbidden_trailer_field(parser_mod: ModuleType, name: bytes) -> None:
    data = chunked(b"1\r\na\r\n0\r\nX-Ok: 1\r\n" + name + b": 5\r\n\r\n")
    exc = rejected(request(parser_mod), data, InvalidHeader)
    assert isinstance(exc, InvalidHeader)
    assert exc.hdr == name.decode()


def test_trailer_bare_lf_after_last_chunk(parser_mod: ModuleType) -> None:
    rejected(request(parser_mod), chunked(b"0\r\n\n"), BadHttpMessage)


# -- start lines ------------------------------------------------------------------


REQUEST_LINE_REJECTIONS = {
    "two-spaces-after-method": (b"GET  / HTTP/1.1", BadStatusLine),
    "two-spaces-after-target": (b"GET /  HTTP/1.1", BadStatusLine),
    "trailing-space": (b"GET / HTTP/1.1 ", BadStatusLine),
    "missing-target": (b"GET HTTP/1.1", BadStatusLine),
    "missing-space": (b"GET /HTTP/1.1", BadStatusLine),
    "missing-version": (b"GET /", BadStatusLine),
    "empty-version": (b"GET / ", BadStatusLine),
    "method-only": (b"GET", BadStatusLine),
    "leading-space": (b" GET / HTTP/1.1", BadHttpMethod),
    "tabs": (b"GET\t/\tHTTP/1.1", BadHttpMethod),
    "method-paren": (b"G(T / HTTP/1.1", BadHttpMethod),
    "method-at": (b"GET@ / HTTP/1.1", BadHttpMethod),
    "method-non-ascii": (b"G\xc3\x89T / HTTP/1.1", BadHttpMethod),
    "method-nul": (b"G\x00T / HTTP/1.1", BadHttpMethod),
    "method-del": (b"GET\x7f / HTTP/1.1", BadHttpMethod),
    "method-bare-cr": (b"GE\rT / HTTP/1.1", BadHttpMethod),
    "target-nul": (b"GET /a\x00b HTTP/1.1", BadStatusLine),
    "target-soh": (b"GET /\x01 HTTP/1.1", BadStatusLine),
    "target-del": (b"GET /a\x7f HTTP/1.1", BadStatusLine),
    "target-tab": (b"GET /a\tb HTTP/1.1", BadStatusLine),
    "target-bare-cr": (b"GET /a\rb HTTP/1.1", BadHttpMessage),
    "target-bare-lf": (b"GET /a\nb HTTP/1.1", BadHttpMessage),
    "version-bare-lf": (b"GET / HTTP/1.1\n", BadHttpMessage),
    "version-lowercase": (b"GET / http/1.1", BadStatusLine),
    "version-mixed-case": (b"GET / Http/1.1", BadStatusLine),
    "version-two-minor-digits": (b"GET / HTTP/1.10", BadStatusLine),
    "version-no-minor": (b"GET / HTTP/1", BadStatusLine),
    "version-no-dot": (b"GET / HTTP/11", BadStatusLine),
    "version-suffix": (b"GET / HTTP/1.1x", BadStatusLine),
    "version-https": (b"GET / HTTPS/1.1", BadStatusLine),
    "version-arabic-digit": (b"GET / HTTP/\xd9\xa1.1", BadStatusLine),
    "version-fullwidth-digit": (b"GET / HTTP/1.\xef\xbc\x91", BadStatusLine),
    "version-2.0": (b"GET / HTTP/2.0", HttpVersionNotSupported),
    "version-1.2": (b"GET / HTTP/1.2", HttpVersionNotSupported),
    "version-0.9": (b"GET / HTTP/0.9", HttpVersionNotSupported),
    "version-3.0": (b"GET / HTTP/3.0", HttpVersionNotSupported),
    "asterisk-not-options": (b"GET * HTTP/1.1", InvalidURLError),
    "asterisk-suffix": (b"OPTIONS *x HTTP/1.1", InvalidURLError),
    "connect-origin-form": (b"CONNECT / HTTP/1.1", InvalidURLError),
    "connect-no-port": (b"CONNECT example.com HTTP/1.1", InvalidURLError),
    "connect-userinfo": (b"CONNECT u@h:1 HTTP/1.1", InvalidURLError),
    "connect-port-range": (b"CONNECT h:99999 HTTP/1.1", InvalidURLError),
    "authority-not-connect": (b"GET example.com:80 HTTP/1.1", InvalidURLError),
    "relative-target": (b"GET index.html HTTP/1.1", InvalidURLError),
    "absolute-bad-ipv6": (b"GET http://[::1/ HTTP/1.1", InvalidURLError),
}


@pytest.mark.parametrize("case", list(REQUEST_LINE_REJECTIONS))
def test_bad_request_line(parser_mod: ModuleType, case: str) -> None:
    line, exc_type = REQUEST_LINE_REJECTIONS[case]
    rejected(request(parser_mod), line + b"\r\nHost: h\r\n\r\n", exc_type)


def test_unsupported_version_is_505(parser_mod: ModuleType) -> None:
    exc = rejected(
        request(parser_mod), b"GET / HTTP/2.0\r\n\r\n", HttpVersionNotSupported
    )
    assert exc.code == 505


STATUS_LINE_REJECTIONS = {
    "two-digit-code": (b"HTTP/1.1 20 OK", BadStatusLine),
    "four-digit-code": (b"HTTP/1.1 2000 OK", BadStatusLine),
    "hex-code": (b"HTTP/1.1 2a0 OK", BadStatusLine),
    "zero-class": (b"HTTP/1.1 099 OK", BadStatusLine),
    "signed-code": (b"HTTP/1.1 +20 OK", BadStatusLine),
    "arabic-code": (b"HTTP/1.1 \xd9\xa2\xd9\xa0\xd9\xa0 OK", BadStatusLine),
    "no-code": (b"HTTP/1.1 OK", BadStatusLine),
    "two-spaces": (b"HTTP/1.1  200 OK", BadStatusLine),
    "glued-reason": (b"HTTP/1.1 200OK", BadStatusLine),
    "version-only": (b"HTTP/1.1", BadStatusLine),
    "reason-nul": (b"HTTP/1.1 200 O\x00K", BadStatusLine),
    "reason-del": (b"HTTP/1.1 200 O\x7fK", BadStatusLine),
    "reason-esc": (b"HTTP/1.1 200 \x1b", BadStatusLine),
    "reason-bare-cr": (b"HTTP/1.1 200 O\rK", BadHttpMessage),
    "reason-bare-lf": (b"HTTP/1.1 200 O\nK", BadHttpMessage),
    "lowercase-name": (b"http/1.1 200 OK", BadStatusLine),
    "not-http": (b"<html><body>", BadStatusLine),
    "icy": (b"ICY 200 OK", BadStatusLine),
    "version-two-digits": (b"HTTP/1.10 200 OK", BadStatusLine),
    "version-no-minor": (b"HTTP/1 200 OK", BadStatusLine),
    "version-2.0": (b"HTTP/2.0 200 OK", HttpVersionNotSupported),
    "version-0.9": (b"HTTP/0.9 200 OK", HttpVersionNotSupported),
}


@pytest.mark.parametrize("case", list(STATUS_LINE_REJECTIONS))
def test_bad_status_line(parser_mod: ModuleType, case: str) -> None:
    line, exc_type = STATUS_LINE_REJECTIONS[case]
    rejected(response(parser_mod), line + b"\r\nContent-Length: 0\r\n\r\n", exc_type)


def test_garbage_status_line_refused_early(parser_mod: ModuleType) -> None:
    parser = response(parser_mod)()
    with pytest.raises(BadStatusLine):
        parser.feed_data(b"HTTX")


def test_bad_method_refused_before_line_end(parser_mod: ModuleType) -> None:
    parser = request(parser_mod)()
    parser.feed_data(b"GE")
    with pytest.raises(BadHttpMethod):
        parser.feed_data(b"T\x16")


# -- data where a new message should start ---------------------------------------------


def test_garbage_after_request_body(parser_mod: ModuleType) -> None:
    data = post_with(b"Content-Length: 2") + b"abcd\r\n\r\n"
    rejected(request(parser_mod), data, BadStatusLine)


def test_binary_garbage_after_request_body(parser_mod: ModuleType) -> None:
    data = post_with(b"Content-Length: 2") + b"ab\x00\x01\x02"
    rejected(request(parser_mod), data, BadHttpMethod)


def test_garbage_after_chunked_body(parser_mod: ModuleType) -> None:
    data = chunked(b"1\r\na\r\n0\r\n\r\n\x16\x03\x01")
    rejected(request(parser_mod), data, BadHttpMethod)


def test_garbage_after_response_body(parser_mod: ModuleType) -> None:
    data = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nabcd"
    rejected(response(parser_mod), data, BadStatusLine)


# -- chunked framing ---------------------------------------------------------


CHUNK_REJECTIONS = {
    "size-not-hex": b"g\r\n",
    "size-negative": b"-5\r\n",
    "size-plus": b"+5\r\n",
    "size-leading-space": b" 5\r\n",
    "size-trailing-space": b"5 \r\n",
    "size-0x": b"0x5\r\n",
    "size-empty": b"\r\n",
    "size-missing-before-ext": b";a=b\r\n",
    "size-arabic-digit": b"\xd9\xa5\r\n",
    "size-fullwidth-digit": b"\xef\xbc\x95\r\n",
    "size-17-digits": b"00000000000000001\r\n",
    "size-2-63": b"8000000000000000\r\n",
    "size-2-64-minus-1": b"ffffffffffffffff\r\n",
    "ext-no-name": b"5;\r\nhello\r\n",
    "ext-no-value": b"5;a=\r\nhello\r\n",
    "ext-space-in-name": b"5;a b\r\nhello\r\n",
    "ext-nul": b"5;a\x00\r\nhello\r\n",
    "ext-del": b"5;a=\x7f\r\nhello\r\n",
    "ext-quoted-nul": b'5;a="x\x00"\r\nhello\r\n',
    "ext-unterminated-quote": b'5;a="x\r\nhello\r\n',
    "ext-non-ascii-token": b"5;\xc3\xa9\r\nhello\r\n",
    "ext-bare-cr": b"5;a\rb\r\nhello\r\n",
    "line-bare-lf": b"5\nhello\r\n0\r\n\r\n",
    "last-chunk-bare-lf": b"5\r\nhello\r\n0\n\r\n",
    "data-then-bare-lf": b"5\r\nhello\n0\r\n\r\n",
    "data-then-bare-cr": b"5\r\nhello\r0\r\n\r\n",
    "data-then-garbage": b"5\r\nhelloXY0\r\n\r\n",
    "data-longer-than-size": b"3\r\nhello\r\n0\r\n\r\n",
}


@pytest.mark.parametrize("case", list(CHUNK_REJECTIONS))
def test_bad_chunked_framing(parser_mod: ModuleType, case: str) -> None:
    rejected(
        request(parser_mod), chunked(CHUNK_REJECTIONS[case]), TransferEncodingError
    )
    data = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + CHUNK_REJECTIONS[case]
    )
    rejected(response(parser_mod), data, TransferEncodingError)


def test_largest_chunk_size_is_accepted(parser_mod: ModuleType) -> None:
    parser = request(parser_mod)()
    parser.feed_data(chunked(b""))
    assert parser.feed_data(b"7fffffffffffffff\r\nab") == [BodyChunk(b"ab")]


# -- hostile input ---------------------------------------------------------------

# Inputs that almost match, shaped to make a backtracking regex engine go
# quadratic (or exponential) when two optional whitespace runs sit side by
# side.  Refusing them must stay linear: the bound is two orders of magnitude
# above the linear time, and far below the quadratic one.
HOSTILE = {
    "field-padding-then-nul": get_with(b"X:" + b" " * 8000 + b"\x00"),
    "padded-fields-then-nul": get_with(
        *[b"X:" + b" " * 8000 + b"a"] * 127, b"Y:" + b" " * 8000 + b"\x00"
    ),
    "te-empty-elements": post_with(b"Transfer-Encoding: " + b" , " * 2700 + b"@"),
    "te-parameters": post_with(b"Transfer-Encoding: a" + b" ; p = v" * 1000 + b"@"),
    "chunk-ext-padding": chunked(b"1" + b" ; a = b" * 1000 + b"\x00\r\n"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_input_is_refused_in_linear_time(
    parser_mod: ModuleType, case: str
) -> None:
    parser = request(parser_mod)()
    start = time.perf_counter()
    with pytest.raises(BadHttpMessage):
        parser.feed_data(HOSTILE[case])
    assert time.perf_counter() - start < 2.0
