"""Tests of payloads and the payload registry."""

from __future__ import annotations

import array
import asyncio
import builtins
import io
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from aiohttp_core import hdrs, payload
from aiohttp_core.abc import AbstractStreamWriter
from aiohttp_core.base_protocol import BaseProtocol
from aiohttp_core.payload import (
    AsyncIterablePayload,
    BufferedReaderPayload,
    BytesIOPayload,
    BytesPayload,
    IOBasePayload,
    JsonPayload,
    Order,
    Payload,
    PayloadRegistry,
    StreamReaderPayload,
    StringIOPayload,
    StringPayload,
    TextIOPayload,
    get_payload,
    guess_filename,
    payload_type,
    register_payload,
)
from aiohttp_core.streams import StreamReader


class Sink(AbstractStreamWriter):
    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)

    async def write(self, chunk: bytes | bytearray | memoryview) -> None:
        self.chunks.append(bytes(chunk))

    async def write_eof(self, chunk: bytes = b"") -> None:
        self.chunks.append(chunk)

    async def drain(self) -> None:
        pass

    def enable_compression(
        self, encoding: str = "deflate", strategy: int | None = None
    ) -> None:
        raise NotImplementedError

    def enable_chunking(self) -> None:
        raise NotImplementedError

    async def write_headers(self, status_line: str, headers: Any) -> None:
        raise NotImplementedError


async def write(value: Payload) -> bytes:
    sink = Sink()
    await value.write(sink)
    return sink.data


# The registry.


async def agen() -> AsyncIterator[bytes]:
    yield b"a"
    yield b"b"


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda _: b"x", BytesPayload),
        (lambda _: bytearray(b"x"), BytesPayload),
        (lambda _: memoryview(b"x"), BytesPayload),
        (lambda _: "x", StringPayload),
        (lambda _: io.StringIO("x"), StringIOPayload),
        (lambda _: io.BytesIO(b"x"), BytesIOPayload),
        (lambda p: open(p, "rb"), BufferedReaderPayload),  # noqa: SIM115
        (lambda p: open(p, "r+b"), BufferedReaderPayload),  # noqa: SIM115
        (lambda p: open(p, encoding="utf-8"), TextIOPayload),  # noqa: SIM115
        (lambda p: open(p, "rb", buffering=0), IOBasePayload),  # noqa: SIM115
        (lambda _: agen(), AsyncIterablePayload),
    ],
)
async def test_get_payload_picks_the_kind(
    make: Any, kind: type[Payload], tmp_path: Path
) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"x")
    value = make(path)
    result = get_payload(value)
    try:
        assert type(result) is kind
        assert await result.as_bytes() == b"x" or kind is AsyncIterablePayload
    finally:
        await result.close()


async def test_stream_reader_payload() -> None:
    loop = asyncio.get_running_loop()
    stream = StreamReader(BaseProtocol(loop), 2**16, loop=loop)
    stream.feed_data(b"forwarded ")
    stream.feed_data(b"body")
    stream.feed_eof()
    result = get_payload(stream)
    assert isinstance(result, StreamReaderPayload)
    assert await write(result) == b"forwarded body"


def test_payload_passes_through_and_unknown_values_fail() -> None:
    value = BytesPayload(b"x")
    assert get_payload(value) is value
    with pytest.raises(payload.LookupError) as info:
        get_payload(object())
    assert isinstance(info.value, builtins.LookupError)
    with pytest.raises(payload.LookupError):
        get_payload(123)


def test_register_and_order() -> None:
    class Special(bytes):
        pass

    class SpecialPayload(BytesPayload):
        pass

    registry = PayloadRegistry()
    registry.register(BytesPayload, bytes)
    assert type(registry.get(Special(b"x"))) is BytesPayload  # memoized now
    registry.register(SpecialPayload, Special)
    assert type(registry.get(Special(b"x"))) is BytesPayload  # normal: in order
    registry.register(SpecialPayload, Special, order=Order.try_first)
    assert type(registry.get(Special(b"x"))) is SpecialPayload
    last = PayloadRegistry()
    last.register(SpecialPayload, bytes, order=Order.try_last)
    last.register(BytesPayload, Special)
    assert type(last.get(Special(b"x"))) is BytesPayload
    assert type(last.get(b"x")) is SpecialPayload
    with pytest.raises(ValueError, match="order"):
        registry.register(BytesPayload, bytes, order="sideways")  # type: ignore[arg-type]


