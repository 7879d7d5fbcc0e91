"""Tests for aiohttp_core.compression: bounded decoders and body compressors."""

from __future__ import annotations

import asyncio
import lzma
import os
import struct
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType

import brotli
import pytest
import zstandard

from aiohttp_core import compression
from aiohttp_core.compression import (
    BrotliCompressor,
    Decompressor,
    ZLibCompressor,
    get_compressor,
    get_decompressor,
    get_zlib_backend,
    set_zlib_backend,
    supported_encodings,
)
from aiohttp_core.http_exceptions import ContentEncodingError

MAX = 65536
MIB = 1 << 20

# Text-like data that compresses, plus a random tail that does not.
PAYLOAD = b"".join(b"line %d: the quick brown fox\n" % i for i in range(20000))
PAYLOAD += os.urandom(50000)


def zlib_compress(data: bytes, wbits: int) -> bytes:
    obj = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return obj.compress(data) + obj.flush()


COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": lambda d: zlib_compress(d, 31),
    "x-gzip": lambda d: zlib_compress(d, 31),
    "deflate": lambda d: zlib_compress(d, 15),
    "raw-deflate": lambda d: zlib_compress(d, -15),
    "br": lambda d: brotli.compress(d, quality=5),
    "zstd": lambda d: zstandard.ZstdCompressor().compress(d),
}


def coding_of(name: str) -> str:
    return "deflate" if name == "raw-deflate" else name


def drain(dec: Decompressor, pieces: Iterable[bytes], max_length: int = MAX) -> bytes:
    """Feed pieces the way a body reader does, checking the bound on each call."""
    out = []
    for piece in pieces:
        got = dec.decompress(piece, max_length)
        assert len(got) <= max_length
        out.append(got)
        while not dec.needs_input:
            got = dec.decompress(b"", max_length)
            assert len(got) <= max_length
            out.append(got)
    out.append(dec.flush())
    return b"".join(out)


