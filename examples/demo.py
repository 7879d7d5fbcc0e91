"""A small HTTP/1.1 server built directly on aiohttp-core's sans-I/O parser and writer.

Run it with ``uv run python examples/demo.py`` and open http://127.0.0.1:8080/.
Routes: ``GET /`` (a page), ``GET /headers`` (your request head as JSON),
``POST /echo`` (your body back; gzip/deflate/br/zstd request bodies are
decoded). Malformed requests get the status the parser's error carries.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from http import HTTPStatus

from aiohttp_core import __version__
from aiohttp_core.base_protocol import BaseProtocol
from aiohttp_core.http_exceptions import HttpProcessingError
from aiohttp_core.http_messages import RawRequestMessage
from aiohttp_core.http_parser import HttpRequestParser
from aiohttp_core.http_receiver import HttpReceiver
from aiohttp_core.http_writer import StreamWriter
from aiohttp_core.streams import StreamReader

Answer = tuple[int, str, bytes]
MAX_ECHO = 1 << 20

PAGE = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>aiohttp demo</title></head>
<body><h1>aiohttp {__version__}</h1>
<p>This page was parsed and written by aiohttp-core's HTTP/1.1 machinery.</p>
<ul><li><a href="/headers">/headers</a>: your request head as JSON</li>
<li><code>POST /echo</code>: your request body, sent back</li></ul>
</body></html>
""".encode()


async def index(message: RawRequestMessage, body: StreamReader) -> Answer:
    """The HTML page."""
    return 200, "text/html; charset=utf-8", PAGE


async def headers(message: RawRequestMessage, body: StreamReader) -> Answer:
    """The request head, as JSON."""
    head = {
        "method": message.method,
        "path": message.path,
        "version": ".".join(map(str, message.version)),
        "headers": [[k, v] for k, v in message.headers.items()],
    }
    return 200, "application/json", json.dumps(head, indent=1).encode()


async def echo(message: RawRequestMessage, body: StreamReader) -> Answer:
    """The request body, decoded, sent back."""
    data = bytearray()
    async for chunk in body.iter_any():
        data += chunk
        if len(data) > MAX_ECHO:
            return 413, "text/plain", b"Request body too large\n"
    ctype = message.headers.get("Content-Type", "application/octet-stream")
    return 200, ctype, bytes(data)


ROUTES: dict[
    tuple[str, str], Callable[[RawRequestMessage, StreamReader], Awaitable[Answer]]
] = {
    ("GET", "/"): index,
    ("GET", "/headers"): headers,
    ("POST", "/echo"): echo,
}


class DemoProtocol(BaseProtocol):
    """One connection: parse requests as they come, answer them in order."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self._receiver = HttpReceiver[RawRequestMessage](
            HttpRequestParser(), self, loop=loop
        )
        self._queue: asyncio.Queue[
            tuple[RawRequestMessage, StreamReader] | Exception | None
        ]
        self._queue = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._task = self._loop.create_task(self._serve())

    def data_received(self, data: bytes) -> None:
        try:
            messages, _upgraded, _tail = self._receiver.feed_data(data)
        except HttpProcessingError as exc:
            self._queue.put_nowait(exc)
            return
        for item in messages:
            self._queue.put_nowait(item)

    def eof_received(self) -> bool:
        with contextlib.suppress(HttpProcessingError):
            self._receiver.feed_eof()
        self._queue.put_nowait(None)
        return True

    def connection_lost(self, exc: BaseException | None) -> None:
        super().connection_lost(exc)
        self._queue.put_nowait(None)

    async def _serve(self) -> None:
        while (item := await self._queue.get()) is not None:
            if isinstance(item, HttpProcessingError):
                await self._answer(
                    item.code, "text/plain", f"{item.message}\n".encode(), True
                )
                break
            if isinstance(item, Exception):
                break
            message, body = item
            handler = ROUTES.get((message.method, message.url.path))
            if message.method == "HEAD":
                handler = ROUTES.get(("GET", message.url.path))
            if handler is None:
                answer: Answer = (404, "text/plain", b"Not Found\n")
            else:
                try:
                    answer = await handler(message, body)
                except HttpProcessingError as exc:
                    answer = (exc.code, "text/plain", f"{exc.message}\n".encode())
            # A body the handler did not read would desynchronise the stream.
            close = message.should_close or not body.is_eof()
            await self._answer(*answer, close, head=message.method == "HEAD")
            if close:
                break
        if self.transport is not None:
            self.transport.close()

    async def _answer(
        self, status: int, ctype: str, body: bytes, close: bool, head: bool = False
    ) -> None:
        writer = StreamWriter(self, self._loop)
        fields = {
            "Content-Type": ctype,
            "Content-Length": str(len(body)),
            "Server": f"aiohttp-core/{__version__} demo",
            "Connection": "close" if close else "keep-alive",
        }
        if head:
            writer.set_no_body()
        try:
            await writer.write_headers(
                f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", fields
            )
            await writer.write_eof(body)
        except ConnectionResetError:
            pass


async def serve(host: str, port: int) -> asyncio.Server:
    """Start listening; the caller owns the returned server."""
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: DemoProtocol(loop), host, port)


async def main() -> None:
    """Parse the command line and serve until interrupted."""
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--host", default="127.0.0.1")
    cli.add_argument("--port", type=int, default=8080)
    args = cli.parse_args()
    server = await serve(args.host, args.port)
    print(f"Serving on http://{args.host}:{args.port}/ (Ctrl+C to stop)", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
