"""Tests of MultipartReader and BodyPartReader on real-world bodies."""

from __future__ import annotations

import asyncio
import base64
import gzip
import shutil
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from aiohttp_core import hdrs
from aiohttp_core.base_protocol import BaseProtocol
from aiohttp_core.multipart import (
    BadContentDispositionHeader,
    BodyPartReader,
    BodyPartReaderPayload,
    MultipartReader,
    MultipartResponseWrapper,
)
from aiohttp_core.payload import get_payload
from aiohttp_core.streams import StreamReader

MODES = ["whole", "bytewise", "onebyte"]


class OneByteStream:
    """A body that arrives strictly one byte per read."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0
        self.reads = 0

    async def read(self, n: int = -1) -> bytes:
        self.reads += 1
        chunk = self._data[self._pos : self._pos + 1]
        self._pos += 1
        return chunk


@pytest.fixture
async def feeders() -> AsyncIterator[list[asyncio.Task[None]]]:
    tasks: list[asyncio.Task[None]] = []
    yield tasks
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def new_stream() -> StreamReader:
    loop = asyncio.get_running_loop()
    return StreamReader(BaseProtocol(loop), 2**16, loop=loop)


def open_body(body: bytes, mode: str, tasks: list[asyncio.Task[None]]) -> Any:
    """The body as a reader's content: fed whole, or byte by byte as it is read."""
    if mode == "onebyte":
        return OneByteStream(body)
    stream = new_stream()
    if mode == "whole":
        stream.feed_data(body)
        stream.feed_eof()
        return stream

    async def feed() -> None:
        for i in range(len(body)):
            stream.feed_data(body[i : i + 1])
            await asyncio.sleep(0)
        stream.feed_eof()

    tasks.append(asyncio.create_task(feed()))
    return stream


def form_headers(boundary: str, subtype: str = "form-data") -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(
        CIMultiDict({"Content-Type": f"multipart/{subtype}; boundary={boundary}"})
    )


async def read_all(reader: MultipartReader) -> list[tuple[Any, ...]]:
    """(name, filename, content type, raw data) of each part, nested as lists."""
    result: list[tuple[Any, ...]] = []
    async for part in reader:
        if isinstance(part, MultipartReader):
            result.append(("nested", await read_all(part)))
        else:
            data = await part.read()
            result.append(
                (part.name, part.filename, part.headers.get("Content-Type"), data)
            )
    return result


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) + b"\r\n--\r\n-"

# What Chrome sends for <form enctype="multipart/form-data">: a text input,
# a file (quote as %22, raw UTF-8 name) and an empty file input.
CHROME_BOUNDARY = "----WebKitFormBoundaryu7ZnEXpaCt9sB4Rc"
CHROME_BODY = (
    b"------WebKitFormBoundaryu7ZnEXpaCt9sB4Rc\r\n"
    b'Content-Disposition: form-data; name="title"\r\n'
    b"\r\n"
    b"Holiday \xe2\x98\x80\r\n"
    b"------WebKitFormBoundaryu7ZnEXpaCt9sB4Rc\r\n"
    b'Content-Disposition: form-data; name="photo"; '
    b'filename="caf\xc3\xa9 %22beach%22.png"\r\n'
    b"Content-Type: image/png\r\n"
    b"\r\n" + PNG + b"\r\n"
    b"------WebKitFormBoundaryu7ZnEXpaCt9sB4Rc\r\n"
    b'Content-Disposition: form-data; name="extra"; filename=""\r\n'
    b"Content-Type: application/octet-stream\r\n"
    b"\r\n"
    b"\r\n"
    b"------WebKitFormBoundaryu7ZnEXpaCt9sB4Rc--\r\n"
)

# Firefox: its boundary style, a textarea with CRLF inside, a text file.
FIREFOX_BOUNDARY = "----geckoformboundary4d2e1c7f0a9b3e5d8c6f1a2b3c4d5e6f"
FIREFOX_BODY = (
    b"------geckoformboundary4d2e1c7f0a9b3e5d8c6f1a2b3c4d5e6f\r\n"
    b'Content-Disposition: form-data; name="comment"\r\n'
    b"\r\n"
    b"line one\r\nline two\r\n"
    b"------geckoformboundary4d2e1c7f0a9b3e5d8c6f1a2b3c4d5e6f\r\n"
    b'Content-Disposition: form-data; name="doc"; filename="notes.txt"\r\n'
    b"Content-Type: text/plain\r\n"
    b"\r\n"
    b"hello\n\r\n"
    b"------geckoformboundary4d2e1c7f0a9b3e5d8c6f1a2b3c4d5e6f--\r\n"
)

