"""Writer -> reader round trips for every payload kind, and streaming memory."""

from __future__ import annotations

import asyncio
import io
import time
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from aiohttp_core.abc import AbstractStreamWriter
from aiohttp_core.base_protocol import BaseProtocol
from aiohttp_core.formdata import FormData
from aiohttp_core.multipart import BodyPartReader, MultipartReader, MultipartWriter
from aiohttp_core.payload import Payload
from aiohttp_core.streams import StreamReader


class CountingWriter(AbstractStreamWriter):
    """Counts the bytes written and keeps nothing."""

    def __init__(self) -> None:
        self.count = 0

    async def write(self, chunk: bytes | bytearray | memoryview) -> None:
        self.count += len(chunk)

    async def write_eof(self, chunk: bytes = b"") -> None:
        self.count += len(chunk)

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


async def parse(payload: Payload, body: bytes, bytewise: bool) -> list[Any]:
    loop = asyncio.get_running_loop()
    stream = StreamReader(BaseProtocol(loop), 2**16, loop=loop)
    if bytewise:

        async def feed() -> None:
            for i in range(len(body)):
                stream.feed_data(body[i : i + 1])
                await asyncio.sleep(0)
            stream.feed_eof()

        feeder = asyncio.create_task(feed())
    else:
        stream.feed_data(body)
        stream.feed_eof()
    headers = CIMultiDictProxy(CIMultiDict(payload.headers))
    try:
        return await collect(MultipartReader(headers, stream))
    finally:
        if bytewise:
            await feeder


async def collect(reader: MultipartReader) -> list[Any]:
    result: list[Any] = []
    async for part in reader:
        if isinstance(part, MultipartReader):
            result.append(await collect(part))
        else:
            result.append(
                (
                    part.name,
                    part.filename,
                    part.headers.get("Content-Type"),
                    bytes(await part.read(decode=True)),
                )
            )
    return result


async def agen() -> AsyncIterator[bytes]:
    for i in range(3):
        await asyncio.sleep(0)
        yield b"chunk %d;" % i


@pytest.mark.parametrize("bytewise", [False, True])
async def test_every_payload_kind(tmp_path: Path, bytewise: bool) -> None:
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    text = tmp_path / "notes.txt"
    text.write_text("naïve text\nsecond line\n", encoding="utf-8")
    writer = MultipartWriter("mixed")
    writer.append(b"raw bytes\r\n--not a boundary")
    writer.append(bytearray(b"bytearray"))
    writer.append(memoryview(b"memoryview"))
    writer.append("str é")
    writer.append(io.BytesIO(b"bytesio"))
    writer.append(io.StringIO("stringio é"))
    with binary.open("rb") as binary_file, text.open(encoding="utf-8") as text_file:
        writer.append(binary_file)
        writer.append(text_file)
        writer.append(agen())
        writer.append_json({"json": ["é", 1, None]})
        writer.append_form([("a", "1"), ("b", "x y")])
        writer.append(b"gzip me " * 100, {"Content-Encoding": "gzip"})
        writer.append(b"\x00\xff" * 100, {"Content-Transfer-Encoding": "base64"})
        writer.append("q=p é", {"Content-Transfer-Encoding": "quoted-printable"})
        nested = MultipartWriter("related")
        nested.append("inner text")
        nested.append_json([1, 2])
        writer.append(nested)
        body = await writer.as_bytes()
    result = await parse(writer, body, bytewise)
    data = [item[3] if isinstance(item, tuple) else item for item in result]
    assert data == [
        b"raw bytes\r\n--not a boundary",
        b"bytearray",
        b"memoryview",
        "str é".encode(),
        b"bytesio",
        "stringio é".encode(),
        binary.read_bytes(),
        "naïve text\nsecond line\n".encode(),
        b"chunk 0;chunk 1;chunk 2;",
        b'{"json": ["\\u00e9", 1, null]}',
        b"a=1&b=x+y",
        b"gzip me " * 100,
        b"\x00\xff" * 100,
        "q=p é".encode(),
        [
            (None, None, "text/plain; charset=utf-8", b"inner text"),
            (None, None, "application/json", b"[1, 2]"),
        ],
    ]
    assert result[6][1:3] == ("image.png", "image/png")
    assert result[7][1:3] == ("notes.txt", "text/plain; charset=utf-8")


@pytest.mark.parametrize("bytewise", [False, True])
async def test_formdata_round_trip(tmp_path: Path, bytewise: bool) -> None:
    upload = tmp_path / "report.csv"
    upload.write_bytes(b"a,b\r\n1,2\r\n")
    form = FormData()
    form.add_field("title", "Holiday ☀")
    form.add_field("count", 3)
    form.add_field("blob", b"\x00\x01", content_type="application/x-thing")
    with upload.open("rb") as handle:
        form.add_field("file", handle)
        form.add_field("renamed", io.BytesIO(b"memory"), filename="other.bin")
        payload = form()
        body = await payload.as_bytes()
    assert await parse(payload, body, bytewise) == [
        ("title", None, "text/plain; charset=utf-8", "Holiday ☀".encode()),
        ("count", None, "text/plain; charset=utf-8", b"3"),
        ("blob", "blob", "application/x-thing", b"\x00\x01"),
        ("file", "report.csv", "text/csv", b"a,b\r\n1,2\r\n"),
        ("renamed", "other.bin", "application/octet-stream", b"memory"),
    ]


async def test_size_matches_for_files(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"x" * 300_000)
    writer = MultipartWriter()
    with path.open("rb") as handle:
        handle.read(1000)  # a file is sent from where it stands
        writer.append(handle)
        writer.append("tail")
        counter = CountingWriter()
        await writer.write(counter)
        assert counter.count == writer.size
        # A second write (a redirect) sends the same bytes again.
        again = CountingWriter()
        await writer.write(again)
        assert again.count == counter.count
        body = await writer.as_bytes()
    result = await parse(writer, body, False)
    assert result[0][3] == b"x" * 299_000


async def test_two_hundred_mib_file_streams_in_bounded_memory(tmp_path: Path) -> None:
    size = 200 * 2**20
    path = tmp_path / "big.bin"
    with path.open("wb") as handle:
        handle.truncate(size)  # sparse: quick to make, reads as zeros
    writer = MultipartWriter("form-data")
    counter = CountingWriter()
    start = time.perf_counter()
    tracemalloc.start()
    try:
        with path.open("rb") as handle:
            part = writer.append(handle)
            part.set_content_disposition("form-data", name="file", filename="big.bin")
            await writer.write(counter)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - start
    assert counter.count == writer.size
    assert counter.count > size
    assert peak < 10 * 2**20, f"peak {peak / 2**20:.1f} MiB"
    assert elapsed < 15


async def test_large_part_read_back_in_bounded_chunks() -> None:
    writer = MultipartWriter(boundary="b")
    writer.append(b"\r\n-" * 100_000)
    body = await writer.as_bytes()
    loop = asyncio.get_running_loop()
    stream = StreamReader(BaseProtocol(loop), 2**16, loop=loop)
    for i in range(0, len(body), 8192):
        stream.feed_data(body[i : i + 8192])
    stream.feed_eof()
    reader = MultipartReader(CIMultiDictProxy(CIMultiDict(writer.headers)), stream)
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    total = 0
    while chunk := await part.read_chunk(4096):
        assert len(chunk) <= 4096
        total += len(chunk)
    assert total == 300_000
    assert await reader.next() is None