def test_global_registration_and_decorator() -> None:
    class Point:
        def __init__(self, x: int) -> None:
            self.x = x

    @payload_type(Point)
    class PointPayload(BytesPayload):
        def __init__(self, value: Point, *args: Any, **kwargs: Any) -> None:
            super().__init__(b"%d" % value.x, *args, **kwargs)

    result = get_payload(Point(7))
    assert isinstance(result, PointPayload)
    assert result.size == 1

    class Other:
        pass

    register_payload(lambda value, **kw: StringPayload("other", **kw), Other)
    assert isinstance(get_payload(Other()), StringPayload)


# Payload kinds.


async def test_bytes_payload() -> None:
    value = BytesPayload(b"data", headers={"X-A": "1"})
    assert value.size == 4
    assert value.content_type == "application/octet-stream"
    assert value.headers["X-A"] == "1"
    assert value.filename is None
    assert value.encoding is None
    assert await write(value) == b"data"
    assert await write(value) == b"data"
    assert value.decode() == "data"
    view = memoryview(array.array("i", [1, 2]))
    assert BytesPayload(view).size == view.nbytes
    with pytest.raises(TypeError, match="byte-ish"):
        BytesPayload("str")  # type: ignore[arg-type]


def test_content_type_from_filename_and_header_injection() -> None:
    assert BytesPayload(b"", filename="a.png").content_type == "image/png"
    assert BytesPayload(b"", filename="a.unknown-ext").content_type == (
        "application/octet-stream"
    )
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        BytesPayload(b"", content_type="text/plain\r\nX-Injected: 1")


def test_string_payload_encodings() -> None:
    default = StringPayload("é")
    assert default.content_type == "text/plain; charset=utf-8"
    assert default.encoding == "utf-8"
    assert default.size == 2
    latin = StringPayload("é", encoding="latin-1")
    assert latin.content_type == "text/plain; charset=latin-1"
    assert latin.size == 1
    html = StringPayload("é", content_type="text/html; charset=latin-1")
    assert html.encoding == "latin-1"
    assert html.size == 1
    from_headers = StringPayload(
        "é", headers={"Content-Type": "text/x; charset=latin-1"}
    )
    assert from_headers.size == 1
    assert from_headers.content_type == "text/x; charset=latin-1"
    with pytest.raises(TypeError):
        StringPayload(b"bytes")  # type: ignore[arg-type]


async def test_string_io_payload() -> None:
    buffer = io.StringIO("skip é")
    buffer.read(5)
    value = StringIOPayload(buffer)
    assert await value.as_bytes() == "é".encode()


async def test_bytes_io_payload_rewinds() -> None:
    buffer = io.BytesIO(b"0123456789" * 100_000)
    buffer.seek(10)
    value = BytesIOPayload(buffer)
    assert value.size == 999_990
    first = await write(value)
    assert len(first) == 999_990
    assert await write(value) == first
    assert await value.as_bytes() == first
    assert value.decode("ascii")[:3] == "012"
    assert not value.consumed


async def test_file_payload_streams_in_executor(tmp_path: Path) -> None:
    path = tmp_path / "report.xls"
    data = os.urandom(600_000)
    path.write_bytes(data)
    threads: set[str] = set()

    class Recording(io.FileIO):
        def read(self, size: int | None = -1) -> bytes:
            threads.add(threading.current_thread().name)
            return super().read(size)

    handle = io.BufferedReader(Recording(path))
    value = get_payload(handle)
    assert isinstance(value, BufferedReaderPayload)
    assert value.filename == "report.xls"
    assert value.content_type == "application/vnd.ms-excel"
    assert value.headers[hdrs.CONTENT_DISPOSITION] == (
        'attachment; filename="report.xls"'
    )
    assert value.size == len(data)
    sink = Sink()
    await value.write(sink)
    assert sink.data == data
    assert max(len(chunk) for chunk in sink.chunks) <= value.chunk_size
    assert threading.current_thread().name not in threads
    assert await write(value) == data  # rewound for a second write
    assert not handle.closed
    await value.close()
    assert (handle.closed, value.closed) == (True, True)
    await value.close()


async def test_file_growing_after_size_is_sent_as_sized(tmp_path: Path) -> None:
    path = tmp_path / "log.txt"
    path.write_bytes(b"1234")
    with path.open("rb") as handle:
        value = IOBasePayload(handle, disposition=None)
        assert value.size == 4
        assert hdrs.CONTENT_DISPOSITION not in value.headers
        path.write_bytes(b"123456789")
        assert await write(value) == b"1234"


