"""Gunicorn with our worker classes: stopping, restarting, and refusing to start.

Each test here starts its own gunicorn, since each ends it one way or another.
"""

from __future__ import annotations

import functools
import os
import re
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

Gunicorn = Any  # conftest.Gunicorn, which test modules cannot import

# Written beside app_module.py, whose directory gunicorn puts on sys.path.
BOOT_ERRORS_SOURCE = """\
from app_module import make_app


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
def start(workdir: Path, start_gunicorn: Any) -> Any:
    """Start gunicorns in ``workdir``; each is killed at the end of the test."""
    return functools.partial(start_gunicorn, workdir=workdir)


class Background:
    """A request made in a thread; ``result()`` is its response or its error."""

    def __init__(self, gunicorn: Gunicorn, path: str) -> None:
        self._outcome: httpx.Response | Exception | None = None
        self._thread = threading.Thread(target=self._run, args=(gunicorn, path))
        self._thread.start()

    def _run(self, gunicorn: Gunicorn, path: str) -> None:
        try:
            self._outcome = gunicorn.get(path)
        except Exception as exc:
            self._outcome = exc

    def result(self, timeout: float = 15.0) -> httpx.Response | Exception | None:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the request is still running"
        return self._outcome


def test_sigterm_finishes_the_request_in_flight(start: Any) -> None:
    gunicorn = start(
        "app_module:app",
        "--workers=2",
        "--bind=127.0.0.1:0",
        "--keep-alive=30",
        "--graceful-timeout=10",
    )
    gunicorn.wait_workers(2)
    idle = gunicorn.idle_connection()
    tag = uuid.uuid4().hex
    slow = Background(gunicorn, f"/slow?seconds=1.5&tag={tag}")
    pid = int(gunicorn.wait_file(f"slow-{tag}"))
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
    slow = Background(gunicorn, f"/slow?seconds=60&tag={tag}")
    gunicorn.wait_file(f"slow-{tag}")
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
    deadline = time.monotonic() + gunicorn.start_timeout
    while any(gunicorn.alive(pid) for pid in workers):
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
        resp = gunicorn.get("/whoami")
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
        resp = gunicorn.get("/whoami")
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
        ("boot_errors:broken_factory", "the database is unreachable"),
        ("boot_errors:not_an_app", "returned {'not': 'an application'}"),
        ("boot_errors:failing_startup", "startup failed: no configuration"),
    ],
)
def test_a_failing_boot_stops_gunicorn_with_the_error(
    start: Any, workdir: Path, target: str, message: str
) -> None:
    (workdir / "boot_errors.py").write_text(BOOT_ERRORS_SOURCE)
    gunicorn = start(target, "--workers=2", "--bind=127.0.0.1:0")
    try:
        gunicorn.proc.wait(gunicorn.start_timeout)
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
    assert gunicorn.proc.wait(gunicorn.start_timeout) == 1
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
    assert gunicorn.get(f"/whoami?tag={tag}").status_code == 200
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
    resp = gunicorn.get("/whoami")
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
    assert gunicorn.proc.wait(gunicorn.start_timeout) == 1
    log = gunicorn.log()
    assert "pip install aiohttp-gunicorn[uvloop]" in log
    assert "Booting worker" not in log
