"""A parse error keeps what its feed completed before it (both parser twins).

The parsers hand the events of a failing ``feed_data`` call over as the
error's ``events``; ``HttpReceiver.receive`` turns them into messages and
body data before it reports the error, so a complete message is never lost
to a fault that follows it in the same read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from aiohttp_core.base_protocol import BaseProtocol
from aiohttp_core.http_exceptions import (
    BadHttpMessage,
    BadHttpMethod,
    BadStatusLine,
    ContentLengthError,
    HttpProcessingError,
    InvalidHeader,
    LineTooLong,
    TooManyHeaders,
    TransferEncodingError,
)
from aiohttp_core.http_messages import (
    CHUNK_END,
    BodyChunk,
    ChunkEnd,
    HttpVersion11,
    MessageEnd,
    ParserEvent,
    RawRequestMessage,
    RawResponseMessage,
)
from aiohttp_core.http_receiver import HttpReceiver, Received
from aiohttp_core.streams import EMPTY_PAYLOAD

EMPTY_HEADERS: CIMultiDictProxy[str] = CIMultiDictProxy(CIMultiDict())
LIMITS = {"max_line_size": 40, "max_field_size": 40, "max_headers": 3}


class PayloadError(Exception):
    """Stands for the client's ClientPayloadError."""


def summary(events: Sequence[ParserEvent]) -> list[Any]:
    """Events in comparable form, with adjacent body chunks joined.

    How body bytes are cut into chunks depends on how they arrived; what
    they add up to, and where the other events fall, does not.
    """
    out: list[Any] = []
    for event in events:
        if isinstance(event, BodyChunk):
            if out and out[-1][0] == "body":
                out[-1] = ("body", out[-1][1] + event.data)
            else:
                out.append(("body", event.data))
        elif isinstance(event, ChunkEnd):
            out.append(("chunk end",))
        elif isinstance(event, MessageEnd):
            out.append(("end", list(event.trailers.items())))
        elif isinstance(event, RawRequestMessage):
            out.append(("request", event.method, event.path))
        elif isinstance(event, RawResponseMessage):
            out.append(("response", event.code))
        else:
            out.append(("other", event))
    return out


def feed_all(
    parser: Any, parts: Sequence[bytes]
) -> tuple[list[ParserEvent], HttpProcessingError | None]:
    """Feed ``parts`` until an error; all events, those of the error included."""
    events: list[ParserEvent] = []
    error: HttpProcessingError | None = None
    for part in parts:
        try:
            events += parser.feed_data(part)
        except HttpProcessingError as exc:
            error = exc
            break
    if error is None:
        return events, None
    if type(error.events) is not tuple:
        raise AssertionError(f"events should be a tuple: {error.events!r}")
    return events + list(error.events), error


def splits(data: bytes) -> list[list[bytes]]:
    """``data`` whole, byte by byte, and cut in two at every point."""
    ways = [[data], [data[i : i + 1] for i in range(len(data))]]
    ways += [[data[:i], data[i:]] for i in range(1, len(data))]
    return ways


def request_parser(mod: ModuleType) -> Any:
    return mod.HttpRequestParser(**LIMITS)


def response_parser(mod: ModuleType) -> Any:
    return mod.HttpResponseParser(**LIMITS)


# -- the parsers: what came before the error is the error's ``events`` -----------

GET_A = b"GET /a HTTP/1.1\r\n\r\n"
REQ_A = ("request", "GET", "/a")
NO_TRAILERS: tuple[str, list[Any]] = ("end", [])
OK_CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

