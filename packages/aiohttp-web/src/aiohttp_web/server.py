"""The low-level ``Server``: a protocol factory that runs one handler for every request.

``loop.create_server(Server(handler), ...)`` (or a runner and a site) is a
complete HTTP/1.1 server: each connection gets a ``RequestHandler`` that
parses requests, calls ``handler(request)`` and sends the response it
returns.  ``Application`` builds one of these around its router.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp_core.abc import AbstractStreamWriter
from aiohttp_core.http_messages import RawRequestMessage
from aiohttp_core.streams import StreamReader

from .protocol import RequestHandler
from .request import BaseRequest
from .response import StreamResponse

__all__ = ("RequestFactory", "Server")

#: Builds the request object of one incoming request.
RequestFactory = Callable[
    [
        RawRequestMessage,
        StreamReader,
        RequestHandler,
        AbstractStreamWriter,
        "asyncio.Task[None]",
    ],
    BaseRequest,
]


class Server:
    """Serves HTTP with ``handler``; calling it makes the protocol of a connection."""

    def __init__(
        self,
        handler: Callable[[BaseRequest], Awaitable[StreamResponse]],
        *,
        request_factory: RequestFactory | None = None,
        handler_cancellation: bool = False,
        loop: asyncio.AbstractEventLoop | None = None,
        **kwargs: Any,
    ) -> None:
        # Refuse unknown settings now rather than at the first connection.
        inspect.signature(RequestHandler).bind(self, loop=loop, **kwargs)
        self._loop = loop
        self._connections: dict[RequestHandler, asyncio.Transport] = {}
        self._kwargs = kwargs
        #: Requests received so far.
        self.requests_count = 0
        self.request_handler = handler
        self.request_factory: RequestFactory = request_factory or self._make_request
        #: Whether a handler is cancelled when its client disconnects.
        self.handler_cancellation = handler_cancellation

    @property
    def connections(self) -> list[RequestHandler]:
        """The connections open now."""
        return list(self._connections)

    def connection_made(
        self, handler: RequestHandler, transport: asyncio.Transport
    ) -> None:
        """Register a new connection (called by its ``RequestHandler``)."""
        self._connections[handler] = transport

    def connection_lost(
        self, handler: RequestHandler, exc: BaseException | None = None
    ) -> None:
        """Forget a closed connection (called by its ``RequestHandler``)."""
        self._connections.pop(handler, None)

    def _make_request(
        self,
        message: RawRequestMessage,
        payload: StreamReader,
        protocol: RequestHandler,
        writer: AbstractStreamWriter,
        task: asyncio.Task[None],
    ) -> BaseRequest:
        return BaseRequest(message, payload, protocol, writer, task, protocol._loop)

    async def pre_shutdown(self) -> None:
        """Close idle connections; the busy ones close after their request."""
        for conn in list(self._connections):
            conn.close()

    async def shutdown(self, timeout: float | None = None) -> None:
        """Close every connection, giving running handlers ``timeout`` seconds."""
        connections = list(self._connections)
        if connections:
            await asyncio.gather(*(conn.shutdown(timeout) for conn in connections))
        self._connections.clear()

    def __call__(self) -> RequestHandler:
        """Make the protocol of a new connection."""
        loop = self._loop if self._loop is not None else asyncio.get_running_loop()
        return RequestHandler(self, loop=loop, **self._kwargs)
