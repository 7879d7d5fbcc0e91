"""Tests of run_app: in this process for the parameters, in a child for signals."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import socket
import ssl
import struct
import subprocess
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme

from aiohttp_web.app import AppKey, Application
from aiohttp_web.request import Request
from aiohttp_web.response import Response
from aiohttp_web.run_app import run_app
from aiohttp_web.runner import GracefulExit

Client = Callable[[list[str]], Awaitable[None]]
NAME_RE = re.compile(r"======== Running on (.*) ========\n\(Press CTRL\+C to quit\)")


async def hello(request: Request) -> Response:
    return Response(text="Hello, world")


def hello_app() -> Application:
    app = Application()
    app.router.add_get("/", hello)
    return app


def _stop() -> None:
    raise GracefulExit()


def run_with_client(
    app: Application | Awaitable[Application], client: Client, **kwargs: Any
) -> list[str]:
    """Run ``app`` with run_app; once it listens, run ``client(site names)``.

    The client runs in the served loop, then stops run_app as a signal would.
    Returns what run_app printed.
    """
    printed: list[str] = []

    async def job(names: list[str]) -> None:
        try:
            await client(names)
        finally:
            # Raised from a loop callback, like the signal handler does.
            asyncio.get_running_loop().call_soon(_stop)

    def fake_print(text: str) -> None:
        printed.append(text)
        match = NAME_RE.fullmatch(text)
        assert match is not None, text
        names = match.group(1).split(", ")
        loop = asyncio.get_running_loop()
        tasks.append(loop.create_task(job(names)))

    tasks: list[asyncio.Task[None]] = []
    kwargs.setdefault("handle_signals", False)
    run_app(app, print=fake_print, **kwargs)
    assert len(tasks) == 1
    assert tasks[0].done()
    if not tasks[0].cancelled() and tasks[0].exception() is not None:
        raise tasks[0].exception()  # type: ignore[misc]
    return printed


async def get(url: str, **client_args: Any) -> httpx.Response:
    async with httpx.AsyncClient(**client_args) as client:
        return await client.get(url)


def test_serves_and_prints_its_address() -> None:
    cleaned: list[bool] = []
    app = hello_app()

    async def on_cleanup(app: Application) -> None:
        cleaned.append(True)

    app.on_cleanup.append(on_cleanup)
    answers: list[str] = []

    async def client(names: list[str]) -> None:
        answers.append((await get(names[0] + "/")).text)

    printed = run_with_client(app, client, host="127.0.0.1", port=0)
    assert answers == ["Hello, world"]
    assert re.fullmatch(
        r"======== Running on http://127\.0\.0\.1:\d+ ========\n"
        r"\(Press CTRL\+C to quit\)",
        printed[0],
    )
    assert cleaned == [True]


def test_coroutine_factory() -> None:
    async def app_factory() -> Application:
        await asyncio.sleep(0)
        return hello_app()

    async def client(names: list[str]) -> None:
        assert (await get(names[0] + "/")).text == "Hello, world"

    run_with_client(app_factory(), client, host="127.0.0.1", port=0)


def test_factory_must_return_an_application() -> None:
    async def not_an_app() -> object:
        return object()

    with pytest.raises(TypeError, match="not an Application"):
        run_app(not_an_app(), print=None, handle_signals=False)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Application"):
        run_app(object(), print=None, handle_signals=False)  # type: ignore[arg-type]


def test_several_hosts() -> None:
    seen: list[str] = []

    async def client(names: list[str]) -> None:
        for name in names:
            seen.append(name)
            assert (await get(name + "/")).text == "Hello, world"

    run_with_client(hello_app(), client, host=["127.0.0.1", "::1"], port=0)
    assert len(seen) == 2
    assert any(name.startswith("http://[::1]:") for name in seen)


def test_path_and_sock_without_tcp(tmp_path: Path) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    paths = [tmp_path / "one.sock", str(tmp_path / "two.sock")]

    async def client(names: list[str]) -> None:
        assert sorted(names) == sorted(
            [f"http://127.0.0.1:{port}", *(f"http://unix:{p}:" for p in paths)]
        )
        for path in paths:
            transport = httpx.AsyncHTTPTransport(uds=str(path))
            assert (await get("http://x/", transport=transport)).status_code == 200
        assert (await get(f"http://127.0.0.1:{port}/")).status_code == 200

    try:
        run_with_client(hello_app(), client, path=paths, sock=[sock])
    finally:
        sock.close()


def test_single_path(tmp_path: Path) -> None:
    path = tmp_path / "app.sock"

    async def client(names: list[str]) -> None:
        assert names == [f"http://unix:{path}:"]

    run_with_client(hello_app(), client, path=path)


def test_print_none(capsys: pytest.CaptureFixture[str]) -> None:
    async def startup(app: Application) -> None:
        asyncio.get_running_loop().call_later(0.05, _stop)

    app = hello_app()
    app.on_startup.append(startup)
    run_app(app, host="127.0.0.1", port=0, print=None, handle_signals=False)
    assert capsys.readouterr().out == ""


@pytest.fixture
def access_records() -> Iterator[list[logging.LogRecord]]:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("test.access")
    logger.setLevel(logging.INFO)
    handler = Keep()
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_access_log_parameters(access_records: list[logging.LogRecord]) -> None:
    async def client(names: list[str]) -> None:
        await get(names[0] + "/?q=1", headers={"User-Agent": "probe"})

    run_with_client(
        hello_app(),
        client,
        host="127.0.0.1",
        port=0,
        access_log=logging.getLogger("test.access"),
        access_log_format='%r %s "%{User-Agent}i"',
    )
    assert [r.getMessage() for r in access_records] == [
        'GET /?q=1 HTTP/1.1 200 "probe"'
    ]


def test_access_log_none(access_records: list[logging.LogRecord]) -> None:
    async def client(names: list[str]) -> None:
        await get(names[0] + "/")

    run_with_client(hello_app(), client, host="127.0.0.1", port=0, access_log=None)
    assert access_records == []


def test_debug_mode_shows_access_log() -> None:
    access = logging.getLogger("aiohttp.access")
    assert access.level == logging.NOTSET
    assert not access.handlers
    debug_seen: list[bool] = []

    async def check(request: Request) -> Response:
        debug_seen.append(asyncio.get_running_loop().get_debug())
        return Response(text="ok")

    app = Application()
    app.router.add_get("/", check)

    async def client(names: list[str]) -> None:
        await get(names[0] + "/")

    # Alone, as in a program that configured no logging (pytest's handlers
    # sit on the root logger).
    access.propagate = False
    try:
        run_with_client(app, client, host="127.0.0.1", port=0, debug=True)
        assert debug_seen == [True]
        assert access.level == logging.DEBUG
        assert any(isinstance(h, logging.StreamHandler) for h in access.handlers)
    finally:
        access.propagate = True
        access.setLevel(logging.NOTSET)
        for handler in list(access.handlers):
            access.removeHandler(handler)


def test_ssl_context() -> None:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)

    async def client(names: list[str]) -> None:
        assert names[0].startswith("https://127.0.0.1:")
        assert (await get(names[0] + "/", verify=client_context)).status_code == 200

    run_with_client(
        hello_app(), client, host="127.0.0.1", port=0, ssl_context=server_context
    )


def test_reuse_port() -> None:
    other = socket.socket()
    other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    other.bind(("127.0.0.1", 0))
    port = other.getsockname()[1]

    async def client(names: list[str]) -> None:
        assert names == [f"http://127.0.0.1:{port}"]

    try:
        run_with_client(
            hello_app(),
            client,
            host="127.0.0.1",
            port=port,
            reuse_port=True,
            reuse_address=True,
        )
    finally:
        other.close()


def test_keepalive_timeout_closes_idle_connection() -> None:
    async def client(names: list[str]) -> None:
        host, port = names[0].removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await reader.readuntil(b"Hello, world")
        began = time.monotonic()
        assert await asyncio.wait_for(reader.read(), 3) == b""
        assert time.monotonic() - began < 2
        writer.close()

    run_with_client(
        hello_app(), client, host="127.0.0.1", port=0, keepalive_timeout=0.2
    )


def test_shutdown_timeout_and_leftover_tasks() -> None:
    events: list[str] = []
    started = asyncio.Event()
    leftover = AppKey("leftover", asyncio.Task[None])

    async def slow(request: Request) -> Response:
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            events.append("handler cancelled")
            raise
        return Response()  # pragma: no cover

    async def forever() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            events.append("leftover cancelled")
            raise

    async def on_startup(app: Application) -> None:
        app[leftover] = asyncio.get_running_loop().create_task(forever())

    app = Application()
    app.router.add_get("/", slow)
    app.on_startup.append(on_startup)

    socks: list[socket.socket] = []

    async def client(names: list[str]) -> None:
        host, port = names[0].removeprefix("http://").split(":")
        socks.append(socket.create_connection((host, int(port))))
        socks[0].sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await asyncio.wait_for(started.wait(), 2)

    began = time.monotonic()
    try:
        run_with_client(app, client, host="127.0.0.1", port=0, shutdown_timeout=0.2)
    finally:
        socks[0].close()
    assert time.monotonic() - began < 3
    assert events == ["handler cancelled", "leftover cancelled"]


def test_handler_cancellation() -> None:
    events: list[str] = []
    cancelled = asyncio.Event()

    async def slow(request: Request) -> Response:
        events.append("start")
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            events.append("cancelled")
            cancelled.set()
            raise
        return Response()  # pragma: no cover

    app = Application()
    app.router.add_get("/", slow)

    async def client(names: list[str]) -> None:
        host, port = names[0].removeprefix("http://").split(":")
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            await asyncio.sleep(0.1)
            # Gone for good: a reset, not a half-close.
            sock.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
        await asyncio.wait_for(cancelled.wait(), 2)

    run_with_client(app, client, host="127.0.0.1", port=0, handler_cancellation=True)
    assert events == ["start", "cancelled"]


# In a child process: real signals


SERVER_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from aiohttp_web.app import Application
    from aiohttp_web.response import Response
    from aiohttp_web.run_app import run_app

    async def slow(request):
        print("handler started", flush=True)
        await asyncio.sleep(0.5)
        return Response(text="slow done")

    async def on_shutdown(app):
        print("on_shutdown", flush=True)

    async def on_cleanup(app):
        print("on_cleanup", flush=True)

    app = Application()
    app.router.add_get("/slow", slow)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    run_app(app, host="127.0.0.1", port=0, shutdown_timeout=5,
            print=lambda text: print(text, flush=True))
    print("run_app returned", flush=True)
    """
)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
async def test_signal_graceful_exit(tmp_path: Path, signum: int) -> None:
    script = tmp_path / "server.py"
    script.write_text(SERVER_SCRIPT)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(script),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    try:
        first = await asyncio.wait_for(proc.stdout.readline(), 10)
        url = re.search(rb"Running on (\S+)", first)
        assert url is not None, first
        await proc.stdout.readline()  # (Press CTRL+C to quit)
        async with httpx.AsyncClient() as client:
            request = asyncio.create_task(client.get(url.group(1).decode() + "/slow"))
            assert await asyncio.wait_for(proc.stdout.readline(), 5) == (
                b"handler started\n"
            )
            proc.send_signal(signum)
            resp = await asyncio.wait_for(request, 5)
        out, err = await asyncio.wait_for(proc.communicate(), 10)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert resp.status_code == 200
    assert resp.text == "slow done"
    assert out.decode().splitlines() == [
        "on_shutdown",
        "on_cleanup",
        "run_app returned",
    ]
    assert proc.returncode == 0, err