# (make parser, bytes, events before the error, error type, error code)
CASES = [
    pytest.param(
        request_parser,
        GET_A + b"GET /b HTTP/1.1\r\n\r\nG@RBAGE\r\n\r\n",
        [REQ_A, NO_TRAILERS, ("request", "GET", "/b"), NO_TRAILERS],
        BadHttpMethod,
        400,
        id="two-requests-then-bad-method",
    ),
    pytest.param(
        request_parser,
        b"POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/9.x\r\n\r\n",
        [("request", "POST", "/a"), ("body", b"abc"), NO_TRAILERS],
        BadStatusLine,
        400,
        id="sized-body-then-bad-version",
    ),
    pytest.param(
        request_parser,
        b"POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n",
        [("request", "POST", "/a"), ("body", b"abc"), ("chunk end",)],
        TransferEncodingError,
        400,
        id="chunk-then-bad-chunk-size",
    ),
    pytest.param(
        request_parser,
        GET_A + b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
        [REQ_A, NO_TRAILERS],
        ContentLengthError,
        400,
        id="request-then-duplicate-content-length",
    ),
    pytest.param(
        response_parser,
        OK_CHUNKED + b"not hex\r\n",
        [("response", 200)],
        TransferEncodingError,
        400,
        id="response-head-then-bad-chunk",
    ),
    pytest.param(
        response_parser,
        OK_CHUNKED + b"2\r\nab\r\n0\r\nHost: x\r\n\r\n",
        [("response", 200), ("body", b"ab"), ("chunk end",)],
        InvalidHeader,
        400,
        id="chunked-body-then-forbidden-trailer",
    ),
    pytest.param(
        response_parser,
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 2OO OK\r\n\r\n",
        [("response", 100), NO_TRAILERS],
        BadStatusLine,
        400,
        id="informational-then-bad-status",
    ),
    pytest.param(
        response_parser,
        OK_CHUNKED + b"3\r\nabcX",
        [("response", 200), ("body", b"abc")],
        TransferEncodingError,
        400,
        id="chunk-data-without-crlf",
    ),
    pytest.param(
        request_parser,
        GET_A
        + b"POST /b HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd"
        + b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nq\r\n",
        [
            REQ_A,
            NO_TRAILERS,
            ("request", "POST", "/b"),
            ("body", b"abcd"),
            NO_TRAILERS,
            ("request", "POST", "/"),
        ],
        TransferEncodingError,
        400,
        id="three-messages-then-bad-chunk-size",
    ),
    pytest.param(
        request_parser,
        b"G@T / HTTP/1.1\r\n\r\n",
        [],
        BadHttpMethod,
        400,
        id="nothing-before-the-error",
    ),
]


@pytest.mark.parametrize(("make", "data", "before", "error", "code"), CASES)
def test_events_before_the_error_survive_any_split(
    parser_mod: ModuleType,
    make: Any,
    data: bytes,
    before: list[Any],
    error: type[HttpProcessingError],
    code: int,
) -> None:
    for parts in splits(data):
        events, exc = feed_all(make(parser_mod), parts)
        assert type(exc) is error, parts
        assert exc.code == code
        assert summary(events) == before, parts


@pytest.mark.parametrize(("make", "data", "before", "error", "code"), CASES)
def test_whole_feed_gives_exactly_the_events_before_the_error(
    parser_mod: ModuleType,
    make: Any,
    data: bytes,
    before: list[Any],
    error: type[HttpProcessingError],
    code: int,
) -> None:
    parser = make(parser_mod)
    with pytest.raises(error) as info:
        parser.feed_data(data)
    assert summary(info.value.events) == before
    # The parser is dead; the events are not given out a second time.
    with pytest.raises(RuntimeError, match="after a parse error"):
        parser.feed_data(b"")
    with pytest.raises(RuntimeError, match="after a parse error"):
        parser.feed_eof()


@pytest.mark.parametrize(("make", "data", "before", "error", "code"), CASES)
def test_twins_give_the_same_events_before_the_error(
    parser_twins: tuple[ModuleType, ModuleType],
    make: Any,
    data: bytes,
    before: list[Any],
    error: type[HttpProcessingError],
    code: int,
) -> None:
    pure, compiled = parser_twins
    for parts in splits(data):
        traces = []
        for twin in (pure, compiled):
            parser = make(twin)
            trace: list[Any] = []
            for part in parts:
                try:
                    trace.append(list(parser.feed_data(part)))
                except HttpProcessingError as exc:
                    trace.append((type(exc), str(exc), list(exc.events)))
                    break
            traces.append(trace)
        # Exactly, body chunk boundaries included.
        assert traces[0] == traces[1], parts


def test_events_of_earlier_feeds_are_not_repeated(parser_mod: ModuleType) -> None:
    parser = request_parser(parser_mod)
    assert summary(parser.feed_data(GET_A)) == [REQ_A, NO_TRAILERS]
    with pytest.raises(BadHttpMethod) as info:
        parser.feed_data(b"@\r\n\r\n")
    assert info.value.events == ()


