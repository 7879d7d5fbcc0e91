"""Gunicorn with our worker class, 2 workers, serving over TCP, a unix socket and TLS.

One gunicorn per fixture is shared by the tests of a module-scoped fixture:
processes are slow to start.  Readiness is polled (each worker writes a file
from ``on_startup``), never waited for with a fixed sleep.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme

Gunicorn = Any  # conftest.Gunicorn, which test modules cannot import


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the peer closes ``sock`` within ``seconds`` (sending nothing)."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([sock], [], [], left)
        if readable:
            try:
                return sock.recv(1) == b""
            except ConnectionResetError:
                return True
    return False


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, start_shared_gunicorn: Any
) -> Iterator[Gunicorn]:
    """The application object, 2 workers, on TCP and a unix socket."""
    workdir = tmp_path_factory.mktemp("gunicorn")
    # A unix socket path must stay short: not under pytest's deep tmp dirs.
    sockdir = Path(tempfile.mkdtemp(prefix="gu-"))
    gunicorn = start_shared_gunicorn(
        "app_module:app",
        "--workers=2",
        "--bind=127.0.0.1:0",
        f"--bind=unix:{sockdir / 'app.sock'}",
        "--keep-alive=1",
        "--timeout=2",
        "--graceful-timeout=5",
        f"--access-logfile={workdir / 'access.log'}",
        workdir=workdir,
    )
    gunicorn.unix_path = sockdir / "app.sock"
    try:
        gunicorn.wait_workers(2)
        yield gunicorn
    finally:
        gunicorn.stop()
        shutil.rmtree(sockdir, ignore_errors=True)


def test_serves_the_application_object_from_both_workers(served: Gunicorn) -> None:
    workers = served.wait_workers(2)
    seen: set[int] = set()
    # Which worker accepts a connection is up to the kernel.  While one
    # worker's loop is held in a blocking handler, only the other can accept:
    # a request made then shows the second worker (retried, in case the
    # block ended before the request got in).
    for _ in range(10):
        tag = uuid.uuid4().hex
        blocking = threading.Thread(
            target=served.get, args=(f"/block?seconds=0.3&tag={tag}",)
        )
        blocking.start()
        try:
            seen.add(int(served.wait_file(f"block-{tag}")))
            resp = served.get("/whoami")
        finally:
            blocking.join()
        assert resp.status_code == 200
        body = resp.json()
        assert body["made_by"] == "object"
        assert body["loop"] == "asyncio.unix_events"
        seen.add(body["pid"])
        if seen == workers:
            break
    assert seen == workers


def test_serves_on_the_unix_socket(served: Gunicorn) -> None:
    transport = httpx.HTTPTransport(uds=str(served.unix_path))
    resp = served.get("http://localhost/whoami?tag=unix", transport=transport)
    assert resp.status_code == 200
    assert resp.headers["X-Tag"] == "unix"
    assert resp.json()["pid"] in served.workers()


def test_access_log_uses_aiohttp_default_format(served: Gunicorn) -> None:
    tag = uuid.uuid4().hex
    resp = served.get(f"/whoami?tag={tag}", headers={"User-Agent": "t/1.0"})
    assert resp.status_code == 200
    pattern = re.compile(
        r"^127\.0\.0\.1 \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "
        rf'"GET /whoami\?tag={tag} HTTP/1\.1" 200 \d+ "-" "t/1\.0"$',
        re.MULTILINE,
    )
    access_log = served.workdir / "access.log"
    deadline = time.monotonic() + 5
    while not pattern.search(access_log.read_text()):
        assert time.monotonic() < deadline, access_log.read_text()
        time.sleep(0.05)
    # Nothing of gunicorn's own default format ("- -" for %(l)s %(u)s).
    assert " - - [" not in access_log.read_text()


def test_usr1_reopens_the_access_log(served: Gunicorn) -> None:
    access_log = served.workdir / "access.log"
    rotated = served.workdir / "access.log.1"
    access_log.rename(rotated)
    served.proc.send_signal(signal.SIGUSR1)
    deadline = time.monotonic() + 5
    while True:
        tag = uuid.uuid4().hex
        assert served.get(f"/whoami?tag={tag}").status_code == 200
        time.sleep(0.05)
        if access_log.exists() and tag in access_log.read_text():
            break
        assert time.monotonic() < deadline, served.log()
    # Both workers reopened: every later line lands in the new file.
    tags = [uuid.uuid4().hex for _ in range(8)]
    for tag in tags:
        assert served.get(f"/whoami?tag={tag}").status_code == 200
    deadline = time.monotonic() + 5
    while not all(tag in access_log.read_text() for tag in tags):
        assert time.monotonic() < deadline, access_log.read_text()
        time.sleep(0.05)
    assert not any(tag in rotated.read_text() for tag in tags)


def test_idle_keepalive_connection_is_closed_after_keep_alive(
    served: Gunicorn,
) -> None:
    with served.idle_connection() as sock:
        # --keep-alive=1: still open well under the timeout, closed after it.
        assert not _closed_within(sock, 0.4)
        assert _closed_within(sock, 5)


def test_client_stalling_in_the_head_is_dropped(served: Gunicorn) -> None:
    with socket.create_connection(("127.0.0.1", served.port()), timeout=5) as sock:
        sock.sendall(b"GET /whoami HTTP/1.1\r\nHost: 127.0")
        assert not _closed_within(sock, 0.4)
        assert _closed_within(sock, 5)


def test_busy_worker_outliving_timeout_is_not_killed(served: Gunicorn) -> None:
    # --timeout=2: the loop keeps notifying the arbiter while a handler
    # awaits for longer than that.
    before = served.wait_workers(2)
    tag = uuid.uuid4().hex
    resp = served.get(f"/slow?seconds=2.5&tag={tag}")
    assert resp.status_code == 200
    pid = int((served.ready_dir / f"slow-{tag}").read_text())
    assert resp.text == f"done {pid}"
    assert served.workers() == before
    assert f"WORKER TIMEOUT (pid:{pid})" not in served.log()


def test_blocked_worker_is_aborted_and_replaced(served: Gunicorn) -> None:
    # A handler blocking the loop past --timeout stops the notifications:
    # the arbiter sends SIGABRT, which must end the worker mid-handler.
    before = served.wait_workers(2)
    tag = uuid.uuid4().hex
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        served.get(f"/block?seconds=30&tag={tag}")
    pid = int((served.ready_dir / f"block-{tag}").read_text())
    assert f"WORKER TIMEOUT (pid:{pid})" in served.log()
    after = served.wait_workers(2, exclude={pid})
    assert after & before == before - {pid}
    assert served.get("/whoami").status_code == 200


def test_killed_worker_is_replaced_while_the_other_serves(served: Gunicorn) -> None:
    before = served.wait_workers(2)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    # Every request meanwhile is answered: the kernel queues connections on
    # the shared listener, and the surviving worker takes them.
    pids: set[int] = set()
    deadline = time.monotonic() + served.start_timeout
    while True:
        resp = served.get("/whoami")
        assert resp.status_code == 200
        pids.add(resp.json()["pid"])
        now = served.workers()
        if len(now) == 2 and victim not in now:
            break
        assert time.monotonic() < deadline, served.log()
    after = served.wait_workers(2, exclude={victim})
    assert len(after - before) == 1
    assert victim not in pids
    assert before - {victim} <= after


@pytest.fixture(scope="module")
def tls_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def served_tls(
    tmp_path_factory: pytest.TempPathFactory,
    tls_ca: trustme.CA,
    start_shared_gunicorn: Any,
) -> Iterator[Gunicorn]:
    """An app factory over TLS, with a custom access log format to stdout."""
    workdir = tmp_path_factory.mktemp("gunicorn-tls")
    cert = tls_ca.issue_cert("127.0.0.1", "localhost")
    cert.private_key_pem.write_to_path(str(workdir / "key.pem"))
    cert.cert_chain_pems[0].write_to_path(str(workdir / "cert.pem"))
    for pem in cert.cert_chain_pems[1:]:
        pem.write_to_path(str(workdir / "cert.pem"), append=True)
    gunicorn = start_shared_gunicorn(
        "app_module:factory",
        "--workers=2",
        "--bind=127.0.0.1:0",
        f"--certfile={workdir / 'cert.pem'}",
        f"--keyfile={workdir / 'key.pem'}",
        "--access-logfile=-",
        "--access-logformat=%a %P <%r> %s %{X-Tag}o %{User-Agent}i",
        workdir=workdir,
    )
    try:
        gunicorn.wait_workers(2)
        yield gunicorn
    finally:
        gunicorn.stop()


def _client_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


def test_tls_with_an_app_factory(served_tls: Gunicorn, tls_ca: trustme.CA) -> None:
    url = f"https://127.0.0.1:{served_tls.port()}/whoami"
    resp = served_tls.get(url, verify=_client_context(tls_ca))
    assert resp.status_code == 200
    body = resp.json()
    assert body["made_by"] == "factory"
    assert body["secure"] is True
    assert body["pid"] in served_tls.workers()


def test_tls_refuses_plain_http(served_tls: Gunicorn) -> None:
    with pytest.raises(httpx.HTTPError):
        served_tls.get("/whoami")


def test_tls_client_without_the_ca_fails_the_handshake(served_tls: Gunicorn) -> None:
    # A client that does not trust the CA must fail the handshake.
    with pytest.raises(httpx.ConnectError):
        served_tls.get(f"https://127.0.0.1:{served_tls.port()}/whoami")


def test_custom_access_log_format_is_aiohttp_format(
    served_tls: Gunicorn, tls_ca: trustme.CA
) -> None:
    tag = uuid.uuid4().hex
    url = f"https://127.0.0.1:{served_tls.port()}/whoami?tag={tag}"
    resp = served_tls.get(
        url, verify=_client_context(tls_ca), headers={"User-Agent": "t/2"}
    )
    pid = resp.json()["pid"]
    line = f"127.0.0.1 {pid} <GET /whoami?tag={tag} HTTP/1.1> 200 {tag} t/2"
    deadline = time.monotonic() + 5
    while line not in served_tls.log().splitlines():
        assert time.monotonic() < deadline, served_tls.log()
        time.sleep(0.05)


def test_worker_is_reachable_under_aiohttp_worker() -> None:
    import aiohttp.worker
    import aiohttp_gunicorn

    assert aiohttp.worker.GunicornWebWorker is aiohttp_gunicorn.GunicornWebWorker
    assert (
        aiohttp.worker.GunicornUVLoopWebWorker
        is aiohttp_gunicorn.GunicornUVLoopWebWorker
    )
    assert sys.modules["aiohttp.worker"] is sys.modules["aiohttp_gunicorn.worker"]


def test_meta_package_exports_workers_without_importing_gunicorn() -> None:
    code = (
        "import sys, json, aiohttp, aiohttp.web\n"
        "eager = 'gunicorn' in sys.modules\n"
        "import aiohttp_gunicorn\n"
        "print(json.dumps([eager,\n"
        "    aiohttp.GunicornWebWorker is aiohttp_gunicorn.GunicornWebWorker,\n"
        "    aiohttp.GunicornUVLoopWebWorker\n"
        "    is aiohttp_gunicorn.GunicornUVLoopWebWorker]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out) == [False, True, True]
