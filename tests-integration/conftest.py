"""Gunicorn running our worker class, for the integration tests that need one.

``start_gunicorn(target, *options, workdir=..., worker=..., app_source=...)``
(``start_shared_gunicorn`` in module-scoped fixtures) writes ``app_source`` as
``app_module.py`` in ``workdir`` (a fresh temp dir if not given) and starts
gunicorn there.  The result is a ``Gunicorn`` whose workers are known to be
ready once they wrote their file in ``ready_dir`` (the default application
does so from ``on_startup`` and removes it from ``on_cleanup``).  Readiness is
polled, never waited for with a fixed sleep.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

WORKER = "aiohttp.GunicornWebWorker"
START_TIMEOUT = 20.0

APP_SOURCE = '''\
"""The application gunicorn serves in these tests."""

import asyncio
import os
import time
from pathlib import Path

from aiohttp import web

READY_DIR = Path(os.environ["APP_READY_DIR"])
MADE_BY = web.AppKey("made_by", str)


async def whoami(request):
    return web.json_response(
        {
            "pid": os.getpid(),
            "made_by": request.app[MADE_BY],
            "remote": request.remote,
            "secure": request.secure,
            "loop": type(asyncio.get_running_loop()).__module__,
        },
        headers={"X-Tag": request.query.get("tag", "-")},
    )


async def slow(request):
    (READY_DIR / f"slow-{request.query['tag']}").write_text(str(os.getpid()))
    await asyncio.sleep(float(request.query["seconds"]))
    return web.Response(text=f"done {os.getpid()}")


async def block(request):
    (READY_DIR / f"block-{request.query['tag']}").write_text(str(os.getpid()))
    time.sleep(float(request.query["seconds"]))
    return web.Response(text="unblocked")


async def mark_ready(app):
    (READY_DIR / f"worker-{os.getpid()}").write_text("")


async def unmark(app):
    (READY_DIR / f"worker-{os.getpid()}").unlink(missing_ok=True)


def make_app(made_by):
    app = web.Application()
    app[MADE_BY] = made_by
    app.router.add_get("/whoami", whoami)
    app.router.add_get("/slow", slow)
    app.router.add_get("/block", block)
    app.on_startup.append(mark_ready)
    app.on_cleanup.append(unmark)
    return app


app = make_app("object")


async def factory():
    await asyncio.sleep(0)  # async work before the application exists
    return make_app("factory")
'''


class Gunicorn:
    """One gunicorn master with its workers, its output in a file."""

    start_timeout = START_TIMEOUT

    def __init__(
        self,
        workdir: Path,
        target: str,
        *options: str,
        worker: str = WORKER,
        app_source: str = APP_SOURCE,
    ) -> None:
        self.workdir = workdir
        self.unix_path: Path | None = None
        self.ready_dir = workdir / "ready"
        self.ready_dir.mkdir(exist_ok=True)
        (workdir / "app_module.py").write_text(app_source)
        self.log_path = workdir / "gunicorn.log"
        env = {**os.environ, "APP_READY_DIR": str(self.ready_dir)}
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            target,
            "--worker-class",
            worker,
            "--chdir",
            str(workdir),
            "--no-control-socket",
            *options,
        ]
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=workdir
            )

    @staticmethod
    def alive(pid: int) -> bool:
        """Whether ``pid`` runs (a zombie not reaped yet counts as dead)."""
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            return False
        return stat[stat.rindex(")") + 2] != "Z"

    def log(self) -> str:
        """Everything gunicorn printed so far."""
        return self.log_path.read_text(errors="replace")

    def workers(self) -> set[int]:
        """The pids of the workers that started their application and still run."""
        pids = {int(path.name[7:]) for path in self.ready_dir.glob("worker-*")}
        return {pid for pid in pids if self.alive(pid)}

    def wait_workers(
        self, count: int, exclude: frozenset[int] | set[int] = frozenset()
    ) -> set[int]:
        """Wait for ``count`` running workers, none of them in ``exclude``."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"gunicorn exited ({self.proc.returncode}):\n{self.log()}")
            pids = self.workers()
            if len(pids) == count and not pids & exclude:
                return pids
            time.sleep(0.05)
        pytest.fail(f"gunicorn did not get {count} workers ready:\n{self.log()}")

    def wait_file(self, name: str) -> str:
        """Wait for the application to write ``ready_dir / name``; its text."""
        path = self.ready_dir / name
        deadline = time.monotonic() + START_TIMEOUT
        while not path.exists() or not path.read_text():
            assert self.proc.poll() is None, self.log()
            assert time.monotonic() < deadline, self.log()
            time.sleep(0.02)
        return path.read_text()

    def port(self) -> int:
        """The TCP port gunicorn bound (asked for as port 0)."""
        found = re.search(
            r"Listening at: [^\n]*?https?://127\.0\.0\.1:(\d+)", self.log()
        )
        assert found is not None, self.log()
        return int(found[1])

    def url(self, path: str) -> str:
        """``path`` on the TCP port, over plain HTTP."""
        return f"http://127.0.0.1:{self.port()}{path}"

    def get(self, url_or_path: str, **kwargs: Any) -> httpx.Response:
        """One GET on a fresh connection; a bare path goes to ``url(path)``."""
        url = self.url(url_or_path) if url_or_path.startswith("/") else url_or_path
        transport = kwargs.pop("transport", None)
        verify = kwargs.pop("verify", True)
        with httpx.Client(transport=transport, verify=verify, timeout=10) as client:
            return client.get(url, **kwargs)

    def idle_connection(self) -> socket.socket:
        """A connection left open after one whole ``GET /whoami`` exchange."""
        sock = socket.create_connection(("127.0.0.1", self.port()), timeout=5)
        sock.sendall(b"GET /whoami HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            assert chunk, data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        found = re.search(rb"(?i)content-length: (\d+)", head)
        assert found is not None, head
        while len(body) < int(found[1]):
            chunk = sock.recv(65536)
            assert chunk, data + body
            body += chunk
        assert head.startswith(b"HTTP/1.1 200"), head
        return sock

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        """Signal the master and wait for it; kill it if it lingers."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                pytest.fail(f"gunicorn ignored signal {sig}:\n{self.log()}")
        return self.proc.returncode

    def kill(self) -> None:
        """End the master at once if it still runs (its workers leave after it)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class GunicornStarter:
    """Starts gunicorns, each in ``workdir`` or else in a fresh temp dir."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._tmp_path_factory = tmp_path_factory
        self._started: list[Gunicorn] = []

    def __call__(
        self, target: str, *options: str, workdir: Path | None = None, **kwargs: str
    ) -> Gunicorn:
        """Start gunicorn on ``target`` with ``options`` (see ``Gunicorn``)."""
        if workdir is None:
            workdir = self._tmp_path_factory.mktemp("gunicorn")
        gunicorn = Gunicorn(workdir, target, *options, **kwargs)
        self._started.append(gunicorn)
        return gunicorn

    def kill_all(self) -> None:
        """Kill those still running."""
        for gunicorn in self._started:
            gunicorn.kill()


@pytest.fixture
def start_gunicorn(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[GunicornStarter]:
    """Start gunicorns for one test; any still running after it is killed."""
    starter = GunicornStarter(tmp_path_factory)
    yield starter
    starter.kill_all()


@pytest.fixture(scope="session")
def start_shared_gunicorn(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[GunicornStarter]:
    """Start gunicorns for module-scoped fixtures, which stop them.

    Any still running at the end of the session is killed.
    """
    starter = GunicornStarter(tmp_path_factory)
    yield starter
    starter.kill_all()
