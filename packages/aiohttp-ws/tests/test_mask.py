"""Masking, both twins: XOR with the repeated key, any length and alignment."""

from __future__ import annotations

from collections.abc import Callable

import pytest

MaskFunc = Callable[[bytes, bytearray], None]


def reference(mask: bytes, data: bytes) -> bytes:
    return bytes(b ^ mask[i % 4] for i, b in enumerate(data))


@pytest.mark.parametrize("size", [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 1000, 65537])
def test_mask_matches_reference(mask_func: MaskFunc, size: int) -> None:
    mask = b"\x01\x80\xfe\x37"
    data = bytes(range(256)) * (size // 256 + 1)
    data = data[:size]
    buf = bytearray(data)
    mask_func(mask, buf)
    assert bytes(buf) == reference(mask, data)
    mask_func(mask, buf)
    assert bytes(buf) == data


def test_mask_keeps_leading_zero_bytes(mask_func: MaskFunc) -> None:
    buf = bytearray(b"\x00\x00abc")
    mask_func(b"\x00\x00\x00\x00", buf)
    assert buf == bytearray(b"\x00\x00abc")


@pytest.mark.parametrize("mask", [b"", b"abc", b"abcde"])
def test_mask_must_have_four_bytes(mask_func: MaskFunc, mask: bytes) -> None:
    with pytest.raises(ValueError, match="4 bytes"):
        mask_func(mask, bytearray(b"data"))


MaskedFunc = Callable[[bytes, bytes | bytearray | memoryview, bytes], bytes]


@pytest.mark.parametrize("size", [0, 1, 3, 7, 8, 9, 125, 126, 65536, 65537])
@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_masked_prefixes_and_masks(
    masked_func: MaskedFunc, size: int, kind: type
) -> None:
    mask = b"\x9a\x00\xff\x42"
    data = (bytes(range(256)) * (size // 256 + 1))[:size]
    out = masked_func(b"\x82\x7e", kind(data), mask)
    assert type(out) is bytes
    assert out == b"\x82\x7e" + reference(mask, data)


def test_masked_reads_a_slice_of_a_view(masked_func: MaskedFunc) -> None:
    view = memoryview(b"0123456789")[3:7]
    assert masked_func(b"", view, b"\x00" * 4) == b"3456"


@pytest.mark.parametrize("mask", [b"", b"abc", b"abcde"])
def test_masked_needs_a_four_byte_mask(masked_func: MaskedFunc, mask: bytes) -> None:
    with pytest.raises(ValueError, match="4 bytes"):
        masked_func(b"", b"data", mask)
