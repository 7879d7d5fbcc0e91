"""Gunicorn with our worker classes: stopping, restarting, and refusing to start.

Each test here starts its own gunicorn, since each ends it one way or another.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
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


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie not reaped yet counts as dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


class Gunicorn:
    """One gunicorn master with its workers, its output in a file."""

    def __init__(
        self,
        workdir: Path,
        target: str,
        *options: str,
        worker: str = WORKER,
        extra_source: str = "",
    ) -> None:
        self.workdir = workdir
        self.unix_path: Path | None = None
        self.ready_dir = workdir / "ready"
        self.ready_dir.mkdir(exist_ok=True)
        (workdir / "app_module.py").write_text(APP_SOURCE + extra_source)
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

    def log(self) -> str:
        """Everything gunicorn printed so far."""
        return self.log_path.read_text(errors="replace")

    def workers(self) -> set[int]:
        """The pids of the workers that started their application and still run."""
        pids = {int(path.name[7:]) for path in self.ready_dir.glob("worker-*")}
        return {pid for pid in pids if _alive(pid)}

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

    def port(self) -> int:
        """The TCP port gunicorn bound (asked for as port 0)."""
        found = re.search(
            r"Listening at: [^\n]*?https?://127\.0\.0\.1:(\d+)", self.log()
        )
        assert found is not None, self.log()
        return int(found[1])

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        """Signal the master and wait for it; kill it if it lingers."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                pytest.fail(f"gunicorn ignored signal {sig}:\n{self.log()}")
        return self.proc.returncode


def _get(url: str, **kwargs: Any) -> httpx.Response:
    """One request on a fresh connection."""
    transport = kwargs.pop("transport", None)
    verify = kwargs.pop("verify", True)
    with httpx.Client(transport=transport, verify=verify, timeout=10) as client:
        return client.get(url, **kwargs)


