"""Tests of FormData: urlencoded when it can be, multipart when it must."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from multidict import MultiDict, MultiDictProxy

from aiohttp_core import hdrs
from aiohttp_core.formdata import FormData
from aiohttp_core.multipart import MultipartWriter
from aiohttp_core.payload import BytesPayload, StringPayload


async def test_dict_is_urlencoded() -> None:
    form = FormData({"key1": "value1", "key2": "välue 2"})
    assert not form.is_multipart
    payload = form()
    assert isinstance(payload, BytesPayload)
    assert payload.content_type == "application/x-www-form-urlencoded"
    assert await payload.as_bytes() == b"key1=value1&key2=v%C3%A4lue+2"


async def test_charset_and_numbers() -> None:
    form = FormData([("a", "é"), ("n", 1), ("f", 1.5), ("b", True)], charset="latin-1")
    payload = form()
    assert payload.content_type == (
        "application/x-www-form-urlencoded; charset=latin-1"
    )
    assert await payload.as_bytes() == b"a=%E9&n=1&f=1.5&b=True"


async def test_multidicts_and_pairs() -> None:
    data = MultiDict([("a", "1"), ("a", "2")])
    form = FormData([("x", "y"), ("z", "w")])
    form.add_fields(data, MultiDictProxy(MultiDict([("p", "q")])))
    assert await form().as_bytes() == b"x=y&z=w&a=1&a=2&p=q"
    assert await FormData(data)().as_bytes() == b"a=1&a=2"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"content_type": "text/plain"},
        {"filename": "x.txt"},
        {"content_transfer_encoding": "base64"},
    ],
)
def test_optional_arguments_make_it_multipart(kwargs: dict[str, str]) -> None:
    form = FormData()
    form.add_field("a", "b", **kwargs)
    assert form.is_multipart
    assert isinstance(form(), MultipartWriter)


async def test_file_makes_it_multipart(tmp_path: Path) -> None:
    path = tmp_path / "report.xls"
    path.write_bytes(b"xls")
    with path.open("rb") as handle:
        form = FormData({"file": handle})
        assert form.is_multipart
        writer = form()
        body = await writer.as_bytes()
    assert writer.content_type.startswith("multipart/form-data; boundary=")
    assert b'Content-Disposition: form-data; name="file"; filename="report.xls"' in body
    assert b"Content-Type: application/vnd.ms-excel" in body
    assert b"Content-Length" not in body


async def test_documented_explicit_filename_and_content_type(tmp_path: Path) -> None:
    path = tmp_path / "report.xls"
    path.write_bytes(b"xls")
    data = FormData(boundary="fixed")
    with path.open("rb") as handle:
        data.add_field(
            "file",
            handle,
            filename="report.xls",
            content_type="application/vnd.ms-excel",
        )
        assert await data().as_bytes() == (
            b"--fixed\r\n"
            b"Content-Type: application/vnd.ms-excel\r\n"
            b'Content-Disposition: form-data; name="file"; filename="report.xls"\r\n'
            b"\r\n"
            b"xls\r\n"
            b"--fixed--\r\n"
        )


async def test_bytes_use_the_name_as_filename() -> None:
    form = FormData(boundary="b")
    form.add_field("blob", b"\x00")
    form.add_field("encoded", b"abc", content_transfer_encoding="base64")
    body = await form().as_bytes()
    assert b'name="blob"; filename="blob"' in body
    assert b"Content-Transfer-Encoding: base64\r\n" in body
    assert b'Content-Disposition: form-data; name="encoded"\r\n\r\nYWJj' in body


async def test_io_fields_in_add_fields() -> None:
    class Named(io.BytesIO):
        name = "/some/dir/photo.jpg"

    form = FormData(boundary="b")
    form.add_fields(Named(b"jpg"), io.BytesIO(b"anon"))
    body = await form().as_bytes()
    assert b'name="photo.jpg"; filename="photo.jpg"' in body
    assert b"Content-Type: image/jpeg" in body
    assert b'name="unknown"; filename="unknown"' in body


async def test_default_to_multipart_and_quote_fields() -> None:
    form = FormData({'na"me': "v"}, default_to_multipart=True, boundary="b")
    assert form.is_multipart
    assert b'name="na\\"me"' in await form().as_bytes()
    raw = FormData(quote_fields=False, boundary="b")
    raw.add_field("f", b"x", filename="é.txt")
    assert 'filename="é.txt"'.encode() in await raw().as_bytes()
    quoted = FormData(boundary="b")
    quoted.add_field("f", b"x", filename="é.txt")
    assert b'filename="%C3%A9.txt"' in await quoted().as_bytes()


async def test_payload_and_async_iterable_values() -> None:
    async def gen() -> AsyncIterator[bytes]:
        yield b"streamed"

    form = FormData(boundary="b")
    form.add_field("payload", StringPayload("p"), content_type="text/x-p")
    form.add_field("stream", gen(), filename="s.bin")
    assert form.is_multipart
    body = await form().as_bytes()
    assert b"Content-Type: text/x-p\r\n" in body
    assert b'filename="s.bin"\r\n\r\nstreamed\r\n' in body


def test_calling_twice_returns_the_same_writer_and_freezes_the_form() -> None:
    form = FormData()
    form.add_field("f", io.BytesIO(b"x"))
    first = form()
    assert form() is first
    with pytest.raises(RuntimeError, match="processed already"):
        form.add_field("late", "v")
    urlencoded = FormData({"a": "b"})
    assert urlencoded() is not urlencoded()


@pytest.mark.parametrize("value", [None, object(), ["list"], {"a": 1}])
def test_invalid_values(value: object) -> None:
    with pytest.raises(TypeError, match="Field value"):
        FormData().add_field("name", value)


def test_invalid_names_and_options() -> None:
    form = FormData()
    with pytest.raises(TypeError, match="name"):
        form.add_field(1, "v")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="filename"):
        form.add_field("n", b"v", filename=b"f")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="content_type"):
        form.add_field("n", "v", content_type=1)  # type: ignore[arg-type]


def test_invalid_add_fields_records() -> None:
    with pytest.raises(TypeError, match=r"Only io\.IOBase"):
        FormData().add_fields(("a", "b", "c"))
    with pytest.raises(TypeError, match=r"Only io\.IOBase"):
        FormData(["not a pair"])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "a\r\nb"},
        {"name": "nul\x00"},
        {"filename": "evil\r\nX-Injected: 1"},
        {"filename": "evil\n"},
        {"content_type": "text/plain\r\nX: 1"},
        {"content_transfer_encoding": "base64\r\n"},
    ],
)
def test_header_injection_refused(kwargs: dict[str, str]) -> None:
    args = {"name": "field", "value": b"v"} | kwargs
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        FormData().add_field(**args)  # type: ignore[arg-type]


def test_bad_boundary_fails_early() -> None:
    with pytest.raises(ValueError, match="boundary"):
        FormData(boundary="bad\r\nboundary")


async def test_unknown_transfer_encoding() -> None:
    form = FormData()
    form.add_field("f", "v", content_transfer_encoding="rot13")
    with pytest.raises(RuntimeError, match="unknown content transfer encoding"):
        form()


def test_repr() -> None:
    assert repr(FormData({"a": "b"})) == "<FormData urlencoded fields=1>"
    form = FormData({"a": "b"}, default_to_multipart=True)
    assert repr(form) == "<FormData multipart fields=1>"
    assert hdrs.CONTENT_TYPE in form().headers