def split(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


# -- round trips -----------------------------------------------------------------------


@pytest.mark.parametrize("name", COMPRESSORS)
def test_round_trip_whole(name: str) -> None:
    dec = get_decompressor(coding_of(name))
    assert drain(dec, [COMPRESSORS[name](PAYLOAD)]) == PAYLOAD
    assert dec.eof
    assert dec.needs_input


@pytest.mark.parametrize("name", COMPRESSORS)
@pytest.mark.parametrize("piece", [1, 7, 1000])
def test_round_trip_pieces(name: str, piece: int) -> None:
    data = PAYLOAD[:30000]
    compressed = COMPRESSORS[name](data)
    dec = get_decompressor(coding_of(name))
    assert drain(dec, split(compressed, piece), max_length=1000) == data


@pytest.mark.parametrize("name", COMPRESSORS)
def test_round_trip_empty_body(name: str) -> None:
    dec = get_decompressor(coding_of(name))
    assert drain(dec, [COMPRESSORS[name](b"")]) == b""
    assert dec.eof


@pytest.mark.parametrize("name", COMPRESSORS)
def test_small_max_length(name: str) -> None:
    data = PAYLOAD[:5000]
    dec = get_decompressor(coding_of(name))
    assert drain(dec, [COMPRESSORS[name](data)], max_length=1) == data


@pytest.mark.parametrize("name", COMPRESSORS)
def test_feeding_while_output_pending_keeps_order(name: str) -> None:
    # A caller that ignores needs_input still gets every byte, in order.
    compressed = COMPRESSORS[name](PAYLOAD)
    dec = get_decompressor(coding_of(name))
    out = [dec.decompress(piece, 100) for piece in split(compressed, 4096)]
    while not dec.needs_input:
        out.append(dec.decompress(b"", MAX))
    out.append(dec.flush())
    assert b"".join(out) == PAYLOAD


@pytest.mark.parametrize("name", COMPRESSORS)
def test_chaotic_consumer(name: str) -> None:
    # Varying max_length, feeding whether or not output is pending.
    compressed = COMPRESSORS[name](PAYLOAD)
    dec = get_decompressor(coding_of(name))
    sizes = [1, 70000, 100, 5000, 65536, 3]
    out = []
    for i, piece in enumerate(split(compressed, 3000)):
        limit = sizes[i % len(sizes)]
        got = dec.decompress(piece, limit)
        assert len(got) <= limit
        out.append(got)
    while not dec.needs_input:
        out.append(dec.decompress(b"", 7))
    out.append(dec.flush())
    assert b"".join(out) == PAYLOAD


@pytest.mark.parametrize("name", COMPRESSORS)
def test_flush_without_draining_returns_the_rest(name: str) -> None:
    dec = get_decompressor(coding_of(name))
    first = dec.decompress(COMPRESSORS[name](PAYLOAD), 10)
    assert not dec.needs_input
    assert first + dec.flush() == PAYLOAD


def test_nothing_fed_flushes_empty() -> None:
    # A body announced as compressed but empty (e.g. Content-Length: 0).
    for coding in supported_encodings():
        assert get_decompressor(coding).flush() == b""


def test_max_length_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        get_decompressor("gzip").decompress(b"", 0)


def test_repr() -> None:
    assert "gzip" in repr(get_decompressor("gzip"))


# -- encodings -------------------------------------------------------------------------


def test_supported_encodings() -> None:
    assert supported_encodings() == ("gzip", "deflate", "br", "zstd")


@pytest.mark.parametrize("coding", ["GZIP", " gzip ", "Deflate", "BR", "zStd"])
def test_coding_names_are_case_insensitive(coding: str) -> None:
    get_decompressor(coding)


@pytest.mark.parametrize(
    "coding", ["compress", "identity", "", "gzip, deflate", "gz\u0131p", "\u212abr"]
)
def test_unknown_encoding(coding: str) -> None:
    with pytest.raises(ContentEncodingError):
        get_decompressor(coding)


def test_missing_optional_backends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compression, "_optional_modules", {})
    monkeypatch.setattr(compression, "_import_first", lambda *names: None)
    assert supported_encodings() == ("gzip", "deflate")
    for coding in ("br", "zstd"):
        with pytest.raises(ContentEncodingError, match=coding):
            get_decompressor(coding)
    with pytest.raises(RuntimeError, match="Brotli"):
        BrotliCompressor()


def test_import_first_caches() -> None:
    assert compression._import_first("no_such_module_xyz") is None
    assert compression._import_first("zlib") is zlib
    assert compression._optional_modules[("no_such_module_xyz",)] is None


# -- deflate flavours ------------------------------------------------------------------


def test_raw_deflate_detected_byte_by_byte() -> None:
    compressed = zlib_compress(PAYLOAD[:2000], -15)
    assert drain(get_decompressor("deflate"), split(compressed, 1)) == PAYLOAD[:2000]


def test_zlib_wrapped_deflate_with_other_levels() -> None:
    # Every zlib header variant (FLEVEL 0..3) is recognised.
    for level in (0, 1, 6, 9):
        obj = zlib.compressobj(level, zlib.DEFLATED, 15)
        compressed = obj.compress(b"abc" * 100) + obj.flush()
        assert drain(get_decompressor("deflate"), [compressed]) == b"abc" * 100


def test_deflate_one_byte_then_flush_is_truncated() -> None:
    dec = get_decompressor("deflate")
    assert dec.decompress(b"\x78", MAX) == b""
    assert dec.needs_input
    with pytest.raises(ContentEncodingError, match="truncated"):
        dec.flush()


# -- corrupt and truncated -------------------------------------------------------------


@pytest.mark.parametrize("name", COMPRESSORS)
def test_truncated_stream(name: str) -> None:
    compressed = COMPRESSORS[name](PAYLOAD[:3000])
    dec = get_decompressor(coding_of(name))
    with pytest.raises(ContentEncodingError, match="truncated"):
        drain(dec, [compressed[:-3]])


@pytest.mark.parametrize("name", ["gzip", "deflate", "br", "zstd"])
def test_corrupt_stream(name: str) -> None:
    compressed = bytearray(COMPRESSORS[name](PAYLOAD[:3000]))
    for i in range(8, len(compressed), 3):
        compressed[i] ^= 0x55
    with pytest.raises(ContentEncodingError):
        drain(get_decompressor(name), [bytes(compressed)])


