"""Reading a request body: the size cap, text decoding and HTML forms.

``BaseRequest.read``, ``text``, ``json`` and ``post`` are built on these.
Every path counts the body against ``client_max_size`` as it arrives, so an
oversized body is refused with 413 once the limit is passed, without reading
the rest (and at once when Content-Length already says it is too large).
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Final
from urllib.parse import parse_qsl

from multidict import CIMultiDictProxy, MultiDict, MultiDictProxy

from aiohttp_core import hdrs
from aiohttp_core.multipart_reader import BodyPartReader
from aiohttp_core.streams import StreamReader

from .exceptions import HTTPBadRequest, HTTPRequestEntityTooLarge

if TYPE_CHECKING:
    from .request import BaseRequest

__all__ = ("FileField", "FormValue", "decode_text", "read_body", "read_form")

_FORM_METHODS: Final = frozenset(
    {hdrs.METH_POST, hdrs.METH_PUT, hdrs.METH_PATCH, hdrs.METH_TRACE, hdrs.METH_DELETE}
)
_URLENCODED: Final = "application/x-www-form-urlencoded"
_MULTIPART_FORM: Final = "multipart/form-data"
_PART_CHUNK: Final = 2**16


@dataclass
class FileField:
    """An uploaded file of a multipart form, as ``BaseRequest.post`` gives it."""

    name: str
    filename: str
    file: IO[bytes]
    content_type: str
    headers: CIMultiDictProxy[str]


FormValue = str | bytes | FileField


def _too_large(max_size: int, actual_size: int) -> HTTPRequestEntityTooLarge:
    return HTTPRequestEntityTooLarge(max_size=max_size, actual_size=actual_size)


async def read_body(
    payload: StreamReader, content_length: int | None, max_size: int
) -> bytes:
    """Read a whole body; 413 once it passes ``max_size`` (0: no limit)."""
    if max_size and content_length is not None and content_length > max_size:
        raise _too_large(max_size, content_length)
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = await payload.readany()
        if not chunk:
            break
        size += len(chunk)
        if max_size and size > max_size:
            raise _too_large(max_size, size)
        parts.append(chunk)
    return b"".join(parts)


def decode_text(body: bytes, charset: str | None) -> str:
    """Decode a body sent by the client; 400 when it cannot be decoded."""
    encoding = charset or "utf-8"
    try:
        return body.decode(encoding)
    except LookupError:
        raise HTTPBadRequest(text=f"Unknown charset {encoding!r}") from None
    except UnicodeDecodeError as exc:
        raise HTTPBadRequest(text=f"The body is not valid {encoding}: {exc}") from exc


async def read_form(request: BaseRequest) -> MultiDictProxy[FormValue]:
    """Parse an urlencoded or multipart form body (empty for other bodies)."""
    out: MultiDict[FormValue] = MultiDict()
    if request.method not in _FORM_METHODS:
        return MultiDictProxy(out)
    content_type = request.content_type
    if content_type == _MULTIPART_FORM:
        await _read_multipart(request, out)
    elif content_type == _URLENCODED or not request.headers.get(hdrs.CONTENT_TYPE):
        body = await request.read()
        if body:
            charset = request.charset or "utf-8"
            text = decode_text(body, charset)
            out.extend(parse_qsl(text, keep_blank_values=True, encoding=charset))
    return MultiDictProxy(out)


async def _read_multipart(request: BaseRequest, out: MultiDict[FormValue]) -> None:
    reader = await request.multipart()
    max_size = request.client_max_size
    # All the fields together count against client_max_size: many small
    # fields must not add up to more than one large one could.
    budget = _SizeBudget(max_size)
    opened: list[IO[bytes]] = []
    try:
        field = await reader.next()
        while field is not None:
            if not isinstance(field, BodyPartReader):
                raise HTTPBadRequest(text="Nested multipart forms are not supported")
            part = field
            name = part.name or ""
            field_ct = part.headers.get(hdrs.CONTENT_TYPE)
            if part.filename is not None:
                # Closed when the request is over (or below on error).
                tmp = tempfile.TemporaryFile()  # noqa: SIM115
                opened.append(tmp)
                await _copy_part(part, tmp.write, budget)
                tmp.seek(0)
                out.add(
                    name,
                    FileField(
                        name,
                        part.filename,
                        tmp,
                        field_ct or "application/octet-stream",
                        part.headers,
                    ),
                )
            else:
                buf = io.BytesIO()
                await _copy_part(part, buf.write, budget)
                value = buf.getvalue()
                if field_ct is None or field_ct.startswith("text/"):
                    out.add(name, decode_text(value, part.get_charset("utf-8")))
                else:
                    out.add(name, value)
            field = await reader.next()
    except BaseException:
        for file in opened:
            with contextlib.suppress(OSError):
                file.close()
        raise


class _SizeBudget:
    """Counts decoded form bytes against ``client_max_size`` (0: no limit)."""

    __slots__ = ("max_size", "used")

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self.used = 0

    def take(self, size: int) -> None:
        self.used += size
        if self.max_size and self.used > self.max_size:
            raise _too_large(self.max_size, self.used)


async def _copy_part(
    part: BodyPartReader, write: Callable[[bytes], object], budget: _SizeBudget
) -> None:
    while True:
        chunk = await part.read_chunk(_PART_CHUNK)
        if not chunk:
            return
        data = part.decode(chunk)
        budget.take(len(data))
        write(data)
