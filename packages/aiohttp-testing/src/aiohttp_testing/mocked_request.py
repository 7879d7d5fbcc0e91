"""Requests and coroutines made up for unit tests, without a server."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from typing import Any, cast
from unittest import mock

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from aiohttp_core import hdrs
from aiohttp_core.abc import AbstractStreamWriter
from aiohttp_core.base_protocol import BaseProtocol
from aiohttp_core.helpers import sentinel
from aiohttp_core.http_messages import HttpVersion, HttpVersion11, RawRequestMessage
from aiohttp_core.http_writer import StreamWriter
from aiohttp_core.streams import EMPTY_PAYLOAD, StreamReader
from aiohttp_web.app import Application
from aiohttp_web.request import Request
from aiohttp_web.routes import AbstractRoute, UrlMappingMatchInfo
from aiohttp_web.stream_response import StreamResponse

__all__ = ("MockedTransport", "make_mocked_coro", "make_mocked_request")


class MockedTransport(asyncio.Transport):
    """A transport that keeps what is written; ``data`` holds the bytes."""

    def __init__(self, extra: Mapping[str, Any]) -> None:
        super().__init__(dict(extra))
        self.data = bytearray()
        self._closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Keep the bytes."""
        self.data += data

    def writelines(self, list_of_data: Any) -> None:
        """Keep the bytes."""
        for data in list_of_data:
            self.data += data

    def is_closing(self) -> bool:
        """True once closed."""
        return self._closing

    def close(self) -> None:
        """Mark the transport closed."""
        self._closing = True

    def abort(self) -> None:
        """Mark the transport closed."""
        self._closing = True

    def can_write_eof(self) -> bool:
        """This transport cannot half-close."""
        return False

    def get_write_buffer_size(self) -> int:
        """Nothing is ever pending."""
        return 0


class _MockedProtocol(BaseProtocol):
    """The connection of a made-up request."""


class _DetachedLoop:
    """Stands for the loop of a request made while no loop runs."""

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(
            "make_mocked_request() was called with no running event loop; "
            "call it from a coroutine or pass loop="
        )


class _MockedRoute(AbstractRoute):
    """The route of a made-up request: it has no resource."""

    def get_info(self) -> dict[str, Any]:
        """Nothing to describe."""
        return {}

    def url_for(self, *args: str, **kwargs: str) -> URL:
        """A made-up route cannot build URLs."""
        raise RuntimeError("A mocked request's route has no URL")


async def _no_handler(request: Request) -> StreamResponse:
    raise RuntimeError("A mocked request's route has no handler")


def make_mocked_request(
    method: str,
    path: str,
    headers: Any = None,
    *,
    match_info: Any = sentinel,
    version: HttpVersion = HttpVersion11,
    closing: bool = False,
    app: Application | None = None,
    reader: Any = sentinel,
    writer: Any = sentinel,
    protocol: Any = sentinel,
    transport: Any = sentinel,
    payload: Any = sentinel,
    sslcontext: ssl.SSLContext | None = None,
    client_max_size: int = 1024**2,
    loop: Any = ...,
) -> Request:
    """A ``web.Request`` for ``method path`` that no client sent.

    Responses prepared for it are written to ``request.transport.data`` (a
    ``MockedTransport``) unless ``writer`` or ``transport`` are given.
    ``reader`` is another name for ``payload``, the body stream.
    """
    if reader is not sentinel:
        if payload is not sentinel:
            raise TypeError("pass the body stream as payload or reader, not both")
        payload = reader
    if loop is ... or loop is None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = _DetachedLoop()
    task: Any = (
        asyncio.current_task(loop)
        if isinstance(loop, asyncio.AbstractEventLoop)
        else None
    )
    url = URL(path)
    field_values = CIMultiDict[str](headers or ())
    if version < HttpVersion11:
        keep_alive = field_values.get(hdrs.CONNECTION, "").lower() == "keep-alive"
        closing = closing or not keep_alive
    raw_headers = tuple(
        (name.encode("utf-8"), value.encode("utf-8"))
        for name, value in field_values.items()
    )
    chunked = "chunked" in field_values.get(hdrs.TRANSFER_ENCODING, "").lower()
    message = RawRequestMessage(
        method.upper(),
        path,
        version,
        CIMultiDictProxy(field_values),
        raw_headers,
        closing,
        None,
        False,
        chunked,
        url,
    )
    if transport is sentinel:
        transport = MockedTransport(
            {"sslcontext": sslcontext, "peername": None, "sockname": None}
        )
    if protocol is sentinel:
        protocol = _MockedProtocol(cast(asyncio.AbstractEventLoop, loop))
        protocol.connection_made(transport)
    if writer is sentinel:
        writer = StreamWriter(protocol, cast(asyncio.AbstractEventLoop, loop))
    if payload is sentinel:
        payload = EMPTY_PAYLOAD
    request = Request(
        message,
        cast(StreamReader, payload),
        protocol,
        cast(AbstractStreamWriter, writer),
        task,
        cast(asyncio.AbstractEventLoop, loop),
        client_max_size=client_max_size,
    )
    if app is None:
        app = Application()
    # As on a server, where the app is frozen before it serves: signals can
    # only be sent once frozen.
    app.on_response_prepare.freeze()
    if match_info is sentinel:
        match_info = UrlMappingMatchInfo({}, _MockedRoute("*", _no_handler))
    elif isinstance(match_info, Mapping) and not isinstance(
        match_info, UrlMappingMatchInfo
    ):
        match_info = UrlMappingMatchInfo(
            dict(match_info), _MockedRoute("*", _no_handler)
        )
    match_info.add_app(app)
    request._match_info = match_info
    return request


def make_mocked_coro(
    return_value: Any = sentinel, raise_exception: Any = sentinel
) -> mock.Mock:
    """A ``Mock`` whose calls return a coroutine (that returns or raises)."""

    async def coro(*args: Any, **kwargs: Any) -> Any:
        if raise_exception is not sentinel:
            raise raise_exception
        if return_value is sentinel:
            return None
        return return_value

    return mock.Mock(wraps=coro)
