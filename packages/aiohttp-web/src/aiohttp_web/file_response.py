"""``FileResponse``: a file sent from disk, with validators, ranges and codings.

``prepare`` does all the work: it opens the file (or a pre-compressed
sibling ``.br``, ``.zst`` or ``.gz`` that the client accepts) in a thread,
answers the conditional request fields (304, 412), the Range field (206,
416, multipart/byteranges for several ranges), and streams the bytes.

The bytes leave by ``loop.sendfile`` (the ``sendfile`` system call where
the transport allows it, asyncio's own bounded copy loop otherwise): the
head goes through the stream writer, which is then told the message has no
body of its own (``set_no_body``) so that it neither frames nor counts the
bytes that bypass it; they are added to its ``output_size`` and ``length``
by hand.  With ``AIOHTTP_NOSENDFILE=1``, with compression, or with a writer
that is not the connection's ``StreamWriter``, the file is read in
``chunk_size`` pieces in a thread and written through the writer instead.
Either way at most one chunk of the file is in memory at a time.

A file that shrinks while it is sent cannot honour the Content-Length
already sent: the connection is closed after the bytes there are, which
tells the client the body is incomplete.
"""

from __future__ import annotations

import asyncio
import errno
import io
import mimetypes
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from multidict import CIMultiDict

from aiohttp_core import hdrs
from aiohttp_core.abc import AbstractStreamWriter
from aiohttp_core.etag import ETag
from aiohttp_core.http_writer import StreamWriter
from aiohttp_core.log import server_logger
from aiohttp_core.typedefs import LooseHeaders, PathLike

from .byte_ranges import (
    ByteRange,
    MultipartByteRanges,
    content_range,
    parse_byte_ranges,
    unsatisfied_range,
)
from .preconditions import Precondition, evaluate_preconditions, if_range_allows
from .stream_response import StreamResponse

if TYPE_CHECKING:
    from .request import BaseRequest

__all__ = ("NOSENDFILE", "FileResponse", "guess_content_type")

#: Set from ``AIOHTTP_NOSENDFILE``: read and write the file instead of sendfile.
NOSENDFILE: bool = bool(os.environ.get("AIOHTTP_NOSENDFILE"))

_OCTET_STREAM: Final = "application/octet-stream"

# Pre-compressed siblings, in our order of preference when the client likes
# several equally (brotli first, as the add_static documentation says).
_SIBLINGS: Final = (("br", ".br"), ("zstd", ".zst"), ("gzip", ".gz"))

# A file that is itself compressed (``app.js.gz`` asked for by name) is sent
# as the archive it is, never with Content-Encoding: a client would unpack
# it and save something else than what it asked for.
_COMPRESSED_FILE_TYPES: Final = {
    "gzip": "application/gzip",
    "br": "application/x-brotli",
    "bzip2": "application/x-bzip2",
    "xz": "application/x-xz",
    "compress": "application/x-compress",
    "zstd": "application/zstd",
}
# Text types get "charset=utf-8": the encoding of nearly every text asset
# served today, and what browsers otherwise guess wrongly for some.
_UTF8_TYPES: Final = frozenset(
    {
        "application/javascript",
        "application/json",
        "application/manifest+json",
        "application/xhtml+xml",
        "application/xml",
        "image/svg+xml",
    }
)

# RFC 9110 section 12.5.3: codings [ weight ], weight = OWS ";" OWS "q=" qvalue
_ACCEPT_MEMBER_RE: Final = re.compile(
    r"[ \t]*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]*"
    r"(?:;[ \t]*[qQ][ \t]*=[ \t]*((?:0(?:\.[0-9]{0,3})?)|(?:1(?:\.0{0,3})?)))?[ \t]*",
    re.ASCII,
)

# Opening a FIFO for reading blocks until a writer comes; O_NONBLOCK makes it
# return at once (and changes nothing for regular files).
_OPEN_FLAGS: Final = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
# What "the file is not there" looks like, beyond FileNotFoundError.
_MISSING_ERRNOS: Final = frozenset(
    {errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.ENAMETOOLONG}
)