async def test_text_io_payload(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("naïve\n", encoding="utf-8")
    with path.open(encoding="utf-8") as handle:
        value = TextIOPayload(handle, encoding="latin-1")
        assert value.content_type == "text/plain; charset=latin-1"
        assert value.size is None
        assert await write(value) == "naïve\n".encode("latin-1")
        assert value.decode() == "naïve\n"
    with path.open(encoding="utf-8") as handle:
        typed = TextIOPayload(handle, content_type="text/csv; charset=utf-16")
        assert typed.encoding == "utf-16"


async def test_unseekable_source_is_written_once() -> None:
    read_fd, write_fd = os.pipe()
    os.write(write_fd, b"piped")
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        value = get_payload(pipe)
        assert value.size is None
        assert await write(value) == b"piped"
        assert value.consumed
        with pytest.raises(RuntimeError, match="cannot be rewound"):
            await write(value)


async def test_async_iterable_payload() -> None:
    value = AsyncIterablePayload(agen())
    assert value.size is None
    with pytest.raises(TypeError, match="as_bytes"):
        value.decode()
    assert await write(value) == b"ab"
    with pytest.raises(RuntimeError, match="once"):
        await write(value)
    cached = AsyncIterablePayload(agen())
    assert await cached.as_bytes() == b"ab"
    assert await cached.as_bytes() == b"ab"
    assert await write(cached) == b"ab"
    assert cached.decode() == "ab"
    with pytest.raises(TypeError):
        AsyncIterablePayload([b"sync"])  # type: ignore[arg-type]


async def test_async_generator_closed() -> None:
    closed = False

    async def gen() -> AsyncIterator[bytes]:
        nonlocal closed
        try:
            yield b"x"
            yield b"y"
        finally:
            closed = True

    iterator = gen()
    value = AsyncIterablePayload(iterator)
    await iterator.__anext__()
    await value.close()
    assert closed
    assert value.closed


def test_json_payload() -> None:
    value = JsonPayload({"a": "é"})
    assert value.content_type == "application/json"
    assert value.decode() == '{"a": "\\u00e9"}'
    custom = JsonPayload([1], dumps=lambda obj: "custom", content_type="text/x-json")
    assert custom.decode() == "custom"
    assert custom.content_type == "text/x-json"
    utf16 = JsonPayload("x", encoding="utf-16")
    assert utf16.size == len('"x"'.encode("utf-16"))


def test_set_content_disposition() -> None:
    value = BytesPayload(b"")
    value.set_content_disposition("attachment", filename="plain.txt")
    assert value.headers[hdrs.CONTENT_DISPOSITION] == 'attachment; filename="plain.txt"'
    value.set_content_disposition("attachment", filename="€ rates.txt")
    assert value.headers[hdrs.CONTENT_DISPOSITION] == (
        'attachment; filename="%E2%82%AC%20rates.txt"; '
        "filename*=utf-8''%E2%82%AC%20rates.txt"
    )
    value.set_content_disposition("form-data", name="f", filename="€.txt")
    assert "filename*" not in value.headers[hdrs.CONTENT_DISPOSITION]
    value.set_content_disposition("inline", quote_fields=False, filename='a "b".txt')
    assert value.headers[hdrs.CONTENT_DISPOSITION] == (
        'inline; filename="a \\"b\\".txt"'
    )
    for bad in ("a\r\nb", "a\nb", "nul\x00"):
        with pytest.raises(ValueError, match="control character"):
            value.set_content_disposition("attachment", filename=bad)
        with pytest.raises(ValueError, match="control character"):
            value.set_content_disposition("form-data", name=bad)


async def test_write_with_length() -> None:
    value = BytesPayload(b"0123456789")
    sink = Sink()
    await value.write_with_length(sink, 4)
    assert sink.data == b"0123"
    sink = Sink()
    await value.write_with_length(sink, None)
    assert sink.data == b"0123456789"


def test_guess_filename() -> None:
    class Named:
        name = "/tmp/dir/file.bin"

    assert guess_filename(Named()) == "file.bin"
    assert guess_filename(io.BytesIO(), "default") == "default"

    class Std:
        name = "<stdin>"

    assert guess_filename(Std()) is None


async def test_base_as_bytes_uses_decode() -> None:
    class Text(Payload):
        def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
            return "é"

        async def write(self, writer: AbstractStreamWriter) -> None:
            await writer.write(b"")

    assert await Text(None, encoding="latin-1").as_bytes() == b"\xe9"
    assert await Text(None).as_bytes() == "é".encode()


async def test_failing_writer_stops_the_file_stream(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"x" * (3 * IOBasePayload.chunk_size))

    class Failing(Sink):
        async def write(self, chunk: bytes | bytearray | memoryview) -> None:
            raise ConnectionResetError

    with path.open("rb") as handle:
        value = get_payload(handle)
        with pytest.raises(ConnectionResetError):
            await value.write(Failing())
        # The read started ahead was waited for: the file can be closed.
        assert handle.tell() == 2 * IOBasePayload.chunk_size