@pytest.mark.parametrize("name", ["gzip", "deflate", "br", "zstd"])
def test_garbage_is_not_a_stream(name: str) -> None:
    with pytest.raises(ContentEncodingError):
        drain(get_decompressor(name), [b"this is not compressed at all" * 10])


def test_errors_are_content_encoding_errors_with_cause() -> None:
    with pytest.raises(ContentEncodingError) as info:
        get_decompressor("gzip").decompress(b"\x1f\x8b\x07\x00" + bytes(20), MAX)
    assert isinstance(info.value.__cause__, zlib.error)


# -- data after the end of the stream --------------------------------------------------


@pytest.mark.parametrize(
    ("data", "gzip", "zstd"),
    [
        (b"", None, None),
        (b"\x1f", None, False),
        (b"\x1f\x8b", True, False),
        (b"\x1f\x8c", False, False),
        (b"\x28", False, None),
        (b"\x28\xb5\x2f", False, None),
        (b"\x28\xb5\x2f\xfd", False, True),
        (b"\x28\xb5\x2f\xfe", False, False),
        (b"\x5a\x2a", False, None),
        (b"\x5f\x2a\x4d\x18", False, True),
        (b"\x60\x2a\x4d\x18", False, False),
        (b"\x50\x2b", False, False),
        (b"\n", False, False),
    ],
)
def test_member_start(data: bytes, gzip: bool | None, zstd: bool | None) -> None:
    assert compression._gzip_member_start(data) is gzip
    assert compression._zstd_frame_start(data) is zstd


def test_gzip_members_are_concatenated() -> None:
    gz = COMPRESSORS["gzip"]
    body = gz(b"first ") + gz(b"") + gz(b"second")
    assert drain(get_decompressor("gzip"), [body]) == b"first second"
    assert drain(get_decompressor("gzip"), split(body, 1)) == b"first second"


def test_zstd_frames_are_concatenated() -> None:
    zs = COMPRESSORS["zstd"]
    skippable = struct.pack("<II", 0x184D2A50, 3) + b"xyz"
    body = zs(b"first ") + skippable + zs(b"second")
    assert drain(get_decompressor("zstd"), [body]) == b"first second"
    assert drain(get_decompressor("zstd"), split(body, 1)) == b"first second"


@pytest.mark.parametrize("name", ["gzip", "deflate", "raw-deflate", "zstd"])
@pytest.mark.parametrize("trailer", [b"\n", b"\x1f", b"garbage after the end"])
def test_trailing_garbage_is_ignored(name: str, trailer: bytes) -> None:
    body = COMPRESSORS[name](b"payload")
    dec = get_decompressor(coding_of(name))
    assert drain(dec, [body, trailer, b"more"]) == b"payload"
    assert dec.eof
    dec = get_decompressor(coding_of(name))
    assert drain(dec, [body + trailer]) == b"payload"


def test_gzip_truncated_second_member() -> None:
    gz = COMPRESSORS["gzip"]
    with pytest.raises(ContentEncodingError, match="truncated"):
        drain(get_decompressor("gzip"), [gz(b"one") + gz(b"two")[:-4]])


@pytest.mark.parametrize("split_at_end", [True, False])
def test_brotli_rejects_trailing_data(split_at_end: bool) -> None:
    body = COMPRESSORS["br"](b"payload")
    pieces = [body, b"x"] if split_at_end else [body + b"x"]
    with pytest.raises(ContentEncodingError):
        drain(get_decompressor("br"), pieces)


# -- bombs: bounded output -------------------------------------------------------------


