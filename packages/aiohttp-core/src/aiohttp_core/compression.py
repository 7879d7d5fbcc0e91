"""Content codings: streaming decompression with bounded output, and compressors.

Decompression
-------------
``get_decompressor(encoding)`` returns a ``Decompressor`` for one body.  The
caller feeds body bytes with ``decompress(data, max_length)`` and gets at most
``max_length`` bytes back; input that did not fit is kept inside, so the
caller drains it with ``decompress(b"", max_length)`` while ``needs_input`` is
False, then feeds the next chunk.  At the end of the body ``flush()`` says
whether the stream was complete.

How each backend is bounded (what one step may hold in memory past
``max_length``; the surplus is kept and returned by the next calls):

* zlib (``gzip``, ``deflate``): exact, zlib stops at ``max_length``.
* Brotli / brotlicffi with ``output_buffer_limit`` (Brotli >= 1.2): the
  decoder grows its buffer in blocks, so a step may overshoot by one block
  (about 64 KiB).
* older Brotli without it: input goes in in ``_BROTLI_SLICE``-byte slices;
  Brotli can describe megabytes in a few bytes, so a single slice may still
  expand to a few MiB.  Install Brotli >= 1.2 for a tight bound.
* ``compression.zstd`` / ``backports.zstd``: exact, like zlib.
* zstandard: input goes in in ``_ZSTD_SLICE``-byte slices.  A zstd block
  yields at most 128 KiB and needs at least 4 input bytes (an RLE block), so
  one slice yields at most 16 blocks: 2 MiB.

zstd windows are capped at 8 MiB (RFC 9659 section 3) so that a hostile frame
header cannot make the decoder allocate its 128 MiB default maximum.

Data after the end of the stream: a gzip body may hold several members and a
zstd body several frames (RFC 1952 section 2.2, RFC 8878 section 3.1); they
are all decoded.  Any other bytes after the end of a gzip, zstd or deflate
stream are ignored, as browsers do.  Brotli rejects them (its decoder does not
say where the stream ended), so they raise ``ContentEncodingError``.

Compression
-----------
``ZLibCompressor`` and ``BrotliCompressor`` compress bodies we send; chunks
larger than ``max_sync_chunk_size`` are compressed in an executor so a big
body does not block the event loop.  ``set_zlib_backend`` swaps ``zlib`` for a
compatible module (``zlib_ng.zlib_ng``, ``isal.isal_zlib``).
"""

from __future__ import annotations

import asyncio
import enum
import importlib
import zlib
from collections.abc import Callable
from concurrent.futures import Executor
from types import ModuleType
from typing import Any, Final, Protocol

from .http_exceptions import ContentEncodingError

__all__ = (
    "MAX_SYNC_CHUNK_SIZE",
    "BrotliCompressor",
    "Compressor",
    "Decompressor",
    "ZLibCompressor",
    "get_compressor",
    "get_decompressor",
    "get_zlib_backend",
    "set_zlib_backend",
    "supported_encodings",
)

#: Chunks larger than this are compressed in an executor by default.  Level 6
#: deflate handles 64 KiB in well under a millisecond; below that, the thread
#: hop costs more than it saves.
MAX_SYNC_CHUNK_SIZE: Final = 64 * 1024

_ZSTD_SLICE: Final = 64
_BROTLI_SLICE: Final = 16
_ZSTD_MAX_WINDOW_LOG: Final = 23  # 8 MiB, RFC 9659 section 3
_FLUSH_STEP: Final = 64 * 1024

Buffer = bytes | bytearray | memoryview

_zlib: ModuleType = zlib


def set_zlib_backend(lib: ModuleType) -> None:
    """Use ``lib`` (a module with zlib's interface) for deflate and gzip."""
    for name in ("compressobj", "decompressobj", "error", "MAX_WBITS", "Z_FINISH"):
        if not hasattr(lib, name):
            raise TypeError(f"{lib!r} lacks zlib's {name!r}")
    global _zlib
    _zlib = lib


def get_zlib_backend() -> ModuleType:
    """Return the module currently used for deflate and gzip."""
    return _zlib


