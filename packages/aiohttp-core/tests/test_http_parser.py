"""The HTTP/1.1 parsers on valid input: events, framing, fragmentation, EOF."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict, CIMultiDictProxy, istr
from yarl import URL

from aiohttp_core.http_exceptions import (
    BadHttpMessage,
    ContentLengthError,
    TransferEncodingError,
)
from aiohttp_core.http_messages import (
    CHUNK_END,
    BodyChunk,
    HttpVersion10,
    HttpVersion11,
    MessageEnd,
    ParserEvent,
    ProtocolSwitch,
    RawRequestMessage,
    RawResponseMessage,
)

# ``parser_mod`` (conftest.py) gives each parser twin in turn.


Parser = Any
Factory = Callable[[], Parser]


def merged(events: Sequence[ParserEvent]) -> list[ParserEvent]:
    """Events with adjacent body chunks joined, to compare fragmentations."""
    out: list[ParserEvent] = []
    for event in events:
        assert not (isinstance(event, BodyChunk) and not event.data), "empty chunk"
        if isinstance(event, BodyChunk) and out and isinstance(out[-1], BodyChunk):
            out[-1] = BodyChunk(out[-1].data + event.data)
        else:
            out.append(event)
    return out


def feed_parts(parser: Parser, parts: Sequence[bytes], eof: bool) -> list[Any]:
    """Feed parts in order; bytes after a protocol switch join its tail."""
    events: list[Any] = []
    for part in parts:
        if events and isinstance(events[-1], ProtocolSwitch):
            events[-1] = ProtocolSwitch(events[-1].tail + part)
        else:
            events += parser.feed_data(part)
    if eof:
        events += parser.feed_eof()
    return events


def fragmentations(data: bytes) -> Iterator[list[bytes]]:
    """The whole message, every split in two, and one byte at a time."""
    yield [data]
    for i in range(1, len(data)):
        yield [data[:i], data[i:]]
    yield [data[i : i + 1] for i in range(len(data))]


def parse_every_way(make: Factory, data: bytes, eof: bool = False) -> list[Any]:
    """Parse ``data`` whole and fragmented; all ways must give the same events."""
    expected = merged(feed_parts(make(), [data], eof))
    for parts in fragmentations(data):
        assert merged(feed_parts(make(), parts, eof)) == expected, parts
    return expected


def request(parser_mod: ModuleType, **kwargs: Any) -> Factory:
    return lambda: parser_mod.HttpRequestParser(**kwargs)


def response(parser_mod: ModuleType, method: str = "GET", **kwargs: Any) -> Factory:
    def make() -> Parser:
        parser = parser_mod.HttpResponseParser(**kwargs)
        parser.request_method = method
        return parser

    return make


def heads(events: Sequence[Any]) -> list[Any]:
    return [e for e in events if isinstance(e, RawRequestMessage | RawResponseMessage)]


def body_of(events: Sequence[Any]) -> bytes:
    return b"".join(e.data for e in events if isinstance(e, BodyChunk))


END = MessageEnd(CIMultiDictProxy(CIMultiDict()), ())


# -- the fragmentation corpus -------------------------------------------------

REQUEST_CORPUS = {
    "get-with-headers": (
        b"GET /path/to?x=1&y=%20z HTTP/1.1\r\n"
        b"Host: example.com\r\n"
        b"User-Agent: test/1.0\r\n"
        b"Accept: */*\r\n"
        b"X-Empty:\r\n"
        b"X-Spaces:   padded value \t \r\n"
        b"\r\n"
    ),
    "post-content-length": (
        b"POST /submit HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world"
    ),
    "chunked-ext-trailers": (
        b"POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        b'5;name=value;q="a \\" b"\r\nhello\r\n'
        b"1 ; flag\r\n \r\n"
        b"6\r\nworld!\r\n"
        b"0;last\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n"
    ),
    "pipelined": (
        b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
        b"POST /2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
        b"PUT /3 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n"
        b"\r\nDELETE /4 HTTP/1.1\r\n\r\n"
    ),
    "keep-alive-http10": (
        b"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n"
    ),
    "upgrade-with-tail": (
        b"GET /ws HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\n"
        b"Upgrade: websocket\r\n\r\n\x81\x05hello\r\n"
    ),
    "connect": b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n\x16\x03",
}

RESPONSE_CORPUS: dict[str, tuple[str, bytes, bool]] = {
    "until-eof": ("GET", b"HTTP/1.1 200 OK\r\nServer: s\r\n\r\nsome\r\nbody", True),
    "continue-then-200": (
        "POST",
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        False,
    ),
    "switching-101": (
        "GET",
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\n\r\n\x81\x02hi",
        False,
    ),
    "connect-200": (
        "CONNECT",
        b"HTTP/1.1 200 Connection established\r\n\r\n\x16",
        False,
    ),
    "chunked": (
        "GET",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"a\r\n0123456789\r\n0\r\nExpires: never\r\n\r\n"
        b"HTTP/1.1 204 No Content\r\n\r\n"
        b"HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n",
        False,
    ),
    "head": ("HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", False),
}


@pytest.mark.parametrize("name", list(REQUEST_CORPUS))
def test_request_fragmentation(parser_mod: ModuleType, name: str) -> None:
    events = parse_every_way(request(parser_mod), REQUEST_CORPUS[name])
    assert heads(events)


@pytest.mark.parametrize("name", list(RESPONSE_CORPUS))
def test_response_fragmentation(parser_mod: ModuleType, name: str) -> None:
    method, data, eof = RESPONSE_CORPUS[name]
    events = parse_every_way(response(parser_mod, method), data, eof)
    assert heads(events)


def test_get_with_headers(parser_mod: ModuleType) -> None:
    events = parse_every_way(request(parser_mod), REQUEST_CORPUS["get-with-headers"])
    head, end = events
    assert end == END
    assert head.method == "GET"
    assert head.path == "/path/to?x=1&y=%20z"
    assert head.version == HttpVersion11
    assert head.url == URL("/path/to?x=1&y=%20z", encoded=True)
    assert head.url.raw_query_string == "x=1&y=%20z"
    assert head.headers["host"] == "example.com"
    assert head.headers["X-Empty"] == ""
    assert head.headers["X-Spaces"] == "padded value"
    assert head.raw_headers[-1] == (b"X-Spaces", b"padded value")
    assert len(head.raw_headers) == 5
    assert not head.should_close
    assert not head.chunked
    assert not head.upgrade
    assert head.compression is None


def test_field_names_are_istr(parser_mod: ModuleType) -> None:
    """Header and trailer names come as multidict.istr, as aiohttp gives them."""
    data = REQUEST_CORPUS["chunked-ext-trailers"].replace(
        b"\r\n\r\n", b"\r\nX-Unusual-Name-42: v\r\n\r\n", 1
    )
    events = parse_every_way(request(parser_mod), data)
    names = [*events[0].headers, *events[-1].trailers]
    assert names == ["Transfer-Encoding", "X-Unusual-Name-42", "X-Checksum", "X-Other"]
    assert all(type(name) is istr for name in names)


def test_post_with_content_length(parser_mod: ModuleType) -> None:
    data = REQUEST_CORPUS["post-content-length"]
    events = parse_every_way(request(parser_mod), data)
    assert events[1:] == [BodyChunk(b"hello world"), END]


def test_chunked_with_extensions_and_trailers(parser_mod: ModuleType) -> None:
    events = parse_every_way(
        request(parser_mod), REQUEST_CORPUS["chunked-ext-trailers"]
    )
    head, *rest = events
    assert head.chunked
    assert rest[:-1] == [
        BodyChunk(b"hello"),
        CHUNK_END,
        BodyChunk(b" "),
        CHUNK_END,
        BodyChunk(b"world!"),
        CHUNK_END,
    ]
    end = rest[-1]
    assert isinstance(end, MessageEnd)
    assert end.trailers["x-checksum"] == "abc"
    assert end.raw_trailers == ((b"X-Checksum", b"abc"), (b"X-Other", b"1"))


def test_pipelined_requests(parser_mod: ModuleType) -> None:
    events = parse_every_way(request(parser_mod), REQUEST_CORPUS["pipelined"])
    assert [h.method for h in heads(events)] == ["GET", "POST", "PUT", "DELETE"]
    assert sum(isinstance(e, MessageEnd) for e in events) == 4
    assert body_of(events) == b"abcxy"


def test_keep_alive_http10(parser_mod: ModuleType) -> None:
    events = parse_every_way(request(parser_mod), REQUEST_CORPUS["keep-alive-http10"])
    first, second = heads(events)
    assert first.version == second.version == HttpVersion10
    assert not first.should_close
    assert second.should_close


def test_upgrade_switches_after_message_end(parser_mod: ModuleType) -> None:
    events = parse_every_way(request(parser_mod), REQUEST_CORPUS["upgrade-with-tail"])
    head, end, switch = events
    assert head.upgrade
    assert end == END
    assert switch == ProtocolSwitch(b"\x81\x05hello\r\n")


def test_upgrade_after_body(parser_mod: ModuleType) -> None:
    data = (
        b"POST / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: h2c\r\n"
        b"Content-Length: 3\r\n\r\nabcPRI"
    )
    events = parse_every_way(request(parser_mod), data)
    assert events[1:] == [BodyChunk(b"abc"), END, ProtocolSwitch(b"PRI")]


def test_connect_switches_after_head(parser_mod: ModuleType) -> None:
    events = parse_every_way(request(parser_mod), REQUEST_CORPUS["connect"])
    head, end, switch = events
    assert head.method == "CONNECT"
    assert head.path == "example.com:443"
    assert head.url.host == "example.com"
    assert head.url.port == 443
    assert end == END
    assert switch == ProtocolSwitch(b"\x16\x03")


def test_response_until_eof(parser_mod: ModuleType) -> None:
    _, data, _ = RESPONSE_CORPUS["until-eof"]
    events = parse_every_way(response(parser_mod), data, eof=True)
    head, body, end = events
    assert head.code == 200
    assert head.reason == "OK"
    assert head.should_close
    assert body == BodyChunk(b"some\r\nbody")
    assert end == END


def test_informational_then_final(parser_mod: ModuleType) -> None:
    _, data, _ = RESPONSE_CORPUS["continue-then-200"]
    events = parse_every_way(response(parser_mod, "POST"), data)
    assert [h.code for h in heads(events)] == [100, 103, 200]
    assert events[1] == events[3] == END
    assert events[2].headers["Link"] == "</s.css>"
    assert events[-2:] == [BodyChunk(b"ok"), END]


def test_switching_protocols_response(parser_mod: ModuleType) -> None:
    _, data, _ = RESPONSE_CORPUS["switching-101"]
    head, end, switch = parse_every_way(response(parser_mod), data)
    assert head.code == 101
    assert head.upgrade
    assert end == END
    assert switch == ProtocolSwitch(b"\x81\x02hi")


def test_connect_response_switches(parser_mod: ModuleType) -> None:
    _, data, _ = RESPONSE_CORPUS["connect-200"]
    head, end, switch = parse_every_way(response(parser_mod, "CONNECT"), data)
    assert head.code == 200
    assert end == END
    assert switch == ProtocolSwitch(b"\x16")


def test_connect_refusal_has_a_body(parser_mod: ModuleType) -> None:
    data = b"HTTP/1.1 407 Auth\r\nContent-Length: 2\r\n\r\nnoHTTP/1.1 200 OK\r\n\r\n"
    events = parse_every_way(response(parser_mod, "CONNECT"), data)
    assert [h.code for h in heads(events)] == [407, 200]
    assert body_of(events) == b"no"
    assert isinstance(events[-1], ProtocolSwitch)


def test_chunked_response_then_bodiless(parser_mod: ModuleType) -> None:
    _, data, _ = RESPONSE_CORPUS["chunked"]
    events = parse_every_way(response(parser_mod), data)
    assert [h.code for h in heads(events)] == [200, 204, 304]
    assert heads(events)[0].chunked
    assert body_of(events) == b"0123456789"
    assert events[3].trailers["Expires"] == "never"


def test_head_response_has_no_body(parser_mod: ModuleType) -> None:
    _, data, _ = RESPONSE_CORPUS["head"]
    events = parse_every_way(response(parser_mod, "HEAD"), data)
    assert events[1:] == [END]


# -- table of valid but unusual requests ----------------------------------------

VALID_REQUESTS: list[tuple[bytes, dict[str, Any]]] = [
    (b"OPTIONS * HTTP/1.1\r\n\r\n", {"path": "*", "url": URL("*", encoded=True)}),
    (
        b"GET http://example.com:8080/a?b#c HTTP/1.1\r\n\r\n",
        {"url": URL("http://example.com:8080/a?b#c", encoded=True)},
    ),
    (b"CONNECT [::1]:8443 HTTP/1.1\r\n\r\n", {"path": "[::1]:8443"}),
    (b"GET /%7euser/%E2%82%AC HTTP/1.1\r\n\r\n", {"path": "/%7euser/%E2%82%AC"}),
    (b"GET /\xc3\xa9?q=\xff HTTP/1.1\r\n\r\n", {"path": "/\xe9?q=\udcff"}),
    (b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", {"path": "/"}),
    (b"GET /a#frag HTTP/1.1\r\n\r\n", {"url": URL.build(path="/a", fragment="frag")}),
    (b"get / HTTP/1.1\r\n\r\n", {"method": "get"}),
    (b"PROPFIND / HTTP/1.1\r\n\r\n", {"method": "PROPFIND"}),
    (b"M-SEARCH! / HTTP/1.1\r\n\r\n", {"method": "M-SEARCH!"}),
    (b"\r\n\r\nGET / HTTP/1.1\r\n\r\n", {"method": "GET"}),
    (b"GET / HTTP/1.1\r\nX: \xe2\x82\xac\xff\r\n\r\n", {"hdr": ("X", "\u20ac\udcff")}),
    (b"GET / HTTP/1.1\r\nX: a\tb \t c\r\n\r\n", {"hdr": ("X", "a\tb \t c")}),
    (b"GET / HTTP/1.1\r\nX:\r\n\r\n", {"hdr": ("X", "")}),
    (b"GET / HTTP/1.1\r\nX: \t \r\n\r\n", {"hdr": ("X", "")}),
    (b"GET / HTTP/1.1\r\nX:v:w\r\n\r\n", {"hdr": ("X", "v:w")}),
    (
        b"GET / HTTP/1.1\r\n!#$%&'*+-.^_`|~09aZ: t\r\n\r\n",
        {"hdr": ("!#$%&'*+-.^_`|~09aZ", "t")},
    ),
    (b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", {"should_close": True}),
    (b"GET / HTTP/1.1\r\nConnection: a, CLOSE\r\n\r\n", {"should_close": True}),
    (b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", {"should_close": False}),
    (
        b"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n",
        {"should_close": True},
    ),
    (b"GET / HTTP/1.0\r\n\r\n", {"should_close": True}),
    # A Kelvin sign is not a 'k', a long s is not an 's'.
    (
        b"GET / HTTP/1.0\r\nConnection: \xe2\x84\xaaeep-alive\r\n\r\n",
        {"should_close": True},
    ),
    (b"GET / HTTP/1.1\r\nConnection: clo\xc5\xbfe\r\n\r\n", {"should_close": False}),
    (b"GET / HTTP/1.1\r\nContent-Encoding: gzip\r\n\r\n", {"compression": "gzip"}),
    (b"GET / HTTP/1.1\r\nContent-Encoding: X-GZIP\r\n\r\n", {"compression": "gzip"}),
    (
        b"GET / HTTP/1.1\r\nContent-Encoding: Deflate\r\n\r\n",
        {"compression": "deflate"},
    ),
    (b"GET / HTTP/1.1\r\nContent-Encoding: br\r\n\r\n", {"compression": "br"}),
    (b"GET / HTTP/1.1\r\nContent-Encoding: zstd\r\n\r\n", {"compression": "zstd"}),
    (b"GET / HTTP/1.1\r\nContent-Encoding: compress\r\n\r\n", {"compression": None}),
    (b"GET / HTTP/1.1\r\nContent-Encoding: gzip, br\r\n\r\n", {"compression": None}),
    (
        b"GET / HTTP/1.1\r\nContent-Encoding: \xe1\xb4\xb3zip\r\n\r\n",
        {"compression": None},
    ),
    (b"GET / HTTP/1.1\r\nConnection: upgrade\r\n\r\n", {"upgrade": False}),
    (b"GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n", {"upgrade": False}),
    (
        b"GET / HTTP/1.1\r\nConnection: upgrades\r\nUpgrade: x\r\n\r\n",
        {"upgrade": False},
    ),
    (b"GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", {"chunked": False}),
    (b"GET / HTTP/1.1\r\nContent-Length: 000\r\n\r\n", {"chunked": False}),
    (
        b"GET / HTTP/1.1\r\nTransfer-Encoding: CHUNKED\r\n\r\n0\r\n\r\n",
        {"chunked": True},
    ),
    (
        b"GET / HTTP/1.1\r\nTransfer-Encoding: ,chunked\r\n\r\n0\r\n\r\n",
        {"chunked": True},
    ),
]


@pytest.mark.parametrize(("data", "expected"), VALID_REQUESTS)
def test_valid_request(
    parser_mod: ModuleType, data: bytes, expected: dict[str, Any]
) -> None:
    events = parse_every_way(request(parser_mod), data)
    (head,) = heads(events)
    for key, value in expected.items():
        if key == "hdr":
            name, text = value
            assert head.headers.getall(name) == [text]
            raw = dict(head.raw_headers)[name.encode()]
            assert raw == text.encode("utf-8", "surrogateescape")
        else:
            assert getattr(head, key) == value, key


VALID_RESPONSES: list[tuple[bytes, dict[str, Any]]] = [
    (b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", {"reason": ""}),
    (b"HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", {"reason": ""}),
    (
        b"HTTP/1.1 404 Not  Found \r\nContent-Length: 0\r\n\r\n",
        {"reason": "Not  Found "},
    ),
    (
        b"HTTP/1.1 200 \xc3\xa9t\xe9\r\nContent-Length: 0\r\n\r\n",
        {"reason": "\xe9t\udce9"},
    ),
    (b"HTTP/1.1 599 Odd\r\nContent-Length: 0\r\n\r\n", {"code": 599}),
    (b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", {"should_close": True}),
    (
        b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
        {"should_close": False},
    ),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", {"should_close": False}),
    (
        b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n",
        {"should_close": False},
    ),
    (
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 0\r\n\r\n",
        {"compression": "gzip"},
    ),
]


@pytest.mark.parametrize(("data", "expected"), VALID_RESPONSES)
def test_valid_response(
    parser_mod: ModuleType, data: bytes, expected: dict[str, Any]
) -> None:
    events = parse_every_way(response(parser_mod), data)
    (head,) = heads(events)
    for key, value in expected.items():
        assert getattr(head, key) == value, key


# -- response framing ------------------------------------------------------------


def test_response_identical_content_lengths(parser_mod: ModuleType) -> None:
    data = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\nabc"
    events = parse_every_way(response(parser_mod), data)
    assert body_of(events) == b"abc"
    assert events[-1] == END


def test_response_transfer_encoding_not_chunked_reads_until_eof(
    parser_mod: ModuleType,
) -> None:
    data = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n"
    events = parse_every_way(response(parser_mod), data, eof=True)
    head = heads(events)[0]
    assert not head.chunked
    assert head.should_close
    assert body_of(events) == b"0\r\n\r\n"


def test_response_transfer_encoding_ending_in_chunked(parser_mod: ModuleType) -> None:
    data = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
        b"1\r\nz\r\n0\r\n\r\n"
    )
    events = parse_every_way(response(parser_mod), data)
    assert heads(events)[0].chunked
    assert body_of(events) == b"z"


def test_response_transfer_encoding_beats_content_length(
    parser_mod: ModuleType,
) -> None:
    data = (
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"2\r\nab\r\n0\r\n\r\n"
    )
    events = parse_every_way(response(parser_mod), data)
    head = heads(events)[0]
    assert head.chunked
    assert head.should_close
    assert body_of(events) == b"ab"


def test_http10_response_with_transfer_encoding_closes(parser_mod: ModuleType) -> None:
    data = (
        b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    )
    head = heads(parse_every_way(response(parser_mod), data))[0]
    assert head.should_close


def test_response_without_length_not_read_until_eof(parser_mod: ModuleType) -> None:
    data = b"HTTP/1.1 200 OK\r\n\r\nHTTP/1.1 201 Created\r\n\r\n"
    events = parse_every_way(response(parser_mod, read_until_eof=False), data)
    assert events[1] == END
    assert [h.code for h in heads(events)] == [200, 201]
    assert not heads(events)[0].should_close


@pytest.mark.parametrize("code", [100, 102, 103, 204, 304])
def test_bodiless_statuses(parser_mod: ModuleType, code: int) -> None:
    data = b"HTTP/1.1 %d X\r\nContent-Length: 4\r\n\r\n" % code
    events = parse_every_way(response(parser_mod), data)
    assert events[1:] == [END]


def test_head_response_declares_chunked_without_body(parser_mod: ModuleType) -> None:
    data = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"
    )
    events = parse_every_way(response(parser_mod, "HEAD"), data)
    first, second = heads(events)
    assert first.chunked
    assert not second.chunked
    assert events[1] == END


def test_request_without_length_has_empty_body(parser_mod: ModuleType) -> None:
    events = parse_every_way(request(parser_mod), b"POST / HTTP/1.1\r\n\r\n")
    assert events[1:] == [END]


def test_connect_with_zero_content_length(parser_mod: ModuleType) -> None:
    data = b"CONNECT h:1 HTTP/1.1\r\nContent-Length: 0\r\n\r\nxy"
    events = parse_every_way(request(parser_mod), data)
    assert events[-1] == ProtocolSwitch(b"xy")


def test_large_content_length_streams(parser_mod: ModuleType) -> None:
    parser = request(parser_mod)()
    head = b"PUT / HTTP/1.1\r\nContent-Length: 9223372036854775807\r\n\r\n"
    assert len(parser.feed_data(head)) == 1
    assert parser.feed_data(b"abc") == [BodyChunk(b"abc")]


# -- streaming --------------------------------------------------------------------


def test_body_bytes_are_emitted_as_they_arrive(parser_mod: ModuleType) -> None:
    parser = request(parser_mod)()
    events = parser.feed_data(b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nab")
    assert events[1:] == [BodyChunk(b"ab")]
    assert parser.feed_data(b"cde") == [BodyChunk(b"cde")]
    assert parser.feed_data(b"") == []
    assert parser.feed_data(b"fghijGET") == [BodyChunk(b"fghij"), END]
    events = parser.feed_data(b" / HTTP/1.1\r\n\r\n")
    assert heads(events)[0].method == "GET"


def test_chunk_data_is_emitted_as_it_arrives(parser_mod: ModuleType) -> None:
    parser = request(parser_mod)()
    parser.feed_data(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
    assert parser.feed_data(b"8\r\nabc") == [BodyChunk(b"abc")]
    assert parser.feed_data(b"defgh") == [BodyChunk(b"defgh")]
    assert parser.feed_data(b"\r") == []
    assert parser.feed_data(b"\n") == [CHUNK_END]
    assert parser.feed_data(b"0\r\n\r\n") == [END]


def test_eof_body_is_emitted_as_it_arrives(parser_mod: ModuleType) -> None:
    parser = response(parser_mod)()
    assert parser.feed_data(b"HTTP/1.1 200 OK\r\n\r\n")[1:] == []
    assert parser.feed_data(b"x") == [BodyChunk(b"x")]
    assert parser.feed_data(bytearray(b"yz")) == [BodyChunk(b"yz")]
    assert parser.feed_eof() == [END]


def test_body_chunks_are_bytes(parser_mod: ModuleType) -> None:
    parser = request(parser_mod)()
    parser.feed_data(b"POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\n")
    events = parser.feed_data(bytearray(b"abcd"))
    assert type(events[0].data) is bytes


# -- EOF and life cycle ---------------------------------------------------------


def test_eof_between_messages(parser_mod: ModuleType) -> None:
    parser = request(parser_mod)()
    assert parser.feed_eof() == []
    parser = request(parser_mod)()
    parser.feed_data(b"GET / HTTP/1.1\r\n\r\n\r")
    assert parser.feed_eof() == []
    assert parser.feed_eof() == []


def test_eof_mid_head(parser_mod: ModuleType) -> None:
    parser = request(parser_mod)()
    parser.feed_data(b"GET / HTTP/1.1\r\nHost")
    with pytest.raises(BadHttpMessage) as info:
        parser.feed_eof()
    assert type(info.value) is BadHttpMessage


def test_eof_mid_content_length_body(parser_mod: ModuleType) -> None:
    parser = request(parser_mod)()
    parser.feed_data(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab")
    with pytest.raises(ContentLengthError, match="Not enough data to satisfy content"):
        parser.feed_eof()


@pytest.mark.parametrize(
    "tail",
    [b"", b"5", b"5\r\nab", b"5\r\nabcde", b"5\r\nabcde\r", b"0\r\n", b"0\r\nA: b\r\n"],
)
def test_eof_mid_chunked_body(parser_mod: ModuleType, tail: bytes) -> None:
    parser = response(parser_mod)()
    parser.feed_data(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + tail)
    with pytest.raises(TransferEncodingError):
        parser.feed_eof()


def test_eof_mid_response_head(parser_mod: ModuleType) -> None:
    parser = response(parser_mod)()
    parser.feed_data(b"HTTP/1.1 200 OK\r\n")
    with pytest.raises(BadHttpMessage):
        parser.feed_eof()


def test_parser_is_dead_after_an_error(parser_mod: ModuleType) -> None:
    parser = request(parser_mod)()
    with pytest.raises(BadHttpMessage):
        parser.feed_data(b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n")
    with pytest.raises(RuntimeError, match="after a parse error"):
        parser.feed_data(b"GET / HTTP/1.1\r\n\r\n")
    with pytest.raises(RuntimeError, match="after a parse error"):
        parser.feed_eof()


def test_parser_is_dead_after_an_eof_error(parser_mod: ModuleType) -> None:
    parser = request(parser_mod)()
    parser.feed_data(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n")
    with pytest.raises(ContentLengthError):
        parser.feed_eof()
    with pytest.raises(RuntimeError):
        parser.feed_data(b"abcde")


def test_feed_after_switch_is_refused(parser_mod: ModuleType) -> None:
    parser = request(parser_mod)()
    parser.feed_data(REQUEST_CORPUS["connect"])
    with pytest.raises(RuntimeError, match=r"end of HTTP/1\.x"):
        parser.feed_data(b"more")
    assert parser.feed_eof() == []


def test_feed_after_eof_is_refused(parser_mod: ModuleType) -> None:
    parser = response(parser_mod)()
    parser.feed_data(b"HTTP/1.1 200 OK\r\n\r\nabc")
    assert parser.feed_eof() == [END]
    with pytest.raises(RuntimeError):
        parser.feed_data(b"x")


def test_request_method_can_change_between_responses(parser_mod: ModuleType) -> None:
    parser = response(parser_mod)()
    parser.request_method = "HEAD"
    events = parser.feed_data(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n")
    assert events[1:] == [END]
    parser.request_method = "GET"
    events = parser.feed_data(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc")
    assert events[1:] == [BodyChunk(b"abc"), END]


def test_default_request_method(parser_mod: ModuleType) -> None:
    assert parser_mod.HttpResponseParser().request_method == "GET"


# -- properties ---------------------------------------------------------------------

PIPELINE = b"".join(REQUEST_CORPUS[name] for name in list(REQUEST_CORPUS)[:5])


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cuts=st.lists(st.integers(0, len(PIPELINE)), max_size=12))
def test_random_splits_of_a_pipeline(parser_mod: ModuleType, cuts: list[int]) -> None:
    points = [0, *sorted(cuts), len(PIPELINE)]
    parts = [PIPELINE[a:b] for a, b in itertools.pairwise(points)]
    expected = merged(feed_parts(request(parser_mod)(), [PIPELINE], False))
    assert merged(feed_parts(request(parser_mod)(), parts, False)) == expected


TOKENS = st.text(
    alphabet="!#$%&'*+-.^_`|~0123456789abcdefghijkXYZ", min_size=1, max_size=12
)
VALUES = st.binary(max_size=20).map(
    lambda b: bytes(c for c in b if c == 9 or 0x20 <= c != 0x7F).strip(b" \t")
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    fields=st.lists(st.tuples(TOKENS, VALUES), max_size=8),
    body=st.binary(max_size=40),
    chunk=st.integers(1, 7),
)
def test_fields_and_chunked_body_round_trip(
    parser_mod: ModuleType, fields: list[tuple[str, bytes]], body: bytes, chunk: int
) -> None:
    fields = [("X-" + name, value) for name, value in fields]
    head = b"".join(b"%s: %s\r\n" % (n.encode(), v) for n, v in fields)
    pieces = [body[i : i + chunk] for i in range(0, len(body), chunk)]
    wire = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
    data = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n" + head + b"\r\n" + wire
    events = feed_parts(
        request(parser_mod)(), [data[i : i + 5] for i in range(0, len(data), 5)], False
    )
    (msg,) = heads(events)
    assert msg.raw_headers[1:] == tuple((n.encode(), v) for n, v in fields)
    assert [msg.headers.getall(n) for n, _ in fields] == [
        [
            v.decode("utf-8", "surrogateescape")
            for n2, v in fields
            if n2.lower() == n.lower()
        ]
        for n, _ in fields
    ]
    assert body_of(events) == body
    assert events.count(CHUNK_END) == len(pieces)
    assert events[-1] == END