def zeros_bomb(wbits: int, mib: int) -> bytes:
    """A deflate/zlib/gzip stream of ``mib`` MiB of zeros, built cheaply.

    After a full flush the compressor forgets its history, so every further
    MiB of zeros compresses to the same bytes: compress two, repeat the second.
    """
    obj = zlib.compressobj(9, zlib.DEFLATED, wbits)
    zeros = bytes(MIB)
    first = obj.compress(zeros) + obj.flush(zlib.Z_FULL_FLUSH)
    segment = obj.compress(zeros) + obj.flush(zlib.Z_FULL_FLUSH)
    head = first[: len(first) - len(segment)]
    body = head + segment * mib + b"\x03\x00"  # empty final block
    size = mib * MIB
    if wbits > 15:
        crc = 0
        for _ in range(mib):
            crc = zlib.crc32(zeros, crc)
        return body + struct.pack("<II", crc, size & 0xFFFFFFFF)
    if wbits > 0:
        return body + struct.pack(">I", ((size % 65521) << 16) | 1)  # Adler-32
    return body


def test_zeros_bomb_builder_is_valid() -> None:
    for wbits in (31, 15, -15):
        assert zlib.decompress(zeros_bomb(wbits, 4), wbits) == bytes(4 * MIB)


def bounded_run(dec: Decompressor, bomb: bytes, calls: int) -> int:
    """Feed the whole bomb at once; output stays bounded and pending."""
    total = 0
    got = dec.decompress(bomb, MAX)
    for _ in range(calls):
        assert len(got) <= MAX
        assert not dec.needs_input
        assert not dec.eof
        total += len(got)
        got = dec.decompress(b"", MAX)
    return total


@pytest.mark.parametrize(
    ("coding", "wbits"), [("gzip", 31), ("deflate", 15), ("deflate", -15)]
)
def test_gigabyte_zlib_bomb_is_bounded(coding: str, wbits: int) -> None:
    bomb = zeros_bomb(wbits, 1024)
    assert len(bomb) < 2 * MIB
    dec = get_decompressor(coding)
    assert bounded_run(dec, bomb, 200) == 200 * MAX


def test_gzip_bomb_drains_completely_in_bounded_steps() -> None:
    dec = get_decompressor("gzip")
    total = 0
    got = dec.decompress(zeros_bomb(31, 64), MAX)
    while True:
        assert len(got) <= MAX
        total += len(got)
        if dec.needs_input:
            break
        got = dec.decompress(b"", MAX)
    assert dec.eof
    assert dec.flush() == b""
    assert total == 64 * MIB


def test_brotli_bomb_is_bounded() -> None:
    bomb = brotli.compress(bytes(64 * MIB), quality=5)
    assert len(bomb) < 200
    dec = get_decompressor("br")
    assert bounded_run(dec, bomb, 200) == 200 * MAX


def test_zstd_bomb_is_bounded() -> None:
    bomb = zstandard.ZstdCompressor(level=3).compress(bytes(256 * MIB))
    assert len(bomb) < 10000
    dec = get_decompressor("zstd")
    assert bounded_run(dec, bomb, 200) == 200 * MAX
    # The zstandard engine holds at most one slice's output past max_length.
    assert len(dec._out) <= 2 * MIB + MAX  # type: ignore[attr-defined]


def test_zstd_window_is_capped() -> None:
    params = zstandard.ZstdCompressionParameters(window_log=24, enable_ldm=True)
    data = os.urandom(MIB) * 20  # repeats 1 MiB apart: uses a big window
    compressed = zstandard.ZstdCompressor(compression_params=params).compress(data)
    # 16 MiB window > 8 MiB cap.
    big_window = zstandard.get_frame_parameters(compressed).window_size
    assert big_window > 8 * MIB
    with pytest.raises(ContentEncodingError):
        drain(get_decompressor("zstd"), [compressed])


# -- other engines, through fakes that share their interfaces --------------------------


class SlicedBrotli:
    """Brotli without output_buffer_limit, like Brotli 1.1."""

    class Decompressor:
        def __init__(self) -> None:
            self._dec = brotli.Decompressor()

        def process(self, data: bytes) -> bytes:
            return bytes(self._dec.process(data))

        def is_finished(self) -> bool:
            return bool(self._dec.is_finished())

    error = brotli.error


def use_optional(
    monkeypatch: pytest.MonkeyPatch, modules: dict[str, object | None]
) -> None:
    def fake(*names: str) -> object | None:
        for name in names:
            if name in modules:
                return modules[name]
        return None

    monkeypatch.setattr(compression, "_import_first", fake)