_optional_modules: dict[tuple[str, ...], ModuleType | None] = {}


def _import_first(*names: str) -> ModuleType | None:
    """Import the first importable module among ``names`` (cached)."""
    try:
        return _optional_modules[names]
    except KeyError:
        pass
    found: ModuleType | None = None
    for name in names:
        try:
            found = importlib.import_module(name)
        except ImportError:
            continue
        break
    _optional_modules[names] = found
    return found


def _brotli() -> ModuleType | None:
    return _import_first("brotli", "brotlicffi")


def _brotli_error(module: ModuleType) -> type[Exception]:
    # Brotli names it ``error``; brotlicffi has ``error`` or ``Error``.
    error: type[Exception] = getattr(module, "error", None) or module.Error
    return error


def _zstd_std() -> ModuleType | None:
    return _import_first("compression.zstd", "backports.zstd")


def _zstandard() -> ModuleType | None:
    return _import_first("zstandard")


def supported_encodings() -> tuple[str, ...]:
    """Return the content codings we can decode, for ``Accept-Encoding``."""
    found = ["gzip", "deflate"]
    if _brotli() is not None:
        found.append("br")
    if _zstd_std() is not None or _zstandard() is not None:
        found.append("zstd")
    return tuple(found)


# ---------------------------------------------------------------------------
# Decompression


class Decompressor(Protocol):
    """A streaming decoder for one body, with bounded output per call."""

    def decompress(self, data: bytes, max_length: int) -> bytes:
        """Feed ``data`` (may be empty) and return at most ``max_length`` bytes.

        While ``needs_input`` is False afterwards, call again with ``b""``.
        """

    @property
    def needs_input(self) -> bool:
        """True when everything fed so far has been turned into output."""

    @property
    def eof(self) -> bool:
        """True once the end of the compressed stream was reached."""

    def flush(self) -> bytes:
        """End of body: return what is left, raise if the stream is truncated."""


class _Engine(Protocol):
    """Decodes one compressed stream (a gzip member, a zstd frame...)."""

    @property
    def needs_input(self) -> bool: ...

    @property
    def eof(self) -> bool: ...

    @property
    def unused(self) -> bytes: ...

    def step(self, data: bytes, max_length: int) -> bytes:
        """Feed data, return output; may exceed ``max_length`` by a bound."""


class _ZlibEngine:
    """zlib, gzip or raw deflate; ``wbits=None`` detects zlib vs raw deflate."""

    __slots__ = ("_error", "_full", "_head", "_module", "_obj", "_tail")

    def __init__(self, module: ModuleType, wbits: int | None) -> None:
        self._module = module
        self._error: type[Exception] = module.error
        self._obj: Any = None if wbits is None else module.decompressobj(wbits)
        self._head = b""  # first bytes, kept until the header can be told
        self._tail = b""  # zlib's unconsumed_tail
        self._full = False  # last step filled max_length: zlib may hold more

    @property
    def needs_input(self) -> bool:
        if self._obj is None:
            return True
        return not self._tail and (not self._full or self._obj.eof)

    @property
    def eof(self) -> bool:
        return self._obj is not None and bool(self._obj.eof)

    @property
    def unused(self) -> bytes:
        return b"" if self._obj is None else bytes(self._obj.unused_data)

    def _detect(self, data: bytes) -> bytes:
        data = self._head + data
        if len(data) < 2:
            self._head = data
            return b""
        self._head = b""
        cmf, flg = data[0], data[1]
        # RFC 1950: CM is 8, CINFO at most 7, and the 16-bit header is a
        # multiple of 31.  Anything else is a raw RFC 1951 stream, which some
        # servers send as "deflate".
        wrapped = cmf & 0x0F == 8 and cmf >> 4 <= 7 and ((cmf << 8) | flg) % 31 == 0
        mw = self._module.MAX_WBITS
        self._obj = self._module.decompressobj(mw if wrapped else -mw)
        return data

    def step(self, data: bytes, max_length: int) -> bytes:
        if self._obj is None:
            data = self._detect(data)
            if self._obj is None:
                return b""
        if self._tail:
            data = self._tail + data if data else self._tail
        try:
            out: bytes = self._obj.decompress(data, max_length)
        except self._error as exc:
            raise ContentEncodingError(f"Can not decode content: {exc}") from exc
        self._tail = self._obj.unconsumed_tail
        self._full = len(out) >= max_length
        return out