def guess_content_type(path: PathLike) -> str:
    """The Content-Type for a file name: from ``mimetypes``, with a charset for text."""
    ctype, encoding = mimetypes.guess_type(os.fspath(path))
    if encoding is not None:
        return _COMPRESSED_FILE_TYPES.get(encoding, _OCTET_STREAM)
    if ctype is None:
        return _OCTET_STREAM
    if ctype.startswith("text/") or ctype in _UTF8_TYPES:
        return f"{ctype}; charset=utf-8"
    return ctype


def _accepted_siblings(accept_encoding: str) -> list[tuple[str, str]]:
    """The (coding, suffix) of the siblings the client takes, best first."""
    if not accept_encoding:
        return []
    weights: dict[str, float] = {}
    for member in accept_encoding.split(","):
        match = _ACCEPT_MEMBER_RE.fullmatch(member)
        if match is None:
            continue
        name = match[1].lower()
        if name == "x-gzip":  # RFC 9110 8.4.1.3: the same as gzip
            name = "gzip"
        weights.setdefault(name, 1.0 if match[2] is None else float(match[2]))
    star = weights.get("*", 0.0)
    ranked = [
        (weights.get(coding, star), order, coding, suffix)
        for order, (coding, suffix) in enumerate(_SIBLINGS)
    ]
    ranked.sort(key=lambda item: (-item[0], item[1]))
    return [(coding, suffix) for weight, _, coding, suffix in ranked if weight > 0]


class _NotRegularFile(OSError):
    """The path names a directory, a device, a FIFO...: not a file to send."""


@dataclass
class _OpenFile:
    """A file opened for sending, with what was learnt while opening it."""

    file: io.FileIO
    stat: os.stat_result
    #: The content coding of a pre-compressed sibling, None for the file itself.
    encoding: str | None
    #: True when a pre-compressed sibling exists (the answer varies).
    has_variants: bool


def _open_regular(path: str) -> tuple[io.FileIO, os.stat_result]:
    fd = os.open(path, _OPEN_FLAGS)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _NotRegularFile(errno.EISDIR, "Not a regular file", path)
        return io.FileIO(fd, "rb", closefd=True), st
    except BaseException:
        os.close(fd)
        raise


def _is_regular(path: str, root: Path | None) -> bool:
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
    except OSError:
        return False
    # A sibling must not lead out of the static root the file was found in.
    return root is None or Path(os.path.realpath(path)).is_relative_to(root)


def _open_file(
    path: str, accepted: list[tuple[str, str]], root: Path | None
) -> _OpenFile:
    """Open ``path`` or the best pre-compressed sibling of it the client takes."""
    present = {
        coding: path + suffix
        for coding, suffix in _SIBLINGS
        if _is_regular(path + suffix, root)
    }
    for coding, _ in accepted:
        sibling = present.get(coding)
        if sibling is None:
            continue
        try:
            file, st = _open_regular(sibling)
        except OSError:
            continue  # gone since, or unreadable: try the next one
        return _OpenFile(file, st, coding, True)
    file, st = _open_regular(path)
    return _OpenFile(file, st, None, bool(present))


def _close_when_opened(opening: asyncio.Future[_OpenFile]) -> None:
    if not opening.cancelled() and opening.exception() is None:
        opening.result().file.close()


def _read_at(file: io.FileIO, offset: int, size: int) -> bytes:
    file.seek(offset)
    return file.read(size) or b""