def test_brotli_without_output_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    use_optional(monkeypatch, {"brotli": SlicedBrotli})
    data = PAYLOAD[:20000]
    body = brotli.compress(data)
    assert drain(get_decompressor("br"), [body], max_length=100) == data
    assert drain(get_decompressor("br"), split(body, 5)) == data
    with pytest.raises(ContentEncodingError):
        drain(get_decompressor("br"), [body[:10] + b"\xff" * 40])
    with pytest.raises(ContentEncodingError, match="truncated"):
        drain(get_decompressor("br"), [body[:-2]])


class StrictBrotli:
    """Brotli whose decoder refuses input while it still has output to give.

    Brotli >= 1.2 documents this contract; the real decoder happens to take
    input anyway, this one enforces it.
    """

    class Decompressor:
        def __init__(self) -> None:
            self._dec = brotli.Decompressor()
            self._pending = False

        def can_accept_more_data(self) -> bool:
            return not self._pending

        def process(self, data: bytes, output_buffer_limit: int) -> bytes:
            assert not (data and self._pending), "fed while output pending"
            out = bytes(
                self._dec.process(data, output_buffer_limit=output_buffer_limit)
            )
            self._pending = len(out) >= output_buffer_limit
            return out

        def is_finished(self) -> bool:
            return bool(self._dec.is_finished())

    error = brotli.error


def test_brotli_input_is_held_while_decoder_refuses_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_optional(monkeypatch, {"brotli": StrictBrotli})
    compressed = COMPRESSORS["br"](PAYLOAD)
    dec = get_decompressor("br")
    out = [dec.decompress(piece, 1000) for piece in split(compressed, 50)]
    out.append(dec.flush())
    assert b"".join(out) == PAYLOAD


class StdZstd:
    """The bz2-like interface of compression.zstd, backed by lzma for the test."""

    class DecompressionParameter:
        window_log_max = "window_log_max"

    @staticmethod
    def ZstdDecompressor(options: dict[str, int]) -> lzma.LZMADecompressor:
        assert options == {"window_log_max": 23}
        return lzma.LZMADecompressor()

    ZstdError = lzma.LZMAError


def test_std_zstd_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    use_optional(monkeypatch, {"compression.zstd": StdZstd})
    data = PAYLOAD[:50000]
    body = lzma.compress(data, format=lzma.FORMAT_XZ)
    assert drain(get_decompressor("zstd"), [body], max_length=1000) == data
    assert drain(get_decompressor("zstd"), split(body, 3)) == data
    with pytest.raises(ContentEncodingError):
        drain(get_decompressor("zstd"), [b"\x28\xb5\x2f\xfd" + b"\x00" * 20])
    with pytest.raises(ContentEncodingError, match="truncated"):
        drain(get_decompressor("zstd"), [body[:-5]])


# -- compressors -----------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "wbits"), [("deflate", 15), ("gzip", 31)])
async def test_zlib_compressor_round_trip(encoding: str, wbits: int) -> None:
    comp = ZLibCompressor(encoding)
    out = [await comp.compress(piece) for piece in split(PAYLOAD, 10000)]
    out.append(comp.flush())
    assert zlib.decompress(b"".join(out), wbits) == PAYLOAD
    assert comp.encoding == encoding


async def test_zlib_compressor_options() -> None:
    comp = ZLibCompressor("deflate", level=1, wbits=-15, strategy=zlib.Z_RLE)
    body = comp.compress_sync(PAYLOAD) + comp.flush()
    assert zlib.decompress(body, -15) == PAYLOAD


def test_zlib_compressor_rejects_other_encodings() -> None:
    with pytest.raises(ValueError, match="br"):
        ZLibCompressor("br")


async def test_compressor_sync_flush_modes() -> None:
    comp = ZLibCompressor("deflate")
    first = await comp.compress(b"hello") + comp.flush(zlib.Z_SYNC_FLUSH)
    dec = zlib.decompressobj()
    assert dec.decompress(first) == b"hello"
    rest = await comp.compress(b" world") + comp.flush()
    assert dec.decompress(rest) == b" world"
    assert dec.eof


