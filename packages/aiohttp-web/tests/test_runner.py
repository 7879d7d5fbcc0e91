"""Tests of runners and sites, and of the graceful shutdown, over real sockets."""

from __future__ import annotations

import asyncio
import signal
import socket
import ssl
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme

from aiohttp_web.abc import AbstractAccessLogger
from aiohttp_web.app import Application
from aiohttp_web.request import BaseRequest, Request
from aiohttp_web.response import Response, StreamResponse
from aiohttp_web.runner import (
    AppRunner,
    BaseRunner,
    GracefulExit,
    NamedPipeSite,
    ServerRunner,
    SockSite,
    TCPSite,
    UnixSite,
    on_going_away,
)
from aiohttp_web.server import Server


async def hello(request: BaseRequest) -> Response:
    return Response(text="OK")


def hello_app() -> Application:
    app = Application()
    app.router.add_get("/", hello)
    return app


async def get_text(url: str, **client_args: Any) -> str:
    async with httpx.AsyncClient(**client_args) as client:
        resp = await client.get(url)
        resp.raise_for_status()
        return resp.text


async def test_docs_low_level_server() -> None:
    server = Server(hello)
    runner = ServerRunner(server)
    await runner.setup()
    assert runner.server is server
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        assert await get_text(site.name + "/any/path") == "OK"
        assert server.requests_count >= 1
    finally:
        await runner.cleanup()
    assert runner.server is None


async def test_app_runner_attributes() -> None:
    app = hello_app()
    runner = AppRunner(app)
    assert runner.app is app
    assert runner.server is None
    assert runner.sites == set()
    assert runner.addresses == []
    assert runner.shutdown_timeout == 60.0
    await runner.setup()
    try:
        with pytest.raises(RuntimeError, match="set up already"):
            await runner.setup()
        site = TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        assert host == "127.0.0.1"
        assert site.name == f"http://127.0.0.1:{port}"
        assert runner.sites == {site}
        assert "started" in repr(site)
        assert await get_text(site.name + "/") == "OK"
        with pytest.raises(RuntimeError, match="already registered"):
            await site.start()
        await site.stop()
        assert runner.sites == set()
        with pytest.raises(RuntimeError, match="not registered"):
            await site.stop()
    finally:
        await runner.cleanup()


async def test_ipv6_site_name() -> None:
    runner = AppRunner(hello_app())
    await runner.setup()
    try:
        site = TCPSite(runner, "::1", 0)
        await site.start()
        port = runner.addresses[0][1]
        assert site.name == f"http://[::1]:{port}"
        assert await get_text(site.name + "/") == "OK"
    finally:
        await runner.cleanup()


async def test_several_sites_share_one_runner() -> None:
    runner = AppRunner(hello_app())
    await runner.setup()
    try:
        sites = [TCPSite(runner, "127.0.0.1", 0) for _ in range(2)]
        for site in sites:
            await site.start()
        assert len(runner.addresses) == 2
        for site in sites:
            assert await get_text(site.name + "/") == "OK"
    finally:
        await runner.cleanup()
    assert runner.sites == set()


async def test_default_names() -> None:
    runner = AppRunner(hello_app())
    await runner.setup()
    try:
        assert TCPSite(runner).name == "http://0.0.0.0:8080"
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        assert TCPSite(runner, ssl_context=context).name == "https://0.0.0.0:8443"
        assert TCPSite(runner, "localhost", 1234).name == "http://localhost:1234"
    finally:
        await runner.cleanup()


async def test_site_needs_setup() -> None:
    runner = AppRunner(hello_app())
    with pytest.raises(RuntimeError, match="setup"):
        TCPSite(runner)


def test_app_runner_argument_checks() -> None:
    with pytest.raises(TypeError, match=r"web\.Application"):
        AppRunner(object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="AbstractAccessLogger"):
        AppRunner(Application(), access_log_class=object)  # type: ignore[arg-type]


async def test_unix_site(tmp_path: Path) -> None:
    path = tmp_path / "socket"
    runner = AppRunner(hello_app())
    await runner.setup()
    try:
        site = UnixSite(runner, path)
        await site.start()
        assert site.name == f"http://unix:{path}:"
        transport = httpx.AsyncHTTPTransport(uds=str(path))
        assert await get_text("http://localhost/", transport=transport) == "OK"
    finally:
        await runner.cleanup()


