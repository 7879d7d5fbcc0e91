"""``Response`` (the whole body at once) and ``json_response``.

``StreamResponse``, the base with the head and framing logic, lives in
``stream_response``; this module is where users import all three from.
"""

from __future__ import annotations

import json
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

from aiohttp_core import hdrs
from aiohttp_core.abc import AbstractStreamWriter
from aiohttp_core.compression import get_compressor
from aiohttp_core.helpers import sentinel
from aiohttp_core.payload import PAYLOAD_REGISTRY, Payload, StringPayload
from aiohttp_core.typedefs import LooseHeaders

from .content_coding import ContentCoding
from .stream_response import _OCTET_STREAM, SERVER_SOFTWARE, StreamResponse

if TYPE_CHECKING:
    from .request import BaseRequest

__all__ = (
    "SERVER_SOFTWARE",
    "ContentCoding",
    "Response",
    "StreamResponse",
    "json_response",
)


# The Content-Type header and encoding of a text response, by the
# content_type and charset arguments: apps use a handful of pairs, and
# working one out (format, parse, format again) costs more than a lookup.
_TEXT_CONTENT_TYPES: dict[tuple[str, str], tuple[str, str]] = {}


def _text_content_type(ctype: str, charset: str) -> tuple[str, str]:
    key = (ctype, charset)
    found = _TEXT_CONTENT_TYPES.get(key)
    if found is None:
        # The same steps as the constructor followed by the text setter.
        probe = StreamResponse()
        probe._set_content_type(ctype, {"charset": charset})
        ctype, params = probe._content_type_parts()
        if ctype == _OCTET_STREAM:
            ctype = "text/plain"
        params.setdefault("charset", "utf-8")
        probe._set_content_type(ctype, params)
        found = (probe._headers[hdrs.CONTENT_TYPE], params["charset"])
        if len(_TEXT_CONTENT_TYPES) >= 64:
            _TEXT_CONTENT_TYPES.clear()
        _TEXT_CONTENT_TYPES[key] = found
    return found