async def test_executor_keeps_chunk_order() -> None:
    # Large chunks go to the executor; small ones must still come out after
    # the large ones that were submitted before them.
    chunks = [
        os.urandom(300) * 500 if i % 3 == 0 else b"small %d " % i for i in range(30)
    ]
    with ThreadPoolExecutor(2) as pool:
        comp = ZLibCompressor("gzip", executor=pool, max_sync_chunk_size=1024)
        results = await asyncio.gather(*(comp.compress(c) for c in chunks))
        task = asyncio.ensure_future(comp.compress(chunks[0]))
        await asyncio.sleep(0)
        with pytest.raises(RuntimeError, match="still running"):
            comp.flush()
        results.append(await task)
        results.append(comp.flush())
    assert zlib.decompress(b"".join(results), 31) == b"".join(chunks) + chunks[0]


async def test_compress_sync_refused_while_running() -> None:
    comp = ZLibCompressor(max_sync_chunk_size=10)
    task = asyncio.ensure_future(comp.compress(b"x" * 100))
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError):
        comp.compress_sync(b"y")
    await task


async def test_no_executor_when_max_sync_is_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop = asyncio.get_running_loop()

    def refuse(*args: object) -> None:
        raise AssertionError("executor used")

    monkeypatch.setattr(loop, "run_in_executor", refuse)
    comp = ZLibCompressor(max_sync_chunk_size=None)
    body = await comp.compress(bytes(5 * MIB)) + comp.flush()
    assert zlib.decompress(body) == bytes(5 * MIB)


async def test_brotli_compressor() -> None:
    comp = BrotliCompressor(max_sync_chunk_size=1000)
    out = [await comp.compress(piece) for piece in split(PAYLOAD, 7000)]
    out.append(comp.flush(zlib.Z_SYNC_FLUSH))
    out.append(comp.flush())
    assert brotli.decompress(b"".join(out)) == PAYLOAD
    comp = BrotliCompressor(quality=1)
    assert (
        brotli.decompress(comp.compress_sync(memoryview(b"abc")) + comp.flush())
        == b"abc"
    )


def test_get_compressor() -> None:
    assert isinstance(get_compressor("br"), BrotliCompressor)
    comp = get_compressor("gzip", level=1, strategy=zlib.Z_FILTERED)
    assert isinstance(comp, ZLibCompressor)
    assert comp.encoding == "gzip"
    with pytest.raises(ValueError, match="zstd"):
        get_compressor("zstd")


# -- zlib backend ----------------------------------------------------------------------


class CountingZlib(ModuleType):
    """A zlib-compatible module that records what it was used for."""

    def __init__(self) -> None:
        super().__init__("counting_zlib")
        self.__dict__.update(
            {k: getattr(zlib, k) for k in dir(zlib) if not k.startswith("__")}
        )
        self.used: list[str] = []
        self.compressobj = self._compressobj
        self.decompressobj = self._decompressobj

    def _compressobj(self, *args: object, **kwargs: object) -> object:
        self.used.append("compress")
        return zlib.compressobj(*args, **kwargs)  # type: ignore[arg-type]

    def _decompressobj(self, *args: object, **kwargs: object) -> object:
        self.used.append("decompress")
        return zlib.decompressobj(*args, **kwargs)  # type: ignore[arg-type]


def test_set_zlib_backend() -> None:
    backend = CountingZlib()
    set_zlib_backend(backend)
    try:
        assert get_zlib_backend() is backend
        comp = ZLibCompressor("gzip")
        body = comp.compress_sync(b"data") + comp.flush()
        assert drain(get_decompressor("gzip"), [body]) == b"data"
        assert drain(get_decompressor("deflate"), [zlib.compress(b"x")]) == b"x"
        assert backend.used == ["compress", "decompress", "decompress"]
    finally:
        set_zlib_backend(zlib)
    assert get_zlib_backend() is zlib


def test_set_zlib_backend_checks_interface() -> None:
    with pytest.raises(TypeError, match="lacks"):
        set_zlib_backend(ModuleType("empty"))