# What curl -F person=anonymous -F secret=@file.txt sends.
CURL_BOUNDARY = "------------------------d74496d66958873e"
CURL_BODY = (
    b"--------------------------d74496d66958873e\r\n"
    b'Content-Disposition: form-data; name="person"\r\n'
    b"\r\n"
    b"anonymous\r\n"
    b"--------------------------d74496d66958873e\r\n"
    b'Content-Disposition: form-data; name="secret"; filename="file.txt"\r\n'
    b"Content-Type: text/plain\r\n"
    b"\r\n"
    b"contents of the file\n\r\n"
    b"--------------------------d74496d66958873e--\r\n"
)


@pytest.mark.parametrize("mode", MODES)
async def test_chrome_upload(mode: str, feeders: list[asyncio.Task[None]]) -> None:
    content = open_body(CHROME_BODY, mode, feeders)
    reader = MultipartReader(form_headers(CHROME_BOUNDARY), content)
    assert await read_all(reader) == [
        ("title", None, None, bytearray("Holiday ☀".encode())),
        ("photo", "café %22beach%22.png", "image/png", bytearray(PNG)),
        ("extra", "", "application/octet-stream", bytearray()),
    ]
    assert reader.at_eof()


@pytest.mark.parametrize("mode", MODES)
async def test_firefox_upload(mode: str, feeders: list[asyncio.Task[None]]) -> None:
    content = open_body(FIREFOX_BODY, mode, feeders)
    reader = MultipartReader(form_headers(FIREFOX_BOUNDARY), content)
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    assert await part.text() == "line one\r\nline two"
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    assert part.filename == "notes.txt"
    assert await part.readline() == b"hello\n"
    assert await part.readline() == b""
    assert await reader.next() is None


@pytest.mark.parametrize("mode", MODES)
async def test_curl_upload_fixture(
    mode: str, feeders: list[asyncio.Task[None]]
) -> None:
    content = open_body(CURL_BODY, mode, feeders)
    reader = MultipartReader(form_headers(CURL_BOUNDARY), content)
    assert await read_all(reader) == [
        ("person", None, None, bytearray(b"anonymous")),
        ("secret", "file.txt", "text/plain", bytearray(b"contents of the file\n")),
    ]