async def test_sock_site() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    runner = AppRunner(hello_app())
    await runner.setup()
    try:
        site = SockSite(runner, sock)
        assert site.name == f"http://127.0.0.1:{port}"
        await site.start()
        assert await get_text(site.name + "/") == "OK"
    finally:
        await runner.cleanup()
        sock.close()


async def test_sock_site_unix(tmp_path: Path) -> None:
    path = str(tmp_path / "sock")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(path)
    runner = AppRunner(hello_app())
    await runner.setup()
    try:
        site = SockSite(runner, sock)
        assert site.name == f"http://unix:{path}:"
        await site.start()
        transport = httpx.AsyncHTTPTransport(uds=path)
        assert await get_text("http://localhost/", transport=transport) == "OK"
    finally:
        await runner.cleanup()
        sock.close()


async def test_named_pipe_site_needs_windows() -> None:
    runner = AppRunner(hello_app())
    await runner.setup()
    try:
        with pytest.raises(RuntimeError, match="Named pipes"):
            NamedPipeSite(runner, r"\\.\pipe\test")
    finally:
        await runner.cleanup()


async def test_tls_site() -> None:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    runner = AppRunner(hello_app())
    await runner.setup()
    try:
        site = TCPSite(runner, "127.0.0.1", 0, ssl_context=server_context)
        await site.start()
        assert site.name.startswith("https://127.0.0.1:")
        assert await get_text(site.name + "/", verify=client_context) == "OK"
    finally:
        await runner.cleanup()


async def test_reuse_port_and_backlog() -> None:
    runner = AppRunner(hello_app())
    await runner.setup()
    try:
        first = TCPSite(runner, "127.0.0.1", 0, reuse_port=True, backlog=5)
        await first.start()
        port = runner.addresses[0][1]
        # With SO_REUSEPORT on both, a second site binds the same port.
        second = TCPSite(runner, "127.0.0.1", port, reuse_port=True)
        await second.start()
        assert await get_text(f"http://127.0.0.1:{port}/") == "OK"
    finally:
        await runner.cleanup()


async def test_access_log_kwargs_reach_the_server() -> None:
    logged: list[tuple[str, int]] = []

    class Recorder(AbstractAccessLogger):
        def log(
            self, request: BaseRequest, response: StreamResponse, time: float
        ) -> None:
            logged.append((self.log_format, response.status))

        @property
        def enabled(self) -> bool:
            return True

    runner = AppRunner(
        hello_app(), access_log_class=Recorder, access_log_format="%s custom"
    )
    await runner.setup()
    try:
        site = TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        await get_text(site.name + "/")
    finally:
        await runner.cleanup()
    assert logged == [("%s custom", 200)]


async def test_handle_signals_installs_and_removes_handlers() -> None:
    before = signal.getsignal(signal.SIGTERM)
    runner = AppRunner(hello_app(), handle_signals=True)
    await runner.setup()
    try:
        assert signal.getsignal(signal.SIGTERM) is not before
    finally:
        await runner.cleanup()
    assert signal.getsignal(signal.SIGTERM) == before


def test_graceful_exit() -> None:
    assert issubclass(GracefulExit, SystemExit)
    assert GracefulExit().code == 1


# Graceful shutdown


class Lifecycle:
    """An app whose /slow handler takes ``delay`` s; records what happens."""

    def __init__(self, delay: float) -> None:
        self.events: list[str] = []
        self.started = asyncio.Event()
        self.delay = delay
        self.app = Application()
        self.app.router.add_get("/slow", self.slow)
        self.app.router.add_get("/", hello)
        self.app.on_shutdown.append(self.on_shutdown)
        self.app.on_cleanup.append(self.on_cleanup)

    async def slow(self, request: Request) -> Response:
        self.events.append("handler start")
        self.started.set()
        try:
            await asyncio.sleep(self.delay)
        except asyncio.CancelledError:
            self.events.append("handler cancelled")
            raise
        self.events.append("handler end")
        return Response(text="slow done")

    async def on_shutdown(self, app: Application) -> None:
        self.events.append("on_shutdown")

    async def on_cleanup(self, app: Application) -> None:
        self.events.append("on_cleanup")


async def start(app: Application, **kwargs: Any) -> tuple[BaseRunner, str]:
    runner = AppRunner(app, **kwargs)
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site.name


