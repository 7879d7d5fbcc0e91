"""Tests for aiohttp_core.http_writer: head serialization and StreamWriter."""

from __future__ import annotations

import array
import asyncio
import importlib
import os
import socket
import subprocess
import sys
import zlib
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy, istr

from aiohttp_core import http_writer
from aiohttp_core.abc import AbstractStreamWriter
from aiohttp_core.base_protocol import BaseProtocol
from aiohttp_core.compression import get_decompressor
from aiohttp_core.connection_errors import ClientConnectionResetError
from aiohttp_core.http_head import FramingField, FramingFields, Headers
from aiohttp_core.http_writer import Buffer, PayloadLengthError, StreamWriter

STATUS = "HTTP/1.1 200 OK"
SerializeHeaders = Callable[[str, Headers], bytes]

# -- the two twins ---------------------------------------------------------------------


@dataclass(frozen=True)
class Twin:
    """One build of the head serializer and chunk framing."""

    name: str
    serialize_headers: SerializeHeaders
    serialize: Callable[[str, Headers], tuple[bytes, FramingFields | None]]
    chunk: Callable[[Buffer], bytes]


PURE = Twin(
    "py",
    http_writer.serialize_headers_py,
    http_writer._serialize_py,
    http_writer._chunk_py,
)


def compiled_twin() -> Twin:
    """The compiled twin, imported even under AIOHTTP_NO_EXTENSIONS=1."""
    try:
        module = importlib.import_module("aiohttp_core._http_writer")
    except ImportError as exc:
        pytest.skip(f"compiled twin aiohttp_core._http_writer is not built ({exc})")
    return Twin("c", module.serialize_headers, module._serialize, module._chunk)


