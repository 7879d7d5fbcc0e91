"""Tests of the streaming part codings (base64, quoted-printable, gzip...)."""

from __future__ import annotations

import base64
import binascii
import gzip
import os
import zlib

import pytest

from aiohttp_core.http_exceptions import ContentEncodingError, DecompressSizeError
from aiohttp_core.multipart_codings import (
    Base64Encoder,
    PartDecoder,
    QuotedPrintableEncoder,
    make_part_decoder,
    normalize_coding,
)
from aiohttp_core.multipart_errors import BadTransferEncoding, MultipartError

DATA = os.urandom(1000) + b"text =\r\n line\r\n" * 50


def feed_all(
    decoder_args: tuple[str | None, str | None], data: bytes, size: int
) -> bytes:
    decoder = make_part_decoder(*decoder_args, max_decompressed_size=None)
    out = b"".join(decoder.feed(data[i : i + size]) for i in range(0, len(data), size))
    return out + decoder.flush()


@pytest.mark.parametrize("size", [1, 3, 57, 100_000])
def test_base64_roundtrip_through_encoder(size: int) -> None:
    encoder = Base64Encoder()
    pieces = [encoder.feed(DATA[i : i + size]) for i in range(0, len(DATA), size)]
    encoded = b"".join(pieces) + encoder.flush()
    assert all(len(line) <= 76 for line in encoded.split(b"\r\n"))
    assert base64.b64decode(encoded) == DATA
    assert feed_all(("base64", None), encoded, size) == DATA


@pytest.mark.parametrize("size", [1, 2, 5, 100_000])
def test_quoted_printable_roundtrip(size: int) -> None:
    text = ("café = naïve\r\n" * 20 + "trailing  ").encode()
    encoder = QuotedPrintableEncoder()
    encoded = b"".join(
        encoder.feed(text[i : i + size]) for i in range(0, len(text), size)
    )
    encoded += encoder.flush()
    assert feed_all(("quoted-printable", None), encoded, size) == text
    soft = b"long=\r\nline =C3=A9=\r\n"
    assert feed_all(("quoted-printable", None), soft, size) == "longline é".encode()


@pytest.mark.parametrize(
    ("encoded", "match"),
    [
        (b"dGVzd", "Truncated"),
        (b"dGVzdA=", "Truncated"),
        (b"dGVz\r\ndA", "Truncated"),
        (b"dGV*", "Invalid base64"),
        (b"dGVzdA==dGVz", "after the end"),
        (b"dGVzdA==\r\ndGVz", "after the end"),
        (b"dG=z", "Invalid base64"),
    ],
)
@pytest.mark.parametrize("size", [1, 100])
def test_bad_base64(encoded: bytes, match: str, size: int) -> None:
    with pytest.raises(BadTransferEncoding, match=match) as info:
        feed_all(("base64", None), encoded, size)
    assert isinstance(info.value, MultipartError)
    assert isinstance(info.value, ValueError)


def test_base64_whitespace_ignored() -> None:
    assert feed_all(("base64", None), b" dGVz \r\n\tdA==\r\n  ", 1) == b"test"


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "x-gzip", "GZip "])
@pytest.mark.parametrize("size", [1, 1000])
def test_content_encodings(encoding: str, size: int) -> None:
    if normalize_coding(encoding) == "deflate":
        compressed = zlib.compress(DATA)
    else:
        compressed = gzip.compress(DATA)
    assert feed_all((None, encoding), compressed, size) == DATA


def test_transfer_then_content_coding() -> None:
    encoded = base64.b64encode(gzip.compress(DATA))
    assert feed_all(("Base64", "gzip"), encoded, 7) == DATA


def test_identity_codings() -> None:
    for transfer in ("binary", "7bit", "8bit", None):
        assert feed_all((transfer, "identity"), b"abc", 1) == b"abc"


def test_unknown_codings() -> None:
    with pytest.raises(RuntimeError, match="unknown content transfer encoding"):
        make_part_decoder("uuencode", None, None)
    with pytest.raises(RuntimeError, match="unknown content encoding"):
        make_part_decoder(None, "compress", None)


def test_truncated_gzip() -> None:
    with pytest.raises(ContentEncodingError):
        feed_all((None, "gzip"), gzip.compress(DATA)[:-20], 100)


def feed_pieces(decoder: PartDecoder, data: bytes, size: int) -> bytes:
    out = b"".join(decoder.feed(data[i : i + size]) for i in range(0, len(data), size))
    return out + decoder.flush()


@pytest.mark.parametrize("size", [1, 100_000])
def test_decompressed_size_cap(size: int) -> None:
    limit = 100_000
    for payload, ok in ((b"\0" * limit, True), (b"\0" * (limit + 1), False)):
        compressed = gzip.compress(payload)
        decoder = make_part_decoder(None, "gzip", limit)
        if ok:
            assert feed_pieces(decoder, compressed, size) == payload
        else:
            with pytest.raises(DecompressSizeError):
                feed_pieces(decoder, compressed, size)


def test_bomb_refused_without_inflating_it() -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)
    decoder = make_part_decoder(None, "gzip", 1000)
    with pytest.raises(DecompressSizeError):
        decoder.feed(bomb)


def test_qp_lenient_on_bad_escapes() -> None:
    assert feed_all(("quoted-printable", None), b"a=ZZb=", 1) == binascii.a2b_qp(
        b"a=ZZb="
    )