BOOT_ERRORS_SOURCE = """

async def broken_factory():
    raise RuntimeError("the database is unreachable")


def not_an_app():
    return {"not": "an application"}


async def failing_startup():
    app = make_app("factory")

    async def fail(app):
        raise RuntimeError("startup failed: no configuration")

    app.on_startup.insert(0, fail)
    return app
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def start(workdir: Path) -> Iterator[Any]:
    """Start gunicorns in ``workdir``; each is stopped at the end of the test."""
    started: list[Gunicorn] = []

    def start(target: str, *options: str, **kwargs: str) -> Gunicorn:
        gunicorn = Gunicorn(workdir, target, *options, **kwargs)
        started.append(gunicorn)
        return gunicorn

    yield start
    for gunicorn in started:
        if gunicorn.proc.poll() is None:
            gunicorn.proc.kill()
            gunicorn.proc.wait()


def _url(gunicorn: Gunicorn, path: str) -> str:
    return f"http://127.0.0.1:{gunicorn.port()}{path}"


def _wait_file(path: Path, gunicorn: Gunicorn) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while not path.exists() or not path.read_text():
        assert gunicorn.proc.poll() is None, gunicorn.log()
        assert time.monotonic() < deadline, gunicorn.log()
        time.sleep(0.02)
    return path.read_text()


class Background:
    """A request made in a thread; ``result()`` is its response or its error."""

    def __init__(self, url: str) -> None:
        self._outcome: httpx.Response | Exception | None = None
        self._thread = threading.Thread(target=self._run, args=(url,))
        self._thread.start()

    def _run(self, url: str) -> None:
        try:
            self._outcome = _get(url)
        except Exception as exc:
            self._outcome = exc

    def result(self, timeout: float = 15.0) -> httpx.Response | Exception | None:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the request is still running"
        return self._outcome


def _idle_keepalive_connection(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(b"GET /whoami HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    data = b""
    while not re.search(rb"\r\n\r\n\{.*\}", data, re.DOTALL):
        chunk = sock.recv(65536)
        assert chunk, data
        data += chunk
    assert data.startswith(b"HTTP/1.1 200"), data
    return sock


def test_sigterm_finishes_the_request_in_flight(start: Any) -> None:
    gunicorn = start(
        "app_module:app",
        "--workers=2",
        "--bind=127.0.0.1:0",
        "--keep-alive=30",
        "--graceful-timeout=10",
    )
    gunicorn.wait_workers(2)
    port = gunicorn.port()
    idle = _idle_keepalive_connection(port)
    tag = uuid.uuid4().hex
    slow = Background(_url(gunicorn, f"/slow?seconds=1.5&tag={tag}"))
    pid = int(_wait_file(gunicorn.ready_dir / f"slow-{tag}", gunicorn))
    gunicorn.proc.send_signal(signal.SIGTERM)
    with idle:
        # The idle keep-alive connection is closed, not left to its 30 s.
        idle.settimeout(8)
        assert idle.recv(1) == b""
    resp = slow.result()
    assert isinstance(resp, httpx.Response), resp
    assert resp.status_code == 200
    assert resp.text == f"done {pid}"
    assert gunicorn.stop() == 0
    # on_cleanup ran in both workers (each removes its ready file).
    assert not list(gunicorn.ready_dir.glob("worker-*"))
    assert "Traceback" not in gunicorn.log()


@pytest.mark.parametrize("sig", [signal.SIGQUIT, signal.SIGINT])
def test_quick_stop_cancels_running_handlers(start: Any, sig: int) -> None:
    gunicorn = start(
        "app_module:app",
        "--workers=2",
        "--bind=127.0.0.1:0",
        "--graceful-timeout=60",
    )
    gunicorn.wait_workers(2)
    tag = uuid.uuid4().hex
    slow = Background(_url(gunicorn, f"/slow?seconds=60&tag={tag}"))
    _wait_file(gunicorn.ready_dir / f"slow-{tag}", gunicorn)
    # Well under --graceful-timeout, or stop() fails the test.
    assert gunicorn.stop(sig, timeout=10) == 0
    assert isinstance(slow.result(), httpx.HTTPError)
    # Quick, not abrupt: the applications were still cleaned up.
    assert not list(gunicorn.ready_dir.glob("worker-*"))


def test_workers_leave_when_the_arbiter_dies(start: Any) -> None:
    gunicorn = start("app_module:app", "--workers=2", "--bind=127.0.0.1:0")
    workers = gunicorn.wait_workers(2)
    gunicorn.proc.kill()
    gunicorn.proc.wait()
    # Orphaned, each worker notices its new parent and stops gracefully.
    deadline = time.monotonic() + START_TIMEOUT
    while any(_alive(pid) for pid in workers):
        assert time.monotonic() < deadline, gunicorn.log()
        time.sleep(0.05)
    assert "Parent changed, shutting down" in gunicorn.log()
    assert not list(gunicorn.ready_dir.glob("worker-*"))


def test_max_requests_restarts_after_exactly_n_requests(start: Any) -> None:
    gunicorn = start(
        "app_module:app",
        "--workers=1",
        "--bind=127.0.0.1:0",
        "--max-requests=3",
        "--max-requests-jitter=0",
    )
    gunicorn.wait_workers(1)
    pids = []
    for _ in range(7):
        resp = _get(_url(gunicorn, "/whoami"))
        assert resp.status_code == 200
        pids.append(resp.json()["pid"])
    # The 3rd request is the last of a worker, the 4th the first of the next.
    assert pids[0] == pids[1] == pids[2] != pids[3]
    assert pids[3] == pids[4] == pids[5] != pids[6]
    assert "Max requests, shutting down" in gunicorn.log()
    assert gunicorn.stop() == 0


def test_max_requests_with_jitter_drops_no_request(start: Any) -> None:
    gunicorn = start(
        "app_module:app",
        "--workers=2",
        "--bind=127.0.0.1:0",
        "--max-requests=3",
        "--max-requests-jitter=2",
    )
    gunicorn.wait_workers(2)
    served: Counter[int] = Counter()
    for _ in range(16):
        resp = _get(_url(gunicorn, "/whoami"))
        assert resp.status_code == 200
        served[resp.json()["pid"]] += 1
    running = gunicorn.workers()
    finished = {pid: count for pid, count in served.items() if pid not in running}
    assert finished, served
    # Each worker that left served its limit: 3 plus a jitter of 0 to 2.
    assert all(3 <= count <= 5 for count in finished.values()), served
    assert all(count <= 5 for count in served.values()), served
    assert gunicorn.stop() == 0


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("app_module:broken_factory", "the database is unreachable"),
        ("app_module:not_an_app", "returned {'not': 'an application'}"),
        ("app_module:failing_startup", "startup failed: no configuration"),
    ],
)
def test_a_failing_boot_stops_gunicorn_with_the_error(
    start: Any, workdir: Path, target: str, message: str
) -> None:
    gunicorn = start(
        target, "--workers=2", "--bind=127.0.0.1:0", extra_source=BOOT_ERRORS_SOURCE
    )
    try:
        gunicorn.proc.wait(START_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"gunicorn kept running:\n{gunicorn.log()}")
    log = gunicorn.log()
    # Workers exit with gunicorn's WORKER_BOOT_ERROR, so the arbiter halts
    # instead of respawning them.  (The arbiter's own exit status is 3, or 1
    # when, halting, it trips over the second worker's boot error too.)
    assert gunicorn.proc.returncode != 0, log
    assert re.search(r"Worker \(pid:\d+\) exited with code 3", log), log
    assert "Worker failed to boot" in log
    assert message in log


def test_gunicorn_style_access_log_format_is_refused(start: Any) -> None:
    gunicorn = start(
        "app_module:app",
        "--bind=127.0.0.1:0",
        "--access-logfile=-",
        '--access-logformat=%(h)s "%(r)s" %(s)s',
    )
    assert gunicorn.proc.wait(START_TIMEOUT) == 1
    log = gunicorn.log()
    assert "uses gunicorn's atom '%(h)s'" in log
    assert "Booting worker" not in log


def test_aiohttp_access_log_format_one_char_off_is_refused(start: Any) -> None:
    # "%(h)" without the closing "s" is no gunicorn atom: accepted as is.
    gunicorn = start(
        "app_module:app",
        "--bind=127.0.0.1:0",
        "--access-logfile=-",
        "--access-logformat=%(h) %s %{X-Tag}o",
    )
    gunicorn.wait_workers(1)
    tag = uuid.uuid4().hex
    assert _get(_url(gunicorn, f"/whoami?tag={tag}")).status_code == 200
    deadline = time.monotonic() + 5
    while f"%(h) 200 {tag}" not in gunicorn.log():
        assert time.monotonic() < deadline, gunicorn.log()
        time.sleep(0.05)
    assert gunicorn.stop() == 0


def test_uvloop_worker_serves_on_uvloop(start: Any) -> None:
    gunicorn = start(
        "app_module:factory",
        "--workers=2",
        "--bind=127.0.0.1:0",
        worker="aiohttp.worker.GunicornUVLoopWebWorker",
    )
    gunicorn.wait_workers(2)
    resp = _get(_url(gunicorn, "/whoami"))
    assert resp.status_code == 200
    assert resp.json()["loop"].startswith("uvloop")
    assert gunicorn.stop() == 0


def test_uvloop_worker_without_uvloop_says_what_to_install(
    start: Any, workdir: Path
) -> None:
    hidden = workdir / "no-uvloop" / "uvloop"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text('raise ImportError("no uvloop here")\n')
    os.environ["PYTHONPATH"] = str(hidden.parent)
    try:
        gunicorn = start(
            "app_module:app",
            "--bind=127.0.0.1:0",
            worker="aiohttp.worker.GunicornUVLoopWebWorker",
        )
    finally:
        del os.environ["PYTHONPATH"]
    assert gunicorn.proc.wait(START_TIMEOUT) == 1
    log = gunicorn.log()
    assert "pip install aiohttp-gunicorn[uvloop]" in log
    assert "Booting worker" not in log