@pytest.fixture(params=["py", "c"])
def twin(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Twin:
    """Each twin in turn, also as the one StreamWriter uses."""
    chosen = PURE if request.param == "py" else compiled_twin()
    monkeypatch.setattr(http_writer, "_serialize", chosen.serialize)
    monkeypatch.setattr(http_writer, "_chunk", chosen.chunk)
    return chosen


@pytest.fixture
def serialize_headers(twin: Twin) -> SerializeHeaders:
    """The chosen twin's serialize_headers."""
    return twin.serialize_headers


def outcome(call: Callable[[], object]) -> object:
    """A call's result, or the type and message of what it raised."""
    try:
        return call()
    except Exception as exc:
        return type(exc), str(exc)


def selected(env: dict[str, str]) -> list[str]:
    """Which twin a fresh interpreter binds to the public names under ``env``."""
    code = (
        "from aiohttp_core import http_writer as w\n"
        "for name in ('serialize_headers', '_serialize', '_chunk'):\n"
        "    print(getattr(w, name).__module__)\n"
    )
    environ = {k: v for k, v in os.environ.items() if k != "AIOHTTP_NO_EXTENSIONS"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def test_compiled_twin_is_chosen_when_built() -> None:
    compiled_twin()
    assert selected({}) == ["aiohttp_core._http_writer"] * 3
    assert selected({"AIOHTTP_NO_EXTENSIONS": ""}) == ["aiohttp_core._http_writer"] * 3


def test_no_extensions_forces_pure_python() -> None:
    assert selected({"AIOHTTP_NO_EXTENSIONS": "1"}) == ["aiohttp_core.http_writer"] * 3


def test_c_names_follow_the_selection() -> None:
    if http_writer._serialize_c is None:
        assert http_writer.serialize_headers is http_writer.serialize_headers_py
        assert http_writer.serialize_headers_c is None
        assert http_writer._chunk_c is None
    else:
        assert http_writer.serialize_headers is http_writer.serialize_headers_c
        assert http_writer._chunk is http_writer._chunk_c


# -- serialize_headers -----------------------------------------------------------------


def test_serialize_plain_mapping(
    serialize_headers: SerializeHeaders,
) -> None:
    got = serialize_headers(STATUS, {"Content-Type": "text/plain", "X-Empty": ""})
    assert got == (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Empty: \r\n\r\n")


def test_serialize_no_fields(
    serialize_headers: SerializeHeaders,
) -> None:
    assert serialize_headers("GET / HTTP/1.1", {}) == b"GET / HTTP/1.1\r\n\r\n"


def test_serialize_multidict_keeps_order_and_duplicates(
    serialize_headers: SerializeHeaders,
) -> None:
    headers = CIMultiDict([("Set-Cookie", "a=1"), ("X-A", "x"), ("set-cookie", "b=2")])
    assert serialize_headers(STATUS, headers) == (
        b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nX-A: x\r\nset-cookie: b=2\r\n\r\n"
    )
    proxy = CIMultiDictProxy(headers)
    assert serialize_headers(STATUS, proxy) == serialize_headers(STATUS, headers)


def test_serialize_istr_names(
    serialize_headers: SerializeHeaders,
) -> None:
    headers = CIMultiDict({istr("X-Istr"): "v"})
    assert serialize_headers(STATUS, headers) == b"HTTP/1.1 200 OK\r\nX-Istr: v\r\n\r\n"


def test_serialize_utf8_values(
    serialize_headers: SerializeHeaders,
) -> None:
    got = serialize_headers(STATUS, {"Content-Disposition": "filename=\u00e9\u2028"})
    assert got.endswith("filename=\u00e9\u2028\r\n\r\n".encode())


def test_all_tchars_are_accepted(
    serialize_headers: SerializeHeaders,
) -> None:
    name = "!#$%&'*+-.^_`|~09AZaz"
    assert serialize_headers(STATUS, {name: "v"}).startswith(STATUS.encode())


BAD_TEXT = ["\r", "\n", "\x00", "\r\n", "\n\r", "a\r\nX-Evil: 1", "\r\n\r\nbody"]


@pytest.mark.parametrize("bad", BAD_TEXT)
def test_forbidden_in_status_line(
    bad: str, serialize_headers: SerializeHeaders
) -> None:
    with pytest.raises(ValueError, match="start line"):
        serialize_headers(f"HTTP/1.1 200 OK{bad}", {})


@pytest.mark.parametrize("bad", BAD_TEXT)
def test_forbidden_in_value(bad: str, serialize_headers: SerializeHeaders) -> None:
    with pytest.raises(ValueError, match="value of header 'X-A'"):
        serialize_headers(STATUS, {"X-A": f"v{bad}"})
    with pytest.raises(ValueError, match="value"):
        serialize_headers(STATUS, CIMultiDict([("X-A", "ok"), ("X-B", bad)]))


@pytest.mark.parametrize(
    "name",
    [
        *(f"X{bad}" for bad in BAD_TEXT),
        "",
        "X A",
        "X:A",
        "X\tA",
        "X-\u00e9",
        "X-\u212a",
        "(X)",
        "X;",
        'X"',
        "X\x7f",
        "X\x01",
    ],
)
@pytest.mark.parametrize("kind", [str, istr])
def test_invalid_names(
    name: str, kind: type[str], serialize_headers: SerializeHeaders
) -> None:
    with pytest.raises(ValueError, match="header"):
        serialize_headers(STATUS, CIMultiDict([(kind(name), "v")]))


def test_non_str_name(serialize_headers: SerializeHeaders) -> None:
    with pytest.raises(TypeError, match="int"):
        serialize_headers(STATUS, {1: "v"})  # type: ignore[dict-item]


class HostileName(str):
    """Pretends to be a known, valid name while holding a CRLF."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash("Content-Type")

    def __eq__(self, other: object) -> bool:
        return True

    def __str__(self) -> str:
        return "Content-Type"

    def __format__(self, spec: str) -> str:
        return "Content-Type"


class HostileValue(str):
    """Formats to a value that forges another field."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        return "x\r\nSet-Cookie: evil=1"


def test_str_subclass_names_cannot_bypass(
    serialize_headers: SerializeHeaders,
) -> None:
    serialize_headers(STATUS, {"Content-Type": "a"})  # the name is now cached
    name = HostileName("X\r\nSet-Cookie: evil=1")
    with pytest.raises(ValueError, match="header"):
        serialize_headers(STATUS, {name: "v"})


def test_valid_subclass_name_is_written_as_its_value(
    serialize_headers: SerializeHeaders,
) -> None:
    got = serialize_headers(STATUS, {HostileName("X-Real"): "v"})
    assert got == b"HTTP/1.1 200 OK\r\nX-Real: v\r\n\r\n"


def test_str_subclass_values_are_written_as_their_content(
    serialize_headers: SerializeHeaders,
) -> None:
    got = serialize_headers(STATUS, {"X-A": HostileValue("fine")})
    assert got == b"HTTP/1.1 200 OK\r\nX-A: fine\r\n\r\n"


class Forging:
    """Not a str at all: formatted, and the result is checked."""

    def __format__(self, spec: str) -> str:
        return "x\r\nSet-Cookie: evil=1"


def test_non_str_values_are_formatted_and_checked(
    serialize_headers: SerializeHeaders,
) -> None:
    got = serialize_headers(STATUS, {"X-Count": 5})  # type: ignore[dict-item]
    assert got == b"HTTP/1.1 200 OK\r\nX-Count: 5\r\n\r\n"
    with pytest.raises(ValueError, match="value"):
        serialize_headers(STATUS, {"X-A": Forging()})  # type: ignore[dict-item]


def test_subclass_status_line(
    serialize_headers: SerializeHeaders,
) -> None:
    with pytest.raises(ValueError, match="start line"):
        serialize_headers(istr("HTTP/1.1 200 OK\r\nX: y"), {})
    assert serialize_headers(istr("HTTP/1.1 200 OK"), {}) == b"HTTP/1.1 200 OK\r\n\r\n"


def test_name_cache_is_bounded() -> None:
    # Only the pure twin caches checked names; the compiled one checks as it
    # copies.
    for i in range(3000):
        http_writer.serialize_headers_py(STATUS, {f"X-Unique-{i}": "v"})
    assert len(http_writer._known_names) <= http_writer._KNOWN_NAMES_MAX
    http_writer.serialize_headers_py(STATUS, {"X-" + "a" * 1000: "v"})
    assert "X-" + "a" * 1000 not in http_writer._known_names


def test_long_heads_and_many_fields(serialize_headers: SerializeHeaders) -> None:
    # Past the compiled twin's stack buffer, in one field and in many.
    value = "v" * 100_000
    assert serialize_headers(STATUS, {"X-Big": value}) == (
        f"{STATUS}\r\nX-Big: {value}\r\n\r\n".encode()
    )
    wide = "\u20ac" * 5000 + "\U0001f600" * 5000 + "\u00e9" * 5000
    assert serialize_headers(STATUS, {"X-Wide": wide}).endswith(
        f"X-Wide: {wide}\r\n\r\n".encode()
    )
    fields = CIMultiDict((f"X-{i}", str(i)) for i in range(3000))
    expected = "".join(f"X-{i}: {i}\r\n" for i in range(3000))
    assert serialize_headers(STATUS, fields) == (f"{STATUS}\r\n{expected}\r\n".encode())
    with pytest.raises(ValueError, match="value of header 'X-2999'"):
        serialize_headers(STATUS, CIMultiDict([*fields.items(), ("X-2999", "\n")]))


@pytest.mark.parametrize(
    "value",
    [
        "\t\x0b\x0c\x0e\x1f\x7f",  # control characters that are allowed
        "0123456789abcde\r",  # CR and LF right past a word of eight bytes
        "01234567\n",
        "0123456\x00",
        "\u00e9\r",
        "\u20ac\n",
        "\U0001f600\x00",
    ],
)
def test_forbidden_checks_every_position(
    serialize_headers: SerializeHeaders, value: str
) -> None:
    if any(c in value for c in "\r\n\x00"):
        with pytest.raises(ValueError, match="value of header"):
            serialize_headers(STATUS, {"X-A": value})
        for i in range(len(value)):
            # The same character at each offset of a longer text.
            text = "a" * i + value[-1] + "b" * 9
            with pytest.raises(ValueError, match="value of header"):
                serialize_headers(STATUS, {"X-A": text})
    else:
        got = serialize_headers(STATUS, {"X-A": value})
        assert got.endswith(f"X-A: {value}\r\n\r\n".encode())


def test_lone_surrogates_fail_as_utf8_does(
    serialize_headers: SerializeHeaders,
) -> None:
    with pytest.raises(UnicodeEncodeError, match="position 24-25"):
        serialize_headers(STATUS, {"X-A": "ok\ud83d\ude00"})
    with pytest.raises(ValueError, match="value of header 'X-B'"):
        serialize_headers(STATUS, {"X-A": "\ud800", "X-B": "\r"})


class FakeStr:
    """Claims to be a str through __class__, without being one."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return str

    def __format__(self, spec: str) -> str:
        return "formatted"


def test_objects_faking_their_class(serialize_headers: SerializeHeaders) -> None:
    for head in [(STATUS, {FakeStr(): "v"}), (STATUS, {"X": FakeStr()})]:
        with pytest.raises(TypeError, match="descriptor '__str__'"):
            serialize_headers(*head)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="descriptor '__str__'"):
        serialize_headers(FakeStr(), {})  # type: ignore[arg-type]


class Pairs(dict[str, Any]):
    """A mapping whose items are not all pairs."""

    def items(self) -> Any:
        return [("X-A", "1"), ["X-B", "2"], ("X-C",)]


def test_items_that_are_not_pairs(serialize_headers: SerializeHeaders) -> None:
    with pytest.raises(ValueError, match=r"not enough values to unpack \(expected 2"):
        serialize_headers(STATUS, Pairs())


def test_framing_report(twin: Twin) -> None:
    headers: CIMultiDict[Any] = CIMultiDict(
        [
            ("content-LENGTH", "3"),
            ("X-Content-Length", "1"),
            ("Content-Lengths", "1"),
            (istr("Transfer-Encoding"), HostileValue("chunked")),
            ("Transfer-Encoding", 7),
        ]
    )
    _, framing = twin.serialize(STATUS, headers)
    assert framing == [
        (FramingField.CONTENT_LENGTH, "3"),
        (FramingField.TRANSFER_ENCODING, "chunked"),
        (FramingField.TRANSFER_ENCODING, "7"),
    ]
    assert type(framing[1][1]) is str  # not the subclass
    assert twin.serialize(STATUS, {"X": "y"}) == (
        b"HTTP/1.1 200 OK\r\nX: y\r\n\r\n",
        None,
    )


@pytest.mark.parametrize("size", [0, 1, 15, 16, 255, 256, 4095, 4096, 70000])
def test_chunk_framing(twin: Twin, size: int) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    expected = b"%x\r\n" % size + data + b"\r\n"
    assert twin.chunk(data) == expected
    assert twin.chunk(bytearray(data)) == expected
    assert twin.chunk(memoryview(data)) == expected


@pytest.mark.parametrize(
    "data",
    ["text", 5, None, memoryview(b"abcdef")[::2], memoryview(array.array("I", [1]))],
)
def test_chunk_framing_of_odd_objects(twin: Twin, data: Any) -> None:
    # Both twins frame len(data) and fail with the same errors.
    assert outcome(lambda: twin.chunk(data)) == outcome(lambda: PURE.chunk(data))


# -- a real connection -----------------------------------------------------------------


@dataclass
class Conn:
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    protocol: BaseProtocol
    peer: socket.socket
    writes: list[bytes] = field(default_factory=list)

    def writer(self, **kwargs: Any) -> StreamWriter:
        return StreamWriter(self.protocol, self.loop, **kwargs)

    async def wire(self) -> bytes:
        """Close our side and return every byte that reached the peer."""
        self.transport.close()
        chunks: list[bytes] = []
        while True:
            data = await asyncio.wait_for(self.loop.sock_recv(self.peer, 1 << 20), 5)
            if not data:
                return b"".join(chunks)
            chunks.append(data)


@pytest.fixture
async def conn(monkeypatch: pytest.MonkeyPatch, twin: Twin) -> AsyncIterator[Conn]:
    loop = asyncio.get_running_loop()
    ours, peer = socket.socketpair()
    peer.setblocking(False)
    transport, protocol = await loop.create_connection(
        lambda: BaseProtocol(loop), sock=ours
    )
    c = Conn(loop, transport, protocol, peer)
    real_write = transport.write
    real_writelines = transport.writelines

    def write(data: Any) -> None:
        c.writes.append(bytes(data))
        real_write(data)

    def writelines(parts: Any) -> None:
        c.writes.append(b"".join(parts))
        real_writelines(parts)

    monkeypatch.setattr(transport, "write", write)
    monkeypatch.setattr(transport, "writelines", writelines)
    yield c
    transport.close()
    peer.close()
    await asyncio.sleep(0)
    await asyncio.sleep(0)


def dechunk(body: bytes) -> tuple[bytes, bytes]:
    """Undo the chunked coding; return (data, trailer section)."""
    out: list[bytes] = []
    while True:
        line, _, body = body.partition(b"\r\n")
        size = int(line, 16)
        if size == 0:
            return b"".join(out), body
        out.append(body[:size])
        assert body[size : size + 2] == b"\r\n"
        body = body[size + 2 :]


def split_head(raw: bytes) -> tuple[bytes, bytes]:
    head, sep, body = raw.partition(b"\r\n\r\n")
    assert sep
    return head + sep, body


def test_is_an_abstract_stream_writer() -> None:
    assert issubclass(StreamWriter, AbstractStreamWriter)
    with pytest.raises(TypeError):
        AbstractStreamWriter()  # type: ignore[abstract]


# -- framing ---------------------------------------------------------------------------


async def test_content_length_from_head_one_write(conn: Conn) -> None:
    w = conn.writer()
    await w.write_headers(STATUS, {"Content-Length": "5"})
    assert conn.writes == []  # the head waits for the body
    await w.write_eof(b"hello")
    assert conn.writes == [b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"]
    assert w.content_length == 5
    assert not w.chunked
    assert not w.must_close
    assert w.length == 5
    assert w.output_size == len(conn.writes[0])
    assert await conn.wire() == conn.writes[0]


async def test_declared_length_with_several_writes(conn: Conn) -> None:
    w = conn.writer()
    w.set_length(10)
    await w.write_headers(STATUS, CIMultiDict({"content-length": "10"}))
    await w.write(b"01234")
    await w.write(memoryview(b"567"))
    await w.write_eof(bytearray(b"89"))
    assert conn.writes == [
        b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n01234",
        b"567",
        b"89",
    ]
    assert not w.must_close


async def test_chunked_framing(conn: Conn) -> None:
    w = conn.writer()
    w.enable_chunking()
    await w.write_headers(STATUS, {"Transfer-Encoding": "chunked"})
    await w.write(b"hello")
    await w.write(b"")  # an empty chunk would end the body: never sent
    await w.write(b"x" * 26)
    await w.write_eof(b"!")
    raw = await conn.wire()
    assert raw == (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n1a\r\n" + b"x" * 26 + b"\r\n1\r\n!\r\n0\r\n\r\n"
    )
    assert len(conn.writes) == 3
    assert w.chunked
    assert w.length == 32
    assert not w.must_close


async def test_chunked_from_head_with_other_codings(conn: Conn) -> None:
    w = conn.writer()
    await w.write_headers(STATUS, {"Transfer-Encoding": "gzip ,\tchunked "})
    assert w.chunked
    await w.write_eof()
    assert (await conn.wire()).endswith(b"\r\n\r\n0\r\n\r\n")


async def test_chunked_large_chunk_uses_writelines(conn: Conn) -> None:
    w = conn.writer()
    w.enable_chunking()
    big = bytes(range(256)) * 1000
    await w.write(big)
    await w.write_eof()
    data, trailer = dechunk(await conn.wire())
    assert data == big
    assert trailer == b"\r\n"


async def test_chunked_trailers(conn: Conn) -> None:
    w = conn.writer()
    w.enable_chunking()
    await w.write_headers(STATUS, {"Transfer-Encoding": "chunked", "Trailer": "X-Sum"})
    await w.write_eof(b"abc", trailers={"X-Sum": "42", "X-Other": "y"})
    _, body = split_head(await conn.wire())
    assert body == b"3\r\nabc\r\n0\r\nX-Sum: 42\r\nX-Other: y\r\n\r\n"


async def test_bad_trailers_are_refused_before_ending(conn: Conn) -> None:
    w = conn.writer()
    w.enable_chunking()
    await w.write(b"abc")
    with pytest.raises(ValueError, match="value"):
        await w.write_eof(trailers={"X": "a\r\n\r\nHTTP/1.1 200 OK"})
    with pytest.raises(ValueError, match="Framing"):
        await w.write_eof(trailers={"Content-Length": "5"})
    with pytest.raises(ValueError, match="header field name"):
        await w.write_eof(trailers={"X Y": "5"})
    assert not w.eof
    await w.write_eof()
    assert await conn.wire() == b"3\r\nabc\r\n0\r\n\r\n"


async def test_trailers_need_chunking(conn: Conn) -> None:
    w = conn.writer()
    w.set_length(0)
    with pytest.raises(ValueError, match="chunked"):
        await w.write_eof(trailers={"X": "y"})


async def test_close_delimited(conn: Conn) -> None:
    w = conn.writer()
    await w.write_headers("HTTP/1.0 200 OK", {"Content-Type": "text/plain"})
    assert not w.must_close
    await w.write(b"part1 ")
    assert w.must_close  # the end of the body is the end of the connection
    await w.write_eof(b"part2")
    assert await conn.wire() == (
        b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\npart1 part2"
    )


async def test_no_framing_and_no_body_keeps_connection(conn: Conn) -> None:
    w = conn.writer()
    await w.write_headers("GET / HTTP/1.1", {"Host": "example.com"})
    await w.write_eof()
    assert not w.must_close
    assert conn.writes == [b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"]


async def test_unknown_transfer_coding_is_close_delimited(conn: Conn) -> None:
    w = conn.writer()
    await w.write_headers(STATUS, {"Transfer-Encoding": "chun\u212aed"})
    assert not w.chunked
    await w.write_eof(b"x")
    assert w.must_close


# -- framing conflicts -----------------------------------------------------------------


async def test_length_and_chunked_conflict(conn: Conn) -> None:
    w = conn.writer()
    w.set_length(3)
    with pytest.raises(ValueError, match="both"):
        w.enable_chunking()
    w = conn.writer()
    w.enable_chunking()
    with pytest.raises(ValueError, match="both"):
        w.set_length(3)


async def test_negative_length(conn: Conn) -> None:
    with pytest.raises(ValueError, match="negative"):
        conn.writer().set_length(-1)


@pytest.mark.parametrize(
    ("declare", "headers", "match"),
    [
        ("none", {"Content-Length": "1", "Transfer-Encoding": "chunked"}, "both"),
        ("chunked", {"Content-Length": "1"}, "chunked"),
        ("chunked", {}, "lacks"),
        ("chunked", {"Transfer-Encoding": "gzip"}, "chunked"),
        ("length", {"Transfer-Encoding": "chunked"}, "content-length"),
        ("length", {}, "lacks"),
        ("length", {"Content-Length": "4"}, "does not match"),
        ("none", {"Content-Length": "1e3"}, "Invalid"),
        ("none", {"Content-Length": "-1"}, "Invalid"),
        ("none", {"Content-Length": " 3"}, "Invalid"),
        ("none", {"Content-Length": "\u0663"}, "Invalid"),  # Arabic-Indic 3
    ],
)
async def test_head_must_agree_with_framing(
    conn: Conn, declare: str, headers: dict[str, str], match: str
) -> None:
    w = conn.writer()
    if declare == "chunked":
        w.enable_chunking()
    elif declare == "length":
        w.set_length(3)
    with pytest.raises(ValueError, match=match):
        await w.write_headers(STATUS, headers)
    assert conn.writes == []


async def test_conflicting_content_lengths(conn: Conn) -> None:
    headers = CIMultiDict([("Content-Length", "3"), ("Content-Length", "4")])
    with pytest.raises(ValueError, match="Invalid"):
        await conn.writer().write_headers(STATUS, headers)
    same = CIMultiDict([("Content-Length", "3"), ("content-length", "3")])
    w = conn.writer()
    await w.write_headers(STATUS, same)
    assert w.content_length == 3


async def test_framing_is_fixed_once_the_body_started(conn: Conn) -> None:
    w = conn.writer()
    w.enable_compression()
    await w.write(b"abc")  # buffered by the compressor, nothing sent yet
    with pytest.raises(RuntimeError, match="before"):
        w.enable_chunking()


async def test_framing_is_fixed_once_the_head_is_written(conn: Conn) -> None:
    w = conn.writer()
    await w.write_headers(STATUS, {})
    for call in (
        w.enable_chunking,
        lambda: w.set_length(1),
        w.set_no_body,
        w.enable_compression,
    ):
        with pytest.raises(RuntimeError, match="before"):
            call()


async def test_head_written_twice(conn: Conn) -> None:
    w = conn.writer()
    await w.write_headers(STATUS, {})
    with pytest.raises(RuntimeError, match="already"):
        await w.write_headers(STATUS, {})


async def test_injection_through_the_writer(conn: Conn) -> None:
    w = conn.writer()
    with pytest.raises(ValueError, match="value"):
        await w.write_headers(STATUS, {"Location": "/\r\nSet-Cookie: x=1"})
    with pytest.raises(ValueError, match="start line"):
        await w.write_headers("HTTP/1.1 200 OK\r\n\r\nHTTP/1.1 200 OK", {})
    await w.write_eof()
    assert await conn.wire() == b""


# -- length mismatches -----------------------------------------------------------------


async def test_body_longer_than_length_in_write(conn: Conn) -> None:
    w = conn.writer()
    await w.write_headers(STATUS, {"Content-Length": "4"})
    await w.write(b"abc")
    with pytest.raises(PayloadLengthError, match="longer") as info:
        await w.write(b"de")
    assert isinstance(info.value, ValueError)
    assert w.must_close
    assert w.length == 3
    assert b"".join(conn.writes).endswith(b"\r\n\r\nabc")  # nothing of "de" left


async def test_body_longer_than_length_at_eof(conn: Conn) -> None:
    w = conn.writer()
    w.set_length(2)
    with pytest.raises(PayloadLengthError, match="longer"):
        await w.write_eof(b"abc")
    assert w.must_close
    assert conn.writes == []


async def test_body_shorter_than_length(conn: Conn) -> None:
    w = conn.writer()
    await w.write_headers(STATUS, {"Content-Length": "10"})
    await w.write(b"abc")
    assert not w.must_close
    with pytest.raises(PayloadLengthError, match="shorter"):
        await w.write_eof(b"de")
    assert w.must_close
    with pytest.raises(RuntimeError):
        await w.write(b"more")


async def test_exact_zero_length(conn: Conn) -> None:
    w = conn.writer()
    await w.write_headers(STATUS, {"Content-Length": "0"})
    with pytest.raises(PayloadLengthError):
        await w.write(b"x")


# -- bodiless messages -----------------------------------------------------------------


async def test_no_body_discards_writes(conn: Conn) -> None:
    w = conn.writer()
    w.set_no_body()
    # A HEAD response announces the GET's length and coding.
    await w.write_headers(STATUS, {"Content-Length": "100"})
    await w.write(b"ignored")
    await w.write_eof(b"also ignored", trailers={"X": "y"})
    assert w.no_body
    assert w.length == 0
    assert not w.must_close
    assert await conn.wire() == b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"


async def test_no_body_with_chunked_head(conn: Conn) -> None:
    w = conn.writer()
    w.set_no_body()
    w.enable_chunking()
    w.enable_compression("gzip")
    await w.write_headers("HTTP/1.1 304 Not Modified", {"Transfer-Encoding": "chunked"})
    await w.write(b"x")
    await w.write_eof()
    assert await conn.wire() == (
        b"HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"
    )


async def test_no_body_still_refuses_both_framings(conn: Conn) -> None:
    w = conn.writer()
    w.set_no_body()
    with pytest.raises(ValueError, match="both"):
        await w.write_headers(
            STATUS, {"Content-Length": "1", "Transfer-Encoding": "chunked"}
        )


# -- end of message --------------------------------------------------------------------


async def test_write_after_eof(conn: Conn) -> None:
    w = conn.writer()
    await w.write_eof(b"x")
    assert w.eof
    with pytest.raises(RuntimeError, match="after write_eof"):
        await w.write(b"y")
    with pytest.raises(RuntimeError, match="after write_eof"):
        await w.write(b"")
    with pytest.raises(RuntimeError, match="after write_eof"):
        await w.write_eof(b"y")
    with pytest.raises(RuntimeError, match="after write_eof"):
        await w.write_headers(STATUS, {})
    await w.write_eof()  # ending twice is harmless


async def test_headers_without_body_go_at_eof(conn: Conn) -> None:
    w = conn.writer()
    await w.write_headers(STATUS, {"Content-Length": "0"})
    assert conn.writes == []
    await w.write_eof()
    assert conn.writes == [b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"]


async def test_send_headers_and_drain_flush_the_head(conn: Conn) -> None:
    w = conn.writer()
    await w.write_headers("POST / HTTP/1.1", {"Expect": "100-continue"})
    w.send_headers()
    assert len(conn.writes) == 1
    w.send_headers()  # nothing left to send
    assert len(conn.writes) == 1
    w = conn.writer()
    await w.write_headers("POST / HTTP/1.1", {})
    await w.drain()
    assert len(conn.writes) == 2


async def test_counters(conn: Conn) -> None:
    w = conn.writer()
    w.enable_chunking()
    await w.write_headers(STATUS, {"Transfer-Encoding": "chunked"})
    head_size = len(conn.writes[0]) if conn.writes else 0
    assert head_size == 0
    await w.write(b"abc")
    assert w.length == 3
    assert w.output_size == sum(map(len, conn.writes))
    assert w.buffer_size == w.output_size
    await w.drain()
    assert w.buffer_size == 0
    await w.write_eof(b"de")
    assert w.length == 5
    assert w.output_size == sum(map(len, conn.writes))


async def test_memoryview_of_wider_items_counts_bytes(conn: Conn) -> None:
    w = conn.writer()
    w.set_length(8)
    await w.write(memoryview(array.array("I", [1, 2])))
    await w.write_eof()
    assert w.length == 8
    assert await conn.wire() == array.array("I", [1, 2]).tobytes()


async def test_repr(conn: Conn) -> None:
    w = conn.writer()
    w.enable_chunking()
    w.enable_compression("gzip")
    assert repr(w).startswith("<StreamWriter open chunked compress=gzip")
    w2 = conn.writer()
    w2.set_no_body()
    await w2.write_eof()
    assert repr(w2).startswith("<StreamWriter eof close-delimited no_body")
    assert w2.transport is conn.transport
    assert w2.protocol is conn.protocol


# -- callbacks -------------------------------------------------------------------------


async def test_callbacks(conn: Conn) -> None:
    chunks: list[bytes] = []
    heads: list[CIMultiDict[str]] = []

    async def on_chunk(chunk: bytes) -> None:
        chunks.append(chunk)

    async def on_headers(headers: CIMultiDict[str]) -> None:
        heads.append(headers)

    w = conn.writer(on_chunk_sent=on_chunk, on_headers_sent=on_headers)
    await w.write_headers(STATUS, {"Transfer-Encoding": "chunked"})
    await w.write(memoryview(b"one"))
    await w.write_eof(b"two")
    assert chunks == [b"one", b"two"]
    assert len(heads) == 1
    assert isinstance(heads[0], CIMultiDict)
    assert heads[0]["transfer-encoding"] == "chunked"
    same = CIMultiDict({"Content-Length": "0"})
    w = conn.writer(on_headers_sent=on_headers)
    await w.write_headers(STATUS, same)
    assert heads[1] is same


# -- compression -----------------------------------------------------------------------


BODY = b"".join(b"%d compressible line of text\n" % i for i in range(5000))


@pytest.mark.parametrize("encoding", ["deflate", "gzip", "br"])
async def test_compressed_chunked_end_to_end(conn: Conn, encoding: str) -> None:
    w = conn.writer()
    w.enable_compression(encoding)
    w.enable_chunking()
    await w.write_headers(
        STATUS, {"Content-Encoding": encoding, "Transfer-Encoding": "chunked"}
    )
    for i in range(0, len(BODY), 1000):
        await w.write(BODY[i : i + 1000])
    await w.write_eof(b"tail")
    assert w.compression == encoding
    assert w.length == len(BODY) + 4
    _, body = split_head(await conn.wire())
    data, trailer = dechunk(body)
    assert trailer == b"\r\n"
    dec = get_decompressor(encoding)
    assert dec.decompress(data, 1 << 24) + dec.flush() == BODY + b"tail"
    assert len(data) < len(BODY) // 4


async def test_compressed_close_delimited(conn: Conn) -> None:
    w = conn.writer()
    w.enable_compression("gzip", strategy=zlib.Z_FILTERED)
    await w.write_headers("HTTP/1.0 200 OK", {"Content-Encoding": "gzip"})
    await w.write(BODY)
    await w.write_eof()
    assert w.must_close
    _, body = split_head(await conn.wire())
    assert zlib.decompress(body, 31) == BODY


async def test_compression_refuses_a_length(conn: Conn) -> None:
    w = conn.writer()
    w.set_length(10)
    with pytest.raises(ValueError, match="compressed"):
        w.enable_compression()
    w = conn.writer()
    w.enable_compression()
    with pytest.raises(ValueError, match="compressed"):
        w.set_length(10)
    w = conn.writer()
    w.enable_compression()
    with pytest.raises(ValueError, match="compressed"):
        await w.write_headers(STATUS, {"Content-Length": "10"})


async def test_compression_in_executor_keeps_order(conn: Conn) -> None:
    pieces = [bytes([65 + i % 26]) * (5000 if i % 2 else 10) for i in range(20)]
    with ThreadPoolExecutor(2) as pool:
        w = conn.writer()
        w.enable_compression("deflate", executor=pool, max_sync_chunk_size=100)
        w.enable_chunking()
        await asyncio.gather(*(w.write(p) for p in pieces))
        await w.write_eof()
    data, _ = dechunk(await conn.wire())
    assert zlib.decompress(data) == b"".join(pieces)


async def test_cancelled_compression_marks_connection_broken(conn: Conn) -> None:
    with ThreadPoolExecutor(1) as pool:
        w = conn.writer()
        w.enable_compression("gzip", executor=pool, max_sync_chunk_size=10)
        task = asyncio.ensure_future(w.write(bytes(1 << 20)))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert w.must_close


async def test_unknown_compression(conn: Conn) -> None:
    with pytest.raises(ValueError, match="compress"):
        conn.writer().enable_compression("compress")


# -- flow control and lost connections -------------------------------------------------


async def test_backpressure_blocks_a_writer_whose_peer_does_not_read(
    conn: Conn,
) -> None:
    conn.peer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    high = 64 * 1024
    conn.transport.set_write_buffer_limits(high=high)
    chunk = bytes(256 * 1024)
    count = 64
    w = conn.writer()
    w.set_length(len(chunk) * count)

    async def produce() -> None:
        for _ in range(count):
            await w.write(chunk)
        await w.write_eof()

    task = asyncio.create_task(produce())
    await asyncio.sleep(0.1)
    assert not task.done()
    assert conn.protocol.writing_paused
    assert w.length < len(chunk) * 4
    largest = conn.transport.get_write_buffer_size()
    received = 0
    while received < len(chunk) * count:
        data = await asyncio.wait_for(conn.loop.sock_recv(conn.peer, 1 << 20), 5)
        assert data
        received += len(data)
        largest = max(largest, conn.transport.get_write_buffer_size())
    await asyncio.wait_for(task, 5)
    # Never more than the high mark plus the chunk that crossed it.
    assert largest <= high + len(chunk)
    assert w.length == len(chunk) * count


async def test_write_without_drain_does_not_wait(conn: Conn) -> None:
    conn.transport.set_write_buffer_limits(high=1024)
    w = conn.writer()
    for _ in range(64):
        await w.write(bytes(64 * 1024), drain=False)
    assert conn.protocol.writing_paused
    assert w.buffer_size == 64 * 64 * 1024
    task = asyncio.create_task(w.drain())
    await asyncio.sleep(0.05)
    assert not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_write_eof_waits_for_a_paused_transport(conn: Conn) -> None:
    conn.transport.set_write_buffer_limits(high=1024)
    w = conn.writer()
    w.set_length(4 * 1024 * 1024)
    await w.write(bytes(4 * 1024 * 1024 - 1), drain=False)
    task = asyncio.create_task(w.write_eof(b"x"))
    await asyncio.sleep(0.05)
    assert not task.done()
    assert len(await conn.wire()) == 4 * 1024 * 1024
    await asyncio.wait_for(task, 5)
    assert w.buffer_size == 0


async def test_write_to_closed_transport(conn: Conn) -> None:
    w = conn.writer()
    await w.write_headers(STATUS, {"Content-Length": "3"})
    conn.transport.close()
    with pytest.raises(ClientConnectionResetError, match="closing"):
        await w.write(b"abc")
    assert w.must_close


async def test_write_after_connection_lost(conn: Conn) -> None:
    w = conn.writer()
    conn.transport.close()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert conn.protocol.transport is None
    with pytest.raises(ClientConnectionResetError):
        await w.write(b"abc")
    with pytest.raises(ClientConnectionResetError):
        await w.drain()
    assert w.must_close


async def test_peer_reset_while_blocked(conn: Conn) -> None:
    conn.transport.set_write_buffer_limits(high=1024)
    w = conn.writer()

    async def produce() -> None:
        while True:
            await w.write(bytes(256 * 1024))

    task = asyncio.create_task(produce())
    await asyncio.sleep(0.05)
    assert not task.done()
    conn.peer.close()
    with pytest.raises(ConnectionResetError):
        await asyncio.wait_for(task, 5)
    assert w.must_close


async def test_drain_normalizes_connection_errors(
    conn: Conn, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: BaseProtocol) -> None:
        raise BrokenPipeError("pipe")

    monkeypatch.setattr(BaseProtocol, "_drain_helper", broken)
    w = conn.writer()
    with pytest.raises(ClientConnectionResetError, match="pipe") as info:
        await w.drain()
    assert isinstance(info.value.__cause__, BrokenPipeError)
    assert w.must_close