async def capture_curl_request(args: list[str]) -> tuple[dict[str, str], bytes]:
    """Run curl against a one-shot local server; return its headers and body."""
    done: asyncio.Future[tuple[dict[str, str], bytes]] = (
        asyncio.get_running_loop().create_future()
    )

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        headers: dict[str, str] = {}
        for line in head.decode("latin-1").split("\r\n")[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = await reader.readexactly(int(headers["content-length"]))
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        await writer.drain()
        writer.close()
        if not done.done():
            done.set_result((headers, body))

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        proc = await asyncio.create_subprocess_exec(
            "curl", "-sS", "--noproxy", "*", "--max-time", "10", *args,
            f"http://127.0.0.1:{port}/upload",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await proc.communicate()
        assert proc.returncode == 0, err
        return await asyncio.wait_for(done, 5)
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize("mode", ["whole", "bytewise"])
async def test_live_curl_upload(
    mode: str, tmp_path: Path, feeders: list[asyncio.Task[None]]
) -> None:
    upload = tmp_path / "report.csv"
    content = b"a,b\r\n1,2\r\n" + bytes(range(256))
    upload.write_bytes(content)
    headers, body = await capture_curl_request(
        ["-F", "person=anonymous", "-F", f"secret=@{upload};type=text/csv"]
    )
    assert headers["content-type"].startswith("multipart/form-data; boundary=")
    reader = MultipartReader(
        CIMultiDictProxy(CIMultiDict({"Content-Type": headers["content-type"]})),
        open_body(body, mode, feeders),
    )
    assert await read_all(reader) == [
        ("person", None, None, bytearray(b"anonymous")),
        ("secret", "report.csv", "text/csv", bytearray(content)),
    ]


# The nested example of the multipart documentation, with the inner
# boundary parameter fixed: its delimiter lines are "--" + "--:".
NESTED_BODY = b"""\
--:\r
CONTENT-TYPE: application/json\r
\r
{"_id": "foo"}\r
--:\r
CONTENT-TYPE: multipart/related; boundary=--:\r
\r
----:\r
CONTENT-TYPE: application/json\r
\r
{"_id": "bar"}\r
----:\r
CONTENT-TYPE: text/plain\r
CONTENT-DISPOSITION: attachment; filename=bar.txt\r
\r
bar! bar! bar!\r
----:--\r
--:\r
CONTENT-TYPE: application/json\r
\r
{"_id": "boo"}\r
--:--\r
"""


@pytest.mark.parametrize("mode", MODES)
async def test_nested_documented_example(
    mode: str, feeders: list[asyncio.Task[None]]
) -> None:
    content = open_body(NESTED_BODY, mode, feeders)
    reader = MultipartReader(form_headers(":", "mixed"), content)
    result: list[Any] = []
    while True:
        part = await reader.next()
        if part is None:
            break
        if isinstance(part, MultipartReader):
            while True:
                filepart = await part.next()
                if filepart is None:
                    break
                assert isinstance(filepart, BodyPartReader)
                result[-1].append(await filepart.read())
        else:
            result.append([await part.json()])
    assert result == [
        [{"_id": "foo"}, bytearray(b'{"_id": "bar"}'), bytearray(b"bar! bar! bar!")],
        [{"_id": "boo"}],
    ]


@pytest.mark.parametrize("mode", MODES)
async def test_skipping_parts_and_nested_readers(
    mode: str, feeders: list[asyncio.Task[None]]
) -> None:
    content = open_body(NESTED_BODY, mode, feeders)
    reader = MultipartReader(form_headers(":", "mixed"), content)
    first = await reader.next()
    nested = await reader.next()
    assert isinstance(nested, MultipartReader)
    inner = await nested.next()
    assert isinstance(inner, BodyPartReader)
    assert b'{"_'.startswith(await inner.read_chunk(3))
    # Leaving the nested reader half-read: next() skips the rest of it.
    last = await reader.next()
    assert isinstance(last, BodyPartReader)
    assert await last.json() == {"_id": "boo"}
    assert await reader.next() is None
    assert isinstance(first, BodyPartReader)
    assert first.at_eof()


async def test_release_reads_everything() -> None:
    stream = new_stream()
    stream.feed_data(NESTED_BODY)
    stream.feed_eof()
    reader = MultipartReader(form_headers(":", "mixed"), stream)
    await reader.release()
    assert reader.at_eof()
    assert await reader.next() is None


async def test_subclass_pairs_reader_from_docs() -> None:
    class PairsMultipartReader(MultipartReader):
        multipart_reader_cls = MultipartReader

        async def next(self) -> Any:
            reader = await super().next()
            if self._at_eof:
                return None, None
            if isinstance(reader, self.multipart_reader_cls):
                part = await reader.next()
                assert isinstance(part, BodyPartReader)
                doc = await part.json()
            else:
                assert isinstance(reader, BodyPartReader)
                doc = await reader.json()
            return doc, reader

    stream = new_stream()
    stream.feed_data(NESTED_BODY)
    stream.feed_eof()
    reader = PairsMultipartReader(form_headers(":", "mixed"), stream)
    docs = []
    while True:
        doc, _files = await reader.next()
        if doc is None:
            break
        docs.append(doc)
    assert docs == [{"_id": "foo"}, {"_id": "bar"}, {"_id": "boo"}]


def single_part(headers: bytes, data: bytes, boundary: bytes = b"b") -> bytes:
    return b"--%s\r\n%s\r\n%s\r\n--%s--\r\n" % (boundary, headers, data, boundary)


async def reader_for(
    body: bytes, subtype: str = "mixed", **kwargs: Any
) -> MultipartReader:
    stream = new_stream()
    stream.feed_data(body)
    stream.feed_eof()
    return MultipartReader(form_headers("b", subtype), stream, **kwargs)


async def first_part(body: bytes, subtype: str = "mixed") -> BodyPartReader:
    reader = await reader_for(body, subtype)
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    return part


@pytest.mark.parametrize("mode", MODES)
async def test_transfer_and_content_codings(
    mode: str, feeders: list[asyncio.Task[None]]
) -> None:
    data = b"some data " * 500
    parts = [
        (b"Content-Transfer-Encoding: base64", base64.encodebytes(data)),
        (b"Content-Transfer-Encoding: quoted-printable", b"some=20data=\r\n x"),
        (b"Content-Transfer-Encoding: binary", data),
        (b"Content-Transfer-Encoding: 7bit", data),
        (b"Content-Encoding: gzip", gzip.compress(data)),
        (b"Content-Encoding: deflate", zlib.compress(data)),
        (b"Content-Encoding: identity", data),
        (
            b"Content-Encoding: gzip\r\nContent-Transfer-Encoding: base64",
            base64.b64encode(gzip.compress(data)),
        ),
    ]
    body = b"".join(b"--b\r\n%s\r\n\r\n%s\r\n" % part for part in parts) + b"--b--"
    reader = MultipartReader(form_headers("b", "mixed"), open_body(body, mode, feeders))
    results = []
    async for part in reader:
        assert isinstance(part, BodyPartReader)
        results.append(bytes(await part.read(decode=True)))
    assert results[1] == b"some data x"
    del results[1]
    assert results == [data] * (len(parts) - 1)


async def test_decode_per_chunk_and_whole() -> None:
    data = bytes(range(256)) * 40
    encoded = base64.encodebytes(data)
    part = await first_part(
        single_part(b"Content-Transfer-Encoding: base64\r\n", encoded)
    )
    decoded = bytearray()
    while chunk := await part.read_chunk(333):
        decoded += part.decode(chunk)
    assert decoded == data
    raw = await (
        await first_part(single_part(b"Content-Transfer-Encoding: base64\r\n", encoded))
    ).read()
    part = await first_part(single_part(b"Content-Transfer-Encoding: base64\r\n", b""))
    await part.read()
    assert part.decode(raw) == data
    assert part.decode(raw) == data  # decoding starts afresh at the end


async def test_form_data_ignores_content_encoding_and_length() -> None:
    body = single_part(
        b'Content-Disposition: form-data; name="a"\r\n'
        b"Content-Encoding: gzip\r\nContent-Length: 99\r\n",
        b"not gzip",
    )
    part = await first_part(body, "form-data")
    assert await part.read(decode=True) == b"not gzip"


async def test_unknown_codings_raise_runtime_error() -> None:
    part = await first_part(single_part(b"Content-Encoding: snappy\r\n", b"x"))
    with pytest.raises(RuntimeError, match="unknown content encoding"):
        await part.read(decode=True)
    part = await first_part(single_part(b"Content-Transfer-Encoding: uu\r\n", b"x"))
    with pytest.raises(RuntimeError, match="unknown content transfer encoding"):
        part.decode(b"x")


async def test_text_json_form_helpers() -> None:
    body = (
        b"--b\r\nContent-Type: text/plain; charset=latin-1\r\n\r\ncaf\xe9\r\n"
        b'--b\r\nContent-Type: application/json\r\n\r\n{"k": [1]}\r\n'
        b"--b\r\n\r\n\r\n"
        b"--b\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n"
        b"a=1&b=&a=%C3%A9 \r\n"
        b"--b\r\n\r\n\r\n"
        b"--b\r\n\r\n\xff\r\n"
        b"--b--"
    )
    reader = await reader_for(body)
    parts = [part async for part in reader]
    assert len(parts) == 6
    # The parts were skipped to reach the end: read them again is empty.
    reader = await reader_for(body)
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    assert part.get_charset() == "latin-1"
    assert await part.text() == "café"
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    assert await part.json() == {"k": [1]}
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    assert await part.json() is None
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    assert await part.form() == [("a", "1"), ("b", ""), ("a", "é")]
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    assert await part.form() == []
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    with pytest.raises(ValueError, match="cannot be decoded"):
        await part.form()


async def test_charset_part_sets_default_charset() -> None:
    body = (
        b'--b\r\nContent-Disposition: form-data; name="_charset_"\r\n\r\n'
        b"iso-8859-1\r\n"
        b'--b\r\nContent-Disposition: form-data; name="field"\r\n\r\n'
        b"caf\xe9\r\n--b--"
    )
    reader = await reader_for(body, "form-data")
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    assert part.name == "field"
    assert part.get_charset() == "iso-8859-1"
    assert await part.text() == "café"


async def test_read_chunk_is_bounded_and_streaming() -> None:
    stream = new_stream()
    piece = b"x" * 2**16
    stream.feed_data(b"--b\r\n\r\n")
    for _ in range(64):  # 4 MiB of part data, fed as the network would
        stream.feed_data(piece)
    stream.feed_data(b"\r\n--b--")
    stream.feed_eof()
    reader = MultipartReader(form_headers("b", "mixed"), stream)
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    chunk = await part.read_chunk(1000)
    assert chunk == b"x" * 1000
    # Only what the reader asked for (one network piece) left the stream.
    assert stream._size >= 62 * 2**16
    total = len(chunk)
    while chunk := await part.read_chunk(5000):
        assert len(chunk) <= 5000
        total += len(chunk)
    assert total == 64 * 2**16
    assert part.at_eof()


async def test_at_eof_with_the_last_chunk() -> None:
    part = await first_part(single_part(b"", b"abc"))
    assert await part.read_chunk() == b"abc"
    assert part.at_eof()
    assert await part.read_chunk() == b""
    assert await part.next() is None


async def test_iteration_over_a_part() -> None:
    part = await first_part(single_part(b"", b"a" * 20_000))
    chunks = [chunk async for chunk in part]
    assert b"".join(chunks) == b"a" * 20_000
    assert all(len(chunk) <= part.chunk_size for chunk in chunks)


async def test_readline_then_read() -> None:
    part = await first_part(single_part(b"", b"one\ntwo\r\nthree"))
    assert await part.readline() == b"one\n"
    assert not part.at_eof()
    assert await part.readline() == b"two\r\n"
    assert await part.read() == b"three"
    assert part.at_eof()


async def test_standalone_body_part_reader() -> None:
    stream = new_stream()
    stream.feed_data(b"Hello, world!\r\n--:\r\n")
    stream.feed_eof()
    part = BodyPartReader(b"--:", CIMultiDictProxy(CIMultiDict()), stream)
    assert await part.read() == b"Hello, world!"
    assert part.at_eof()


async def test_names_and_warning_for_a_bad_disposition() -> None:
    part = await first_part(
        single_part(
            b'Content-Disposition: attachment; filename="a.txt"; '
            b"filename*=utf-8''%E2%82%AC.txt; name=field\r\n",
            b"",
        )
    )
    assert part.filename == "€.txt"
    assert part.name == "field"
    part = await first_part(single_part(b"Content-Disposition: ;;;\r\n", b""))
    with pytest.warns(BadContentDispositionHeader):
        assert part.name is None
    assert part.filename is None
    assert "BodyPartReader" in repr(part)


async def test_empty_multipart_and_preamble() -> None:
    reader = await reader_for(b"preamble\r\n--b--\r\n")
    assert await reader.next() is None
    assert reader.at_eof()
    assert "at_eof" in repr(reader)


async def test_body_part_reader_payload_forwards_decoded_data() -> None:
    encoded = base64.b64encode(b"forwarded data")
    part = await first_part(
        single_part(
            b'Content-Disposition: form-data; name="f"; filename="x.bin"\r\n'
            b"Content-Transfer-Encoding: base64\r\n",
            encoded,
        ),
        "form-data",
    )
    payload = get_payload(part)
    assert isinstance(payload, BodyPartReaderPayload)
    assert payload.headers[hdrs.CONTENT_DISPOSITION] == (
        'attachment; name="f"; filename="x.bin"'
    )
    assert await payload.as_bytes() == b"forwarded data"
    with pytest.raises(TypeError):
        payload.decode()

    class Sink:
        def __init__(self) -> None:
            self.data = bytearray()

        async def write(self, chunk: bytes) -> None:
            self.data += chunk

    part = await first_part(
        single_part(b"Content-Transfer-Encoding: base64\r\n", encoded)
    )
    sink = Sink()
    await get_payload(part).write(sink)  # type: ignore[arg-type]
    assert sink.data == b"forwarded data"


class FakeResponse:
    def __init__(self, body: bytes, boundary: str) -> None:
        self.headers = form_headers(boundary, "mixed")
        self.content = new_stream()
        self.content.feed_data(body)
        self.content.feed_eof()
        self.released = False

    async def release(self) -> None:
        self.released = True


async def test_from_response_releases_at_the_end() -> None:
    resp = FakeResponse(NESTED_BODY, ":")
    wrapper = MultipartReader.from_response(resp)
    assert isinstance(wrapper, MultipartResponseWrapper)
    docs = []
    async for part in wrapper:
        if isinstance(part, BodyPartReader):
            docs.append(await part.json())
    assert docs == [{"_id": "foo"}, {"_id": "boo"}]
    assert resp.released
    assert wrapper.at_eof()


async def test_from_response_sync_release() -> None:
    class SyncRelease(FakeResponse):
        def release(self) -> None:  # type: ignore[override]
            self.released = True

    resp = SyncRelease(b"--b--", "b")
    wrapper = MultipartReader.from_response(resp)
    assert await wrapper.next() is None
    assert resp.released
    await wrapper.release()


async def test_onebyte_stream_reads_are_linear() -> None:
    data = (b"\r\n-" * 30 + b"y" * 100) * 300
    body = single_part(b"", data, b"q" * 70)
    content = OneByteStream(body)
    reader = MultipartReader(form_headers("q" * 70, "mixed"), content)
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    assert await part.read() == data
    assert await reader.next() is None
    assert content.reads <= len(body) + 1