class Response(StreamResponse):
    """A response whose whole body is known up front (bytes or text)."""

    def __init__(
        self,
        *,
        body: Any = None,
        status: int = 200,
        reason: str | None = None,
        text: str | None = None,
        headers: LooseHeaders | None = None,
        content_type: str | None = None,
        charset: str | None = None,
        zlib_executor_size: int | None = None,
        zlib_executor: Executor | None = None,
    ) -> None:
        if body is not None and text is not None:
            raise ValueError("body and text are not allowed together")
        super().__init__(status=status, reason=reason, headers=headers)
        if content_type is not None and "charset" in content_type:
            raise ValueError("charset must not be in content_type argument")
        has_ctype = hdrs.CONTENT_TYPE in self._headers
        if has_ctype and (content_type is not None or charset is not None):
            raise ValueError(
                "passing both Content-Type header and "
                "content_type or charset params is forbidden"
            )
        self._body: bytes | Payload | None = None
        self._compressed_body: bytes | None = None
        self._zlib_executor_size = zlib_executor_size
        self._zlib_executor = zlib_executor
        if text is not None:
            if not isinstance(text, str):
                raise TypeError(f"text argument must be str ({type(text)!r})")
            if not has_ctype:
                value, encoding = _text_content_type(
                    content_type or "text/plain", charset or "utf-8"
                )
                self._headers[hdrs.CONTENT_TYPE] = value
                self._body = text.encode(encoding)
                return
            self.text = text
        else:
            if not has_ctype and (content_type is not None or charset is not None):
                params = {} if charset is None else {"charset": charset}
                self._set_content_type(content_type or _OCTET_STREAM, params)
            self.body = body

    @property
    def body(self) -> bytes | Payload | None:
        """The body: bytes, a ``Payload`` (str becomes a ``StringPayload``), None."""
        return self._body

    @body.setter
    def body(self, body: Any) -> None:
        self._compressed_body = None
        if body is None:
            self._body = None
            return
        if isinstance(body, bytes):
            self._body = body
            return
        if isinstance(body, (bytearray, memoryview)):
            self._body = bytes(body)
            return
        headers = self._headers
        payload: Payload
        try:
            if isinstance(body, str):
                # Encoded with the charset of the Content-Type set so far.
                payload = StringPayload(
                    body, content_type=headers.get(hdrs.CONTENT_TYPE)
                )
            else:
                payload = PAYLOAD_REGISTRY.get(body)
        except LookupError:
            raise TypeError(f"Unsupported body type {type(body)!r}") from None
        self._body = payload
        if hdrs.CONTENT_TYPE not in headers:
            headers[hdrs.CONTENT_TYPE] = payload.content_type
        for name, value in payload.headers.items():
            if name not in headers:
                headers[name] = value

    @property
    def text(self) -> str | None:
        """The body decoded with its charset (UTF-8 by default)."""
        body = self._body
        if body is None:
            return None
        encoding = self.charset or "utf-8"
        if isinstance(body, Payload):
            return body.decode(encoding)
        return body.decode(encoding)

    @text.setter
    def text(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"text argument must be str ({type(text)!r})")
        ctype, params = self._content_type_parts()
        if hdrs.CONTENT_TYPE not in self._headers or ctype == _OCTET_STREAM:
            ctype = "text/plain"
        params.setdefault("charset", "utf-8")
        self._set_content_type(ctype, params)
        self._body = text.encode(params["charset"])
        self._compressed_body = None

    def _body_size(self) -> int | None:
        body = self._body
        if body is None:
            return 0
        # Payload is an ABC: its isinstance() is slow, bytes are the rule.
        if body.__class__ is not bytes and isinstance(body, Payload):
            return body.size
        return len(body)

    @property
    def content_length(self) -> int | None:
        """The length of the body as it will be sent (None if unknown)."""
        if self._chunked:
            return None
        if hdrs.CONTENT_LENGTH in self._headers:
            return super().content_length
        if self._compressed_body is not None:
            return len(self._compressed_body)
        return self._body_size()

    @content_length.setter
    def content_length(self, value: int | None) -> None:
        raise RuntimeError("Content length is set automatically")

    def _set_length_field(self) -> None:
        size = self._body_size()
        if (
            size is not None
            and not self._chunked
            and hdrs.CONTENT_LENGTH not in self._headers
            and hdrs.TRANSFER_ENCODING not in self._headers
            and not (self._must_be_empty_body and self._body is None)
        ):
            self._headers[hdrs.CONTENT_LENGTH] = str(size)

    async def _prepare_headers(
        self, request: BaseRequest, writer: AbstractStreamWriter
    ) -> None:
        self._set_length_field()
        await super()._prepare_headers(request, writer)

    def _complete_headers_now(
        self, request: BaseRequest, writer: AbstractStreamWriter
    ) -> None:
        self._set_length_field()
        self._complete_headers(request, writer)

    async def _start_compression(
        self, request: BaseRequest, writer: AbstractStreamWriter
    ) -> None:
        body = self._body
        if self._chunked or isinstance(body, Payload):
            # Compressed as it is written.
            self._headers.pop(hdrs.CONTENT_LENGTH, None)
            await super()._start_compression(request, writer)
            return
        if not body:
            return
        coding = self._negotiate_coding(request)
        if coding is None:
            return
        # The whole body is at hand: compress it now and send its length.
        compressor = get_compressor(
            coding.value,
            strategy=self._compression_strategy,
            executor=self._zlib_executor,
            max_sync_chunk_size=self._zlib_executor_size,
        )
        data = await compressor.compress(body) + compressor.flush()
        self._compressed_body = data
        self._headers[hdrs.CONTENT_ENCODING] = coding.value
        self._headers[hdrs.CONTENT_LENGTH] = str(len(data))

    async def write_eof(self, data: bytes = b"") -> None:
        """Send the body and end the response."""
        if self._eof_sent:
            return
        body = self._body
        if body.__class__ is not bytes and isinstance(body, Payload):
            writer = self._payload_writer
            if writer is not None and not self._must_be_empty_body:
                await body.write(writer)
            await super().write_eof(data)
            return
        if self._compressed_body is not None:
            body = self._compressed_body
        elif body is None:
            body = b""
        if data:
            await super().write_eof(body + data)
        else:
            await self._end_with(body)


def json_response(
    data: Any = sentinel,
    *,
    text: str | None = None,
    body: bytes | None = None,
    status: int = 200,
    reason: str | None = None,
    headers: LooseHeaders | None = None,
    content_type: str = "application/json",
    dumps: Any = json.dumps,
) -> Response:
    """Return a ``Response`` with ``data`` serialized by ``dumps``."""
    if data is not sentinel:
        if text or body:
            raise ValueError("only one of data, text, or body should be specified")
        text = dumps(data)
    return Response(
        text=text,
        body=body,
        status=status,
        reason=reason,
        headers=headers,
        content_type=content_type,
    )