class _BrotliEngine:
    """Brotli with ``output_buffer_limit`` (Brotli >= 1.2, brotlicffi >= 1.2)."""

    __slots__ = ("_dec", "_error", "_full", "_held")

    def __init__(self, module: ModuleType) -> None:
        self._dec: Any = module.Decompressor()
        self._error = _brotli_error(module)
        # Input received while the decoder refuses more: it must then be
        # called with empty input only.
        self._held = b""
        # The decoder keeps the input it took and does not say whether output
        # is pending; like zlib, it stops early only when its output is full.
        self._full = False

    @property
    def needs_input(self) -> bool:
        dec = self._dec
        if self._held or not dec.can_accept_more_data():
            return False
        return not self._full or bool(dec.is_finished())

    @property
    def eof(self) -> bool:
        return bool(self._dec.is_finished())

    @property
    def unused(self) -> bytes:
        return b""

    def step(self, data: bytes, max_length: int) -> bytes:
        dec = self._dec
        try:
            if dec.can_accept_more_data():
                if self._held:
                    data = self._held + data
                    self._held = b""
                out = bytes(dec.process(data, output_buffer_limit=max_length))
            else:
                self._held += data
                out = bytes(dec.process(b"", output_buffer_limit=max_length))
        except self._error as exc:
            raise ContentEncodingError(f"Can not decode content: {exc}") from exc
        self._full = len(out) >= max_length
        return out


class _SlicedEngine:
    """A backend without an output bound, fed small slices of input."""

    __slots__ = ("_error", "_held", "_pos", "_slice")

    def __init__(self, error: type[Exception], slice_size: int) -> None:
        self._error = error
        self._slice = slice_size
        self._held = b""
        self._pos = 0

    def _feed(self, data: bytes) -> bytes:
        raise NotImplementedError

    @property
    def eof(self) -> bool:
        raise NotImplementedError

    @property
    def needs_input(self) -> bool:
        return self.eof or self._pos >= len(self._held)

    def step(self, data: bytes, max_length: int) -> bytes:
        held = self._held[self._pos :] + data if data else self._held
        pos = 0 if data else self._pos
        end = len(held)
        size = self._slice
        parts: list[bytes] = []
        produced = 0
        try:
            while pos < end and produced < max_length:
                out = self._feed(held[pos : pos + size])
                pos += size
                if out:
                    parts.append(out)
                    produced += len(out)
                if self.eof:
                    break
        except self._error as exc:
            raise ContentEncodingError(f"Can not decode content: {exc}") from exc
        self._held = held
        self._pos = min(pos, end)
        return b"".join(parts)


class _ZstandardEngine(_SlicedEngine):
    """One zstd frame through the ``zstandard`` package."""

    __slots__ = ("_obj",)

    def __init__(self, module: ModuleType) -> None:
        super().__init__(module.ZstdError, _ZSTD_SLICE)
        dctx = module.ZstdDecompressor(max_window_size=1 << _ZSTD_MAX_WINDOW_LOG)
        self._obj: Any = dctx.decompressobj()

    def _feed(self, data: bytes) -> bytes:
        return bytes(self._obj.decompress(data))

    @property
    def eof(self) -> bool:
        return bool(self._obj.eof)

    @property
    def unused(self) -> bytes:
        return bytes(self._obj.unused_data) + self._held[self._pos :]


class _BrotliSlicedEngine(_SlicedEngine):
    """Brotli without ``output_buffer_limit`` (Brotli 1.1, old brotlicffi)."""

    __slots__ = ("_dec",)

    def __init__(self, module: ModuleType) -> None:
        super().__init__(_brotli_error(module), _BROTLI_SLICE)
        self._dec: Any = module.Decompressor()

    def _feed(self, data: bytes) -> bytes:
        return bytes(self._dec.process(data))

    @property
    def eof(self) -> bool:
        return bool(self._dec.is_finished())

    @property
    def unused(self) -> bytes:
        return b""