async def test_in_flight_request_completes() -> None:
    life = Lifecycle(delay=0.3)
    runner, url = await start(life.app)
    async with httpx.AsyncClient() as client:
        request = asyncio.create_task(client.get(url + "/slow"))
        await asyncio.wait_for(life.started.wait(), 2)
        cleanup = asyncio.create_task(runner.cleanup())
        await asyncio.sleep(0.05)
        # The listening socket is gone: new connections are refused.
        host, port = url.removeprefix("http://").split(":")
        with pytest.raises(ConnectionRefusedError):
            await asyncio.open_connection(host, int(port))
        resp = await request
        await cleanup
    assert resp.status_code == 200
    assert resp.text == "slow done"
    assert life.events == ["handler start", "on_shutdown", "handler end", "on_cleanup"]


async def test_idle_keepalive_connection_closed_at_once() -> None:
    life = Lifecycle(delay=0)
    runner, url = await start(life.app)
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
    assert head.startswith(b"HTTP/1.1 200 OK")
    await reader.readexactly(2)  # the body: OK
    began = time.monotonic()
    await runner.cleanup()
    assert await asyncio.wait_for(reader.read(), 2) == b""
    writer.close()
    assert time.monotonic() - began < 2  # no wait for the 60 s timeout


async def test_handler_over_shutdown_timeout_is_cancelled() -> None:
    life = Lifecycle(delay=30)
    runner, url = await start(life.app, shutdown_timeout=0.2)
    assert runner.shutdown_timeout == 0.2
    host, port = url.removeprefix("http://").split(":")
    _, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    await asyncio.wait_for(life.started.wait(), 2)
    began = time.monotonic()
    await runner.cleanup()
    elapsed = time.monotonic() - began
    writer.close()
    assert elapsed < 2
    assert life.events == [
        "handler start",
        "on_shutdown",
        "handler cancelled",
        "on_cleanup",
    ]


async def test_app_runner_keepalive_default_and_override() -> None:
    async def timeout_of(request: Request) -> Response:
        return Response(text=str(request.protocol.keepalive_timeout))

    for kwargs, expected in (({}, "3630.0"), ({"keepalive_timeout": 5}, "5")):
        app = Application()
        app.router.add_get("/", timeout_of)
        runner, url = await start(app, **kwargs)
        try:
            assert await get_text(url + "/") == expected
        finally:
            await runner.cleanup()


async def test_site_shutdown_timeout_applies_to_runner() -> None:
    runner = AppRunner(hello_app())
    await runner.setup()
    try:
        TCPSite(runner, "127.0.0.1", 0, shutdown_timeout=3.5)
        assert runner.shutdown_timeout == 3.5
    finally:
        await runner.cleanup()


async def test_going_away_hook_ends_long_lived_handlers() -> None:
    events: list[str] = []
    gone = asyncio.Event()
    started = asyncio.Event()

    async def long_lived(request: Request) -> Response:
        async def go_away() -> None:
            events.append("going away")
            gone.set()

        async def never() -> None:  # pragma: no cover - unregistered
            events.append("unregistered callback called")

        on_going_away(request, never)()  # registered, then dropped
        on_going_away(request, go_away)
        started.set()
        await gone.wait()
        events.append("handler end")
        return Response(text="bye")

    async def on_shutdown(app: Application) -> None:
        events.append("on_shutdown")

    app = Application()
    app.router.add_get("/", long_lived)
    app.on_shutdown.append(on_shutdown)
    runner, url = await start(app)  # default shutdown_timeout: 60 s
    async with httpx.AsyncClient() as client:
        request = asyncio.create_task(client.get(url + "/"))
        await asyncio.wait_for(started.wait(), 2)
        began = time.monotonic()
        await runner.cleanup()
        assert time.monotonic() - began < 2
        assert (await request).text == "bye"
    assert events == ["on_shutdown", "going away", "handler end"]


async def test_going_away_errors_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    started = asyncio.Event()

    async def handler(request: Request) -> Response:
        async def broken() -> None:
            raise ValueError("broken hook")

        on_going_away(request, broken)
        started.set()
        await asyncio.sleep(0.2)
        return Response()

    app = Application()
    app.router.add_get("/", handler)
    runner, url = await start(app)
    async with httpx.AsyncClient() as client:
        request = asyncio.create_task(client.get(url + "/"))
        await asyncio.wait_for(started.wait(), 2)
        await runner.cleanup()
        assert (await request).status_code == 200
    assert "Error ending a long-lived response" in caplog.text