class FileResponse(StreamResponse):
    """A response sending a file, with ranges and conditional requests."""

    def __init__(
        self,
        path: PathLike,
        chunk_size: int = 256 * 1024,
        status: int = 200,
        reason: str | None = None,
        headers: LooseHeaders | None = None,
    ) -> None:
        super().__init__(status=status, reason=reason, headers=headers)
        if not isinstance(chunk_size, int) or chunk_size <= 0:
            raise ValueError(f"chunk_size must be a positive int, got {chunk_size!r}")
        self._path = Path(path)
        self._chunk_size = chunk_size
        # Set by StaticResource: pre-compressed siblings must stay below it.
        self._root: Path | None = None
        self._pieces: list[bytes | ByteRange] | None = None
        self._pieces_size = 0
        self._direct = False
        self._truncated = False

    async def prepare(self, request: BaseRequest) -> AbstractStreamWriter | None:
        """Answer ``request`` with the file (or 304/412/416/404/403) and send it."""
        if self._eof_sent:
            return None
        if self._payload_writer is not None:
            return self._payload_writer
        loop = asyncio.get_running_loop()
        accepted = _accepted_siblings(request.headers.get(hdrs.ACCEPT_ENCODING, ""))
        opening = loop.run_in_executor(
            None, _open_file, os.fspath(self._path), accepted, self._root
        )
        try:
            # Shielded: a cancelled request must still close what the
            # thread opens once it is done.
            opened = await asyncio.shield(opening)
        except asyncio.CancelledError:
            opening.add_done_callback(_close_when_opened)
            raise
        except (_NotRegularFile, PermissionError):
            return await self._prepare_empty(request, 403)
        except OSError as exc:
            if exc.errno not in _MISSING_ERRNOS:
                raise
            return await self._prepare_empty(request, 404)
        try:
            return await self._prepare_open(request, opened)
        finally:
            opened.file.close()

    async def _prepare_empty(
        self, request: BaseRequest, status: int
    ) -> AbstractStreamWriter | None:
        self.set_status(status)
        if not self._chunked:
            self.content_length = 0
        return await super().prepare(request)

    async def _prepare_open(
        self, request: BaseRequest, opened: _OpenFile
    ) -> AbstractStreamWriter | None:
        st = opened.stat
        size = st.st_size
        etag = ETag(f"{st.st_mtime_ns:x}-{size:x}")
        # Whole seconds, rounded down: never later than the file's change.
        last_modified = st.st_mtime_ns // 1_000_000_000
        headers = self._headers
        self.etag = etag
        self.last_modified = last_modified
        headers[hdrs.ACCEPT_RANGES] = "bytes"
        if opened.has_variants and not _varies_on_encoding(headers):
            headers.add(hdrs.VARY, hdrs.ACCEPT_ENCODING)
        status = self._status
        request_headers = request.headers
        if 200 <= status < 300:
            # 13.2.1: preconditions only apply to what would be a 2xx.
            outcome = evaluate_preconditions(
                request.method, request_headers, etag, last_modified
            )
            if outcome is Precondition.NOT_MODIFIED:
                self.set_status(304)
                return await super().prepare(request)
            if outcome is Precondition.FAILED:
                return await self._prepare_empty(request, 412)
        ranges: tuple[ByteRange, ...] | None = None
        if (
            status == 200
            and request.method in (hdrs.METH_GET, hdrs.METH_HEAD)
            and if_range_allows(request_headers, etag, last_modified)
        ):
            fields = request_headers.getall(hdrs.RANGE, ())
            if len(fields) == 1:
                ranges = parse_byte_ranges(fields[0], size)
        if ranges is not None and len(ranges) > 1 and opened.encoding is not None:
            # Parts of an encoded body would each need their own coding:
            # not worth it, the whole body is a valid answer (14.2).
            ranges = None
        if ranges == ():
            headers[hdrs.CONTENT_RANGE] = unsatisfied_range(size)
            return await self._prepare_empty(request, 416)
        if opened.encoding is not None:
            headers[hdrs.CONTENT_ENCODING] = opened.encoding
        ctype = headers.get(hdrs.CONTENT_TYPE) or guess_content_type(self._path)
        pieces: list[bytes | ByteRange]
        if ranges is None:
            pieces = [ByteRange(0, size)]
            headers[hdrs.CONTENT_TYPE] = ctype
        elif len(ranges) == 1:
            self.set_status(206)
            pieces = [ranges[0]]
            headers[hdrs.CONTENT_RANGE] = content_range(ranges[0], size)
            headers[hdrs.CONTENT_TYPE] = ctype
        else:
            self.set_status(206)
            multipart = MultipartByteRanges(ranges, size, ctype)
            pieces = multipart.pieces
            headers[hdrs.CONTENT_TYPE] = multipart.content_type
        self._pieces = [
            piece
            for piece in pieces
            if not isinstance(piece, ByteRange) or piece.length
        ]
        self._pieces_size = sum(
            piece.length if isinstance(piece, ByteRange) else len(piece)
            for piece in self._pieces
        )
        if not self._chunked:
            self.content_length = self._pieces_size
        writer = await super().prepare(request)
        if writer is None or self._must_be_empty_body:
            return writer
        if self._direct and isinstance(writer, StreamWriter):
            await self._send_direct(writer, opened.file)
        else:
            await self._send_through(writer, opened.file)
        return writer

    async def _prepare_headers(
        self, request: BaseRequest, writer: AbstractStreamWriter
    ) -> None:
        await super()._prepare_headers(request, writer)
        headers = self._headers
        # Only a plain Content-Length framed body may bypass the writer; a
        # hook that enabled compression or chunking gets the writer path.
        self._direct = False
        if (
            self._pieces is not None
            and not self._must_be_empty_body
            and not NOSENDFILE
            and isinstance(writer, StreamWriter)
            and writer.compression is None
            and not self._chunked
            and hdrs.TRANSFER_ENCODING not in headers
            and headers.get(hdrs.CONTENT_LENGTH) == str(self._pieces_size)
        ):
            # The writer sends the head and ignores body writes from now on;
            # the body goes to the transport by sendfile.
            writer.set_no_body()
            self._direct = True

    def _short_file(self, expected: int, got: int) -> None:
        self._truncated = True
        self.force_close()
        server_logger.warning(
            "File %s shrank while being sent: %d bytes short",
            self._path,
            expected - got,
        )

    async def _send_direct(self, writer: StreamWriter, file: io.FileIO) -> None:
        """Send the body straight to the transport, by sendfile where possible."""
        transport = writer.transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("Connection lost before the file was sent")
        writer.send_headers()
        loop = asyncio.get_running_loop()
        use_sendfile = True
        for piece in self._pieces or ():
            if isinstance(piece, bytes):
                transport.write(piece)
                self._count(writer, len(piece))
                continue
            sent = 0
            if use_sendfile:
                try:
                    sent = await loop.sendfile(
                        transport, file, piece.start, piece.length
                    )
                except (NotImplementedError, RuntimeError):
                    # This loop or transport has no sendfile at all: nothing
                    # was sent, copy the bytes ourselves from now on.
                    if transport.is_closing():
                        raise ConnectionResetError(
                            "Connection lost while the file was sent"
                        ) from None
                    use_sendfile = False
            if not use_sendfile:
                sent = await self._copy_to_transport(writer, file, piece)
            else:
                self._count(writer, sent)
            if sent < piece.length:
                self._short_file(piece.length, sent)
                return

    async def _copy_to_transport(
        self, writer: StreamWriter, file: io.FileIO, piece: ByteRange
    ) -> int:
        transport = writer.transport
        loop = asyncio.get_running_loop()
        position, stop = piece
        while position < stop:
            size = min(self._chunk_size, stop - position)
            chunk = await loop.run_in_executor(None, _read_at, file, position, size)
            if not chunk:
                break
            if transport is None or transport.is_closing():
                raise ConnectionResetError("Connection lost while the file was sent")
            transport.write(chunk)
            self._count(writer, len(chunk))
            position += len(chunk)
            await writer.drain()
        return position - piece.start

    @staticmethod
    def _count(writer: StreamWriter, size: int) -> None:
        # Bytes that bypassed the writer still count as sent by it (access
        # log, and the server's check that nothing went out yet).
        writer.output_size += size
        writer.length += size

    async def _send_through(
        self, writer: AbstractStreamWriter, file: io.FileIO
    ) -> None:
        """Read the body in chunks in a thread and write it through the writer."""
        loop = asyncio.get_running_loop()
        for piece in self._pieces or ():
            if isinstance(piece, bytes):
                await writer.write(piece)
                continue
            position, stop = piece
            while position < stop:
                size = min(self._chunk_size, stop - position)
                chunk = await loop.run_in_executor(None, _read_at, file, position, size)
                if not chunk:
                    self._short_file(piece.length, position - piece.start)
                    return
                await writer.write(chunk)
                position += len(chunk)

    async def write_eof(self, data: bytes = b"") -> None:
        """End the response (a no-op but for bookkeeping: ``prepare`` sent it)."""
        if self._truncated and not self._eof_sent:
            # No final chunk nor anything else: the connection closes on an
            # incomplete body, which is how the client learns it is one.
            self._eof_sent = True
            writer = self._payload_writer
            self._body_length = 0 if writer is None else writer.output_size
            return
        await super().write_eof(data)


def _varies_on_encoding(headers: CIMultiDict[str]) -> bool:
    for value in headers.getall(hdrs.VARY, ()):
        for name in value.split(","):
            name = name.strip(" \t")
            if name == "*" or name.lower() == "accept-encoding":
                return True
    return False