class _BoundedStreamEngine:
    """A decoder with the bz2/lzma interface (``compression.zstd``)."""

    __slots__ = ("_dec", "_error")

    def __init__(self, dec: Any, error: type[Exception]) -> None:
        self._dec = dec
        self._error = error

    @property
    def needs_input(self) -> bool:
        # These decoders report needs_input False at eof; nothing is pending.
        return bool(self._dec.eof or self._dec.needs_input)

    @property
    def eof(self) -> bool:
        return bool(self._dec.eof)

    @property
    def unused(self) -> bytes:
        return bytes(self._dec.unused_data)

    def step(self, data: bytes, max_length: int) -> bytes:
        try:
            return bytes(self._dec.decompress(data, max_length))
        except self._error as exc:
            raise ContentEncodingError(f"Can not decode content: {exc}") from exc


class _Trailing(enum.Enum):
    """What to do with bytes after the end of the stream."""

    IGNORE = "ignore"
    REJECT = "reject"


def _gzip_member_start(data: bytes) -> bool | None:
    """Does ``data`` start a gzip member?  None: too short to tell."""
    magic = b"\x1f\x8b"
    if len(data) < 2:
        return None if magic.startswith(data) else False
    return data.startswith(magic)


def _zstd_frame_start(data: bytes) -> bool | None:
    """Does ``data`` start a zstd frame or skippable frame?  None: too short."""
    frame = b"\x28\xb5\x2f\xfd"
    skippable = b"\x2a\x4d\x18"  # after a first byte in 0x50..0x5F
    if len(data) < 4:
        if frame.startswith(data):
            return None
        if data and 0x50 <= data[0] <= 0x5F and skippable.startswith(data[1:]):
            return None
        return False
    return data.startswith(frame) or (
        0x50 <= data[0] <= 0x5F and data[1:4] == skippable
    )


class _StreamDecompressor:
    """Implements ``Decompressor`` on top of one engine per member/frame."""

    __slots__ = (
        "_after",
        "_encoding",
        "_engine",
        "_fed",
        "_held",
        "_ignoring",
        "_member_start",
        "_new_engine",
        "_out",
        "_trailing",
    )

    def __init__(
        self,
        encoding: str,
        new_engine: Callable[[], _Engine],
        member_start: Callable[[bytes], bool | None] | None,
        trailing: _Trailing,
    ) -> None:
        self._encoding = encoding
        self._new_engine = new_engine
        self._member_start = member_start
        self._trailing = trailing
        self._engine = new_engine()
        self._out = b""  # output produced past the caller's max_length
        self._held = b""  # input waiting for the engine
        self._after = b""  # bytes after a stream, not yet classified
        self._ignoring = False
        self._fed = False

    def __repr__(self) -> str:
        return (
            f"<Decompressor {self._encoding} eof={self.eof} "
            f"needs_input={self.needs_input}>"
        )

    @property
    def needs_input(self) -> bool:
        """True when everything fed so far has been turned into output."""
        return not self._out and not self._held and self._engine.needs_input

    @property
    def eof(self) -> bool:
        """True once the end of the compressed stream was reached."""
        return self._engine.eof

    def decompress(self, data: bytes, max_length: int) -> bytes:
        """Feed ``data`` (may be empty) and return at most ``max_length`` bytes."""
        if max_length <= 0:
            raise ValueError(f"max_length must be positive, got {max_length}")
        if data:
            self._fed = True
        if self._held:
            data = self._held + data
            self._held = b""
        out = self._out
        if len(out) >= max_length:
            self._held = data
            self._out = out[max_length:]
            return out[:max_length]
        produced = self._produce(data, max_length - len(out))
        if out:
            produced = out + produced
        if len(produced) > max_length:
            self._out = produced[max_length:]
            return produced[:max_length]
        self._out = b""
        return produced

    def _produce(self, data: bytes, want: int) -> bytes:
        engine = self._engine
        if engine.eof:
            if self._ignoring:
                return b""
            self._after += data
            self._classify_after()
            return b""
        result = engine.step(data, want)
        if self.eof:  # the step may have reached the end
            self._after = engine.unused
            self._classify_after()
        return result

    def _classify_after(self) -> None:
        after = self._after
        if not after:
            return
        if self._member_start is not None:
            verdict = self._member_start(after)
            if verdict is None:
                return
            if verdict:
                self._engine = self._new_engine()
                self._held = after
                self._after = b""
                return
        if self._trailing is _Trailing.REJECT:
            raise ContentEncodingError(
                f"Unexpected data after the end of the {self._encoding} stream"
            )
        self._ignoring = True
        self._after = b""

    def flush(self) -> bytes:
        """End of body: return what is left, raise if the stream is truncated.

        Drain with ``decompress(b"", n)`` first: what this returns is not bounded.
        """
        parts = []
        while not self.needs_input:
            parts.append(self.decompress(b"", _FLUSH_STEP))
        if self._fed and not self._engine.eof:
            raise ContentEncodingError(
                f"Can not decode content: truncated {self._encoding} stream"
            )
        return b"".join(parts)


