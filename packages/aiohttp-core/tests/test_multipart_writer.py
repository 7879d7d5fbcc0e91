"""Tests of MultipartWriter: framing, headers, codings, sizes, safety."""

from __future__ import annotations

import base64
import binascii
import gzip
import io
import re
import zlib
from typing import Any

import pytest
from multidict import CIMultiDict

from aiohttp_core import hdrs
from aiohttp_core.abc import AbstractStreamWriter
from aiohttp_core.multipart import MultipartPayloadWriter, MultipartWriter
from aiohttp_core.payload import BytesPayload, Payload, StringPayload


class Sink(AbstractStreamWriter):
    """Collects what is written, and how many write calls there were."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.writes = 0

    async def write(self, chunk: bytes | bytearray | memoryview) -> None:
        self.writes += 1
        self.data += chunk

    async def write_eof(self, chunk: bytes = b"") -> None:
        self.data += chunk

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


async def written(writer: MultipartWriter, **kwargs: Any) -> bytes:
    sink = Sink()
    await writer.write(sink, **kwargs)
    return bytes(sink.data)


async def test_exact_bytes_of_a_simple_body() -> None:
    writer = MultipartWriter("mixed", boundary=":")
    assert writer.headers[hdrs.CONTENT_TYPE] == 'multipart/mixed; boundary=":"'
    assert writer.boundary == ":"
    writer.append("hello")
    writer.append(b"\x00bin", {"X-Id": "1"})
    assert await written(writer) == (
        b"--:\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Length: 5\r\n"
        b"\r\n"
        b"hello\r\n"
        b"--:\r\n"
        b"Content-Type: application/octet-stream\r\n"
        b"X-Id: 1\r\n"
        b"Content-Length: 4\r\n"
        b"\r\n"
        b"\x00bin\r\n"
        b"--:--\r\n"
    )


def test_default_boundary_is_random_hex() -> None:
    first, second = MultipartWriter(), MultipartWriter()
    assert re.fullmatch("[0-9a-f]{32}", first.boundary)
    assert first.boundary != second.boundary
    assert first.content_type == f"multipart/mixed; boundary={first.boundary}"


@pytest.mark.parametrize(
    "boundary",
    ["", "x" * 71, "ends with space ", "caf\xe9", "a\r\nX-Injected: 1", "a;b", "a\x00"],
)
def test_bad_boundaries(boundary: str) -> None:
    with pytest.raises(ValueError, match="boundary"):
        MultipartWriter(boundary=boundary)


def test_boundary_type_and_limits() -> None:
    with pytest.raises(TypeError):
        MultipartWriter(boundary=b"bytes")  # type: ignore[arg-type]
    assert MultipartWriter(boundary="x" * 70).boundary == "x" * 70
    spaced = MultipartWriter(boundary="with space")
    assert spaced.content_type.endswith('boundary="with space"')


@pytest.mark.parametrize("subtype", ["", "mixed\r\nX: 1", "mi xed", "a;b"])
def test_bad_subtypes(subtype: str) -> None:
    with pytest.raises(ValueError, match="subtype"):
        MultipartWriter(subtype)


def test_documented_mjpeg_subtype_is_accepted() -> None:
    writer = MultipartWriter("image/jpeg", boundary="some-boundary")
    assert writer.content_type == "multipart/image/jpeg; boundary=some-boundary"


async def test_append_kinds_and_returned_payloads() -> None:
    with MultipartWriter("related", boundary="b") as writer:
        part = writer.append(io.BytesIO(b"GIF89a..."), {"CONTENT-TYPE": "image/gif"})
        part.set_content_disposition("attachment", filename="secret.txt")
        part.headers["Content-ID"] = "X-12345"  # hdrs has no CONTENT_ID yet
        json_part = writer.append_json({"test": "passed"})
        form_part = writer.append_form([("key", "value"), ("k", "v w")])
        dict_form = writer.append_form({"a": "1"}, {"X-A": "b"})
    assert len(writer) == 4
    assert list(writer) == [part, json_part, form_part, dict_form]
    assert part.content_type == "image/gif"
    assert json_part.content_type == "application/json"
    assert await form_part.as_bytes() == b"key=value&k=v+w"
    assert dict_form.headers["X-A"] == "b"
    body = await written(writer)
    assert b'Content-Disposition: attachment; filename="secret.txt"\r\n' in body
    assert b"Content-ID: X-12345\r\n" in body
    assert b'{"test": "passed"}' in body
    assert writer.size == len(body)
    assert bool(MultipartWriter())


async def test_append_existing_payload_merges_headers() -> None:
    writer = MultipartWriter(boundary="b")
    payload = StringPayload("x")
    assert writer.append(payload, {"X-Extra": "1"}) is payload
    assert payload.headers["X-Extra"] == "1"


def test_append_unsupported_object() -> None:
    with pytest.raises(TypeError, match="Cannot create payload"):
        MultipartWriter().append(object())


def test_unknown_codings_are_refused() -> None:
    writer = MultipartWriter()
    with pytest.raises(RuntimeError, match="unknown content encoding"):
        writer.append("x", {"Content-Encoding": "br2"})
    with pytest.raises(RuntimeError, match="unknown content transfer encoding"):
        writer.append("x", {"Content-Transfer-Encoding": "uuencode"})


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Evil": "a\r\nInjected: 1"},
        {"X-Evil": "a\nb"},
        {"X-Evil": "nul\x00"},
        {"Bad Name": "v"},
        {"Bad\r\nName": "v"},
    ],
)
def test_header_injection_refused_at_append(headers: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=r"Newline or NUL|Invalid header field name"):
        MultipartWriter().append(b"data", headers)


async def test_header_injection_refused_at_write() -> None:
    writer = MultipartWriter()
    part = writer.append(b"data")
    part.headers["X-Late"] = "value\r\nInjected: yes"
    with pytest.raises(ValueError, match="Newline or NUL"):
        await written(writer)
    with pytest.raises(ValueError, match="Newline or NUL"):
        assert writer.size


@pytest.mark.parametrize(
    "filename",
    ["a\r\nb.txt", "a\nb", "nul\x00.txt", "\x7f"],
)
def test_filename_injection_refused(filename: str) -> None:
    part = MultipartWriter().append(b"data")
    with pytest.raises(ValueError, match="content disposition"):
        part.set_content_disposition("attachment", filename=filename)


def test_disposition_parameter_name_injection_refused() -> None:
    part = MultipartWriter().append(b"data")
    with pytest.raises(ValueError, match="content disposition"):
        part.set_content_disposition("attachment", **{"a\r\nb": "x"})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="content disposition"):
        part.set_content_disposition("attach ment")


async def test_content_encodings_applied_on_the_fly() -> None:
    data = b"compress me " * 1000
    writer = MultipartWriter(boundary="b")
    writer.append(data, {"Content-Encoding": "gzip"})
    writer.append(data, {"Content-Encoding": "deflate"})
    writer.append(data, {"Content-Encoding": "identity"})
    assert writer.size is None
    body = await written(writer)
    chunks = body.split(b"\r\n--b")
    gz = chunks[0].split(b"\r\n\r\n", 1)[1]
    zl = chunks[1].split(b"\r\n\r\n", 1)[1]
    assert gzip.decompress(gz) == data
    assert zlib.decompress(zl) == data
    assert b"Content-Length: 12000" in chunks[2]


async def test_transfer_encodings_applied_on_the_fly() -> None:
    data = bytes(range(256)) * 10
    writer = MultipartWriter(boundary="b")
    writer.append(data, {"Content-Transfer-Encoding": "base64"})
    writer.append("é = ok\r\n", {"Content-Transfer-Encoding": "quoted-printable"})
    writer.append(b"raw", {"Content-Transfer-Encoding": "binary"})
    body = await written(writer)
    chunks = body.split(b"\r\n--b")
    b64 = chunks[0].split(b"\r\n\r\n", 1)[1]
    assert all(len(line) <= 76 for line in b64.split(b"\r\n"))
    assert base64.b64decode(b64) == data
    qp = chunks[1].split(b"\r\n\r\n", 1)[1]
    assert binascii.a2b_qp(qp) == "é = ok\r\n".encode()
    assert b"Content-Length: 3\r\n\r\nraw" in chunks[2]


async def test_payload_writer_direct_use() -> None:
    sink = Sink()
    writer = MultipartPayloadWriter(sink)
    writer.enable_compression("gzip")
    writer.enable_encoding("base64")
    await writer.write(b"abc" * 100)
    await writer.write_eof(b"end")
    await writer.drain()
    assert gzip.decompress(base64.b64decode(sink.data)) == b"abc" * 100 + b"end"
    with pytest.raises(RuntimeError):
        writer.enable_encoding("rot13")
    with pytest.raises(NotImplementedError):
        writer.enable_chunking()


async def test_close_boundary_false() -> None:
    writer = MultipartWriter("x-mixed-replace", boundary="frame")
    writer.append(b"jpeg", {"Content-Type": "image/jpeg"})
    body = await written(writer, close_boundary=False)
    assert body.endswith(b"jpeg\r\n")
    assert b"--frame--" not in body
    open_writer = MultipartWriter("mixed", boundary="b", close_boundary=False)
    open_writer.append(b"x")
    body = await written(open_writer)
    assert not body.endswith(b"--b--\r\n")
    assert open_writer.size == len(body)


async def test_form_data_parts() -> None:
    writer = MultipartWriter("form-data", boundary="b")
    writer.append("no disposition")
    named = writer.append("x")
    named.set_content_disposition("form-data", name="given")
    body = await written(writer)
    assert b'Content-Disposition: form-data; name="section-0"' in body
    assert b"Content-Length" not in body
    assert writer.size == len(body)


async def test_nested_writers() -> None:
    outer = MultipartWriter("mixed", boundary="outer")
    inner = MultipartWriter("related", boundary="inner")
    inner.append("deep")
    outer.append(inner)
    outer.append("flat")
    body = await written(outer)
    assert b"Content-Type: multipart/related; boundary=inner\r\n" in body
    assert b"--inner\r\n" in body
    assert b"--inner--\r\n" in body
    assert outer.size == len(body)
    assert outer.decode() == body.decode()
    assert await outer.as_bytes() == body


async def test_decode_refuses_encoded_parts() -> None:
    writer = MultipartWriter()
    writer.append(b"x", {"Content-Encoding": "gzip"})
    with pytest.raises(TypeError):
        writer.decode()
    assert (
        gzip.decompress(
            (await writer.as_bytes()).split(b"\r\n\r\n", 1)[1].split(b"\r\n--")[0]
        )
        == b"x"
    )


async def test_small_parts_are_coalesced() -> None:
    writer = MultipartWriter("form-data")
    for i in range(1000):
        part = writer.append(f"value {i}")
        part.set_content_disposition("form-data", name=f"field{i}")
    sink = Sink()
    await writer.write(sink)
    assert sink.writes < 10
    assert writer.size == len(sink.data)


async def test_large_parts_are_streamed_not_copied() -> None:
    big = b"z" * (2**17)
    writer = MultipartWriter(boundary="b")
    writer.append(big)
    sink = Sink()
    await writer.write(sink)
    assert sink.writes == 3  # framing, the value itself, closing delimiter


async def test_hacking_multipart_examples_from_docs() -> None:
    writer = MultipartWriter(boundary="b")
    writer.append("a")
    writer.append(b"b")
    for part in writer:
        part.headers.pop(hdrs.CONTENT_LENGTH, None)

    class Writer:
        def __init__(self) -> None:
            self.buffer = bytearray()

        async def write(self, data: bytes) -> None:
            self.buffer.extend(data)

    collector = Writer()
    await writer.write(collector)  # type: ignore[arg-type]
    assert b"Content-Length" not in collector.buffer
    assert collector.buffer.endswith(b"--b--\r\n")


async def test_close_closes_parts() -> None:
    writer = MultipartWriter()
    buffer = io.BytesIO(b"data")
    part = writer.append(buffer)
    await writer.close()
    assert buffer.closed
    assert part.closed
    assert writer.closed
    await writer.close()


def test_repr_and_payload_kinds() -> None:
    writer = MultipartWriter(boundary="b")
    writer.append(BytesPayload(b"x", headers=CIMultiDict({"X": "1"})))
    assert repr(writer) == "<MultipartWriter 'multipart/mixed; boundary=b' parts=1>"
    assert isinstance(writer, Payload)