def test_feed_eof_errors_carry_no_events(parser_mod: ModuleType) -> None:
    parser = response_parser(parser_mod)
    parser.feed_data(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab")
    with pytest.raises(ContentLengthError) as info:
        parser.feed_eof()
    assert info.value.events == ()


def test_errors_not_from_a_parser_have_no_events() -> None:
    assert HttpProcessingError().events == ()
    assert BadHttpMessage("x").events == ()


# -- limits: the message before a limit fault is kept, one byte under passes -----

# A second request whose request line, field line or field count is at its
# limit (``ok``) or one over it (``over``), after a complete first request.
LINE_AT = b"GET /" + b"a" * 26 + b" HTTP/1.1\r\n\r\n"  # 40-byte line
FIELD_AT = b"GET / HTTP/1.1\r\nX: " + b"b" * 37 + b"\r\n\r\n"  # 40-byte field
LIMIT_CASES = [
    pytest.param(LINE_AT, LINE_AT.replace(b"/a", b"/aa"), LineTooLong, 414, id="line"),
    pytest.param(
        FIELD_AT, FIELD_AT.replace(b"X:", b"XY:"), LineTooLong, 431, id="field"
    ),
    pytest.param(
        b"GET / HTTP/1.1\r\n" + b"X: c\r\n" * 3 + b"\r\n",
        b"GET / HTTP/1.1\r\n" + b"X: c\r\n" * 4 + b"\r\n",
        TooManyHeaders,
        431,
        id="count",
    ),
]


@pytest.mark.parametrize(("ok", "over", "error", "code"), LIMIT_CASES)
def test_limit_faults_keep_the_message_before_them(
    parser_mod: ModuleType,
    ok: bytes,
    over: bytes,
    error: type[HttpProcessingError],
    code: int,
) -> None:
    for parts in splits(GET_A + ok):
        events, exc = feed_all(request_parser(parser_mod), parts)
        assert exc is None
        assert summary(events)[:2] == [REQ_A, NO_TRAILERS]
        assert len(events) == 4
    for parts in splits(GET_A + over):
        events, exc = feed_all(request_parser(parser_mod), parts)
        assert type(exc) is error, parts
        assert exc.code == code
        assert summary(events) == [REQ_A, NO_TRAILERS], parts


def test_chunk_line_limit_keeps_the_chunks_before(parser_mod: ModuleType) -> None:
    at = b"1;" + b"e" * 38 + b"\r\nz\r\n0\r\n\r\n"  # 40-byte chunk line
    over = b"1;" + b"e" * 39 + b"\r\nz\r\n0\r\n\r\n"
    body = [("response", 200), ("body", b"ab"), ("chunk end",)]
    prefix = OK_CHUNKED + b"2\r\nab\r\n"
    events, exc = feed_all(response_parser(parser_mod), [prefix + at])
    assert exc is None
    assert summary(events) == [*body, ("body", b"z"), ("chunk end",), NO_TRAILERS]
    for parts in splits(prefix + over):
        events, exc = feed_all(response_parser(parser_mod), parts)
        assert type(exc) is LineTooLong
        assert exc.code == 400
        assert summary(events) == body, parts


# -- HttpReceiver.receive ---------------------------------------------------------


def make_receiver(parser: Any, **kwargs: Any) -> tuple[HttpReceiver[Any], BaseProtocol]:
    loop = asyncio.get_running_loop()
    protocol = BaseProtocol(loop)
    return HttpReceiver(parser, protocol, loop=loop, **kwargs), protocol


async def test_receive_returns_requests_before_the_error(
    parser_mod: ModuleType,
) -> None:
    receiver, _ = make_receiver(request_parser(parser_mod))
    received = receiver.receive(
        GET_A + b"POST /b HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi" + b"G@RBAGE\r\n"
    )
    assert type(received.error) is BadHttpMethod
    assert not received.body_failed
    assert not received.upgraded
    assert received.tail == b""
    (a, a_body), (b, b_body) = received.messages
    assert (a.method, a.path, b.method, b.path) == ("GET", "/a", "POST", "/b")
    assert a_body is EMPTY_PAYLOAD
    assert await b_body.read() == b"hi"
    assert receiver.payload is None
    assert "2 messages" in repr(received)
    assert "BadHttpMethod" in repr(received)
    # The connection is done for: the dead parser says so, EOF is quiet.
    with pytest.raises(RuntimeError, match="after a parse error"):
        receiver.receive(GET_A)
    assert receiver.feed_eof() == []


async def test_receive_head_and_broken_body_in_one_feed(
    parser_mod: ModuleType,
) -> None:
    receiver, _ = make_receiver(
        response_parser(parser_mod), payload_exception=PayloadError
    )
    received = receiver.receive(OK_CHUNKED + b"3\r\nabc\r\nzz\r\n")
    assert type(received.error) is TransferEncodingError
    assert received.body_failed
    ((head, body),) = received.messages
    assert head.code == 200
    with pytest.raises(PayloadError) as info:
        await body.read()
    assert info.value.__cause__ is received.error
    assert receiver.payload is None
    assert "in body" in repr(received)


async def test_receive_body_of_an_earlier_feed_broken_now(
    parser_mod: ModuleType,
) -> None:
    receiver, _ = make_receiver(response_parser(parser_mod))
    first = receiver.receive(OK_CHUNKED + b"3\r\nabc\r\n")
    assert first.error is None
    ((_, body),) = first.messages
    received = receiver.receive(b"2\r\nde\r\nzz\r\n")
    assert received.messages == []
    assert received.body_failed
    assert body.exception() is received.error
    with pytest.raises(TransferEncodingError):
        await body.read()


async def test_receive_body_finished_before_a_bad_head(
    parser_mod: ModuleType,
) -> None:
    receiver, _ = make_receiver(request_parser(parser_mod))
    first = receiver.receive(b"POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nab")
    ((_, body),) = first.messages
    received = receiver.receive(b"cdeGET / HTTP/1.1\r\nBad Field: 1\r\n\r\n")
    assert isinstance(received.error, BadHttpMessage)
    # The error came after the body, which is whole and not failed.
    assert not received.body_failed
    assert received.messages == []
    assert await body.read() == b"abcde"


async def test_receive_without_error(parser_mod: ModuleType) -> None:
    receiver, _ = make_receiver(request_parser(parser_mod))
    received = receiver.receive(GET_A)
    assert isinstance(received, Received)
    assert received.error is None
    assert not received.body_failed
    assert [m.path for m, _ in received.messages] == ["/a"]
    assert repr(received) == "<Received 1 messages>"


async def test_receive_after_upgrade_returns_the_bytes(
    parser_mod: ModuleType,
) -> None:
    receiver, _ = make_receiver(request_parser(parser_mod))
    received = receiver.receive(
        b"GET / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\n\x81\x00"
    )
    assert received.upgraded
    assert received.tail == b"\x81\x00"
    assert "upgraded tail=2 bytes" in repr(received)
    later = receiver.receive(b"more")
    assert (later.messages, later.upgraded, later.tail) == ([], True, b"more")


async def test_feed_data_still_raises_and_fills_the_streams(
    parser_mod: ModuleType,
) -> None:
    receiver, _ = make_receiver(response_parser(parser_mod))
    ((_, body),) = receiver.feed_data(OK_CHUNKED)[0]
    with pytest.raises(TransferEncodingError) as info:
        receiver.feed_data(b"3\r\nabc\r\nzz\r\n")
    assert body.exception() is info.value


class ScriptedParser:
    """Raises one scripted error whatever the bytes."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def feed_data(self, data: bytes) -> Sequence[ParserEvent]:
        raise self.error

    def feed_eof(self) -> Sequence[ParserEvent]:
        return []


def chunked_response_head() -> RawResponseMessage:
    return RawResponseMessage(
        HttpVersion11, 200, "OK", EMPTY_HEADERS, (), False, None, False, True
    )


async def test_events_breaking_the_parser_contract_raise() -> None:
    error = TransferEncodingError("bad")
    # A body event with no message to belong to.
    error.events = (BodyChunk(b"x"),)
    receiver, _ = make_receiver(ScriptedParser(error))
    with pytest.raises(RuntimeError, match="outside of a body"):
        receiver.receive(b"")
    assert receiver.feed_eof() == []


async def test_scripted_events_before_an_error() -> None:
    error = TransferEncodingError("bad")
    error.events = (chunked_response_head(), BodyChunk(b"ab"), CHUNK_END)
    receiver, _ = make_receiver(ScriptedParser(error))
    received = receiver.receive(b"")
    assert received.error is error
    assert received.body_failed
    ((_, body),) = received.messages
    assert body.exception() is error


async def test_other_parser_exceptions_propagate() -> None:
    receiver, _ = make_receiver(ScriptedParser(ValueError("bug")))
    with pytest.raises(ValueError, match="bug"):
        receiver.receive(b"")
    assert "failed" in repr(receiver)