def _brotli_engine_factory() -> Callable[[], _Engine]:
    module = _brotli()
    if module is None:
        raise ContentEncodingError("Can not decode content-encoding: br (no brotli)")
    if hasattr(module.Decompressor, "can_accept_more_data"):
        return lambda: _BrotliEngine(module)
    return lambda: _BrotliSlicedEngine(module)


def _zstd_engine_factory() -> Callable[[], _Engine]:
    std = _zstd_std()
    if std is not None:
        options = {std.DecompressionParameter.window_log_max: _ZSTD_MAX_WINDOW_LOG}
        return lambda: _BoundedStreamEngine(
            std.ZstdDecompressor(options=options), std.ZstdError
        )
    module = _zstandard()
    if module is None:
        raise ContentEncodingError("Can not decode content-encoding: zstd (no zstd)")
    return lambda: _ZstandardEngine(module)


def get_decompressor(encoding: str) -> Decompressor:
    """Return a decoder for ``encoding``; raise ContentEncodingError if unknown."""
    name = encoding.strip(" \t").lower() if encoding.isascii() else ""
    if name in ("gzip", "x-gzip"):
        module = _zlib
        return _StreamDecompressor(
            name,
            lambda: _ZlibEngine(module, 16 + module.MAX_WBITS),
            _gzip_member_start,
            _Trailing.IGNORE,
        )
    if name == "deflate":
        module = _zlib
        return _StreamDecompressor(
            name, lambda: _ZlibEngine(module, None), None, _Trailing.IGNORE
        )
    if name == "br":
        return _StreamDecompressor(
            name, _brotli_engine_factory(), None, _Trailing.REJECT
        )
    if name == "zstd":
        return _StreamDecompressor(
            name, _zstd_engine_factory(), _zstd_frame_start, _Trailing.IGNORE
        )
    raise ContentEncodingError(f"Can not decode content-encoding: {encoding!r}")


# ---------------------------------------------------------------------------
# Compression


class Compressor:
    """Base of the body compressors: calls run one at a time, in call order."""

    __slots__ = ("_executor", "_inflight", "_lock", "_max_sync", "encoding")

    def __init__(
        self,
        encoding: str,
        executor: Executor | None,
        max_sync_chunk_size: int | None,
    ) -> None:
        self.encoding = encoding
        self._executor = executor
        self._max_sync = max_sync_chunk_size
        self._lock: asyncio.Lock | None = None
        self._inflight = 0

    def _compress(self, data: Buffer) -> bytes:
        raise NotImplementedError

    def _flush(self, mode: int) -> bytes:
        raise NotImplementedError

    def _fits_sync(self, data: Buffer) -> bool:
        return self._max_sync is None or len(data) <= self._max_sync

    async def compress(self, data: Buffer) -> bytes:
        """Compress a chunk; large chunks run in the executor, order is kept."""
        if not self._inflight and self._fits_sync(data):
            return self._compress(data)
        # A chunk compressed in a thread is in flight: later calls queue up
        # behind it, since the compressor's state makes the order matter.
        if self._lock is None:
            self._lock = asyncio.Lock()
        self._inflight += 1
        try:
            async with self._lock:
                if self._fits_sync(data):
                    return self._compress(data)
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(self._executor, self._compress, data)
        finally:
            self._inflight -= 1

    def _check_idle(self) -> None:
        if self._inflight:
            raise RuntimeError("a compress() call is still running; await it first")

    def compress_sync(self, data: Buffer) -> bytes:
        """Compress a chunk in the calling thread."""
        self._check_idle()
        return self._compress(data)

    def flush(self, mode: int = zlib.Z_FINISH) -> bytes:
        """Return the buffered output; ``Z_FINISH`` ends the stream."""
        self._check_idle()
        return self._flush(mode)


class ZLibCompressor(Compressor):
    """Compresses a body as ``deflate`` (zlib format) or ``gzip``."""

    __slots__ = ("_obj",)

    def __init__(
        self,
        encoding: str = "deflate",
        level: int | None = None,
        wbits: int | None = None,
        strategy: int | None = None,
        executor: Executor | None = None,
        max_sync_chunk_size: int | None = MAX_SYNC_CHUNK_SIZE,
    ) -> None:
        if encoding not in ("deflate", "gzip", "x-gzip"):
            raise ValueError(f"ZLibCompressor cannot produce {encoding!r}")
        super().__init__(encoding, executor, max_sync_chunk_size)
        module = _zlib
        if wbits is None:
            wbits = module.MAX_WBITS
            if encoding != "deflate":
                wbits += 16
        self._obj: Any = module.compressobj(
            level=module.Z_DEFAULT_COMPRESSION if level is None else level,
            wbits=wbits,
            strategy=module.Z_DEFAULT_STRATEGY if strategy is None else strategy,
        )

    def _compress(self, data: Buffer) -> bytes:
        return bytes(self._obj.compress(data))

    def _flush(self, mode: int) -> bytes:
        return bytes(self._obj.flush(mode))


class BrotliCompressor(Compressor):
    """Compresses a body as ``br``; needs Brotli or brotlicffi."""

    __slots__ = ("_obj", "_process")

    def __init__(
        self,
        quality: int | None = None,
        executor: Executor | None = None,
        max_sync_chunk_size: int | None = MAX_SYNC_CHUNK_SIZE,
    ) -> None:
        module = _brotli()
        if module is None:
            raise RuntimeError("br compression needs the Brotli package")
        super().__init__("br", executor, max_sync_chunk_size)
        # Brotli's default quality 11 is meant for static files and is far
        # too slow for compressing responses on the fly; 4 is a usual choice.
        self._obj: Any = module.Compressor(quality=4 if quality is None else quality)
        # brotlicffi names it compress(), Brotli process().
        self._process: Callable[[bytes], bytes] = (
            getattr(self._obj, "process", None) or self._obj.compress
        )

    def _compress(self, data: Buffer) -> bytes:
        return bytes(self._process(data if isinstance(data, bytes) else bytes(data)))

    def _flush(self, mode: int) -> bytes:
        if mode == zlib.Z_FINISH:
            return bytes(self._obj.finish())
        return bytes(self._obj.flush())


def get_compressor(
    encoding: str,
    *,
    level: int | None = None,
    strategy: int | None = None,
    executor: Executor | None = None,
    max_sync_chunk_size: int | None = MAX_SYNC_CHUNK_SIZE,
) -> Compressor:
    """Return a compressor for ``encoding`` (deflate, gzip, br)."""
    if encoding == "br":
        return BrotliCompressor(level, executor, max_sync_chunk_size)
    return ZLibCompressor(
        encoding,
        level=level,
        strategy=strategy,
        executor=executor,
        max_sync_chunk_size=max_sync_chunk_size,
    )
