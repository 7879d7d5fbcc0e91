"""The deployments of deployment.rst, with a real nginx in front.

* Nginx+Gunicorn: nginx with the documented ``proxy_pass`` configuration in
  front of gunicorn running our worker class with 2 workers;
* a pool of ``run_app`` processes sharing one port with ``reuse_port=True``
  (the alternative without gunicorn), behind the documented upstream group.

Each nginx runs in the foreground from a config in a temp dir, on a free
port of 127.0.0.1, with its pid file, logs and temp paths in that dir.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
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

Proc = subprocess.Popen[bytes]
Pool = tuple[Path, int, list[Proc]]
START_TIMEOUT = 20.0

APP_SOURCE = '''\
"""The application behind nginx."""

import os
from pathlib import Path

from aiohttp import web

READY_DIR = Path(os.environ["APP_READY_DIR"])


async def whoami(request):
    return web.json_response(
        {
            "pid": os.getpid(),
            "host": request.host,
            "remote": request.remote,
            "x_forwarded_host": request.headers.get("X-Forwarded-Host"),
            "x_forwarded_for": request.headers.get("X-Forwarded-For"),
            "x_real_ip": request.headers.get("X-Real-IP"),
        }
    )


async def echo_len(request):
    return web.Response(text=str(len(await request.read())))


async def mark_ready(app):
    (READY_DIR / f"worker-{os.getpid()}").write_text("")


def make_app():
    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_get("/whoami", whoami)
    app.router.add_post("/echo-len", echo_len)
    app.on_startup.append(mark_ready)
    return app


app = make_app()


if __name__ == "__main__":
    import sys

    web.run_app(
        make_app(),
        host="127.0.0.1",
        port=int(sys.argv[1]),
        reuse_port=True,
        print=lambda *args: print(*args, flush=True),
    )
'''

# The "Proxy through NGINX" configuration of deployment.rst, on our port.
GUNICORN_SITE = """\
    ## Main Server Block
    server {{
        ## Open by default.
        listen                127.0.0.1:{port} default_server;
        server_name           main;
        client_max_body_size  200M;

        ## Main site location.
        location / {{
            proxy_pass                          http://127.0.0.1:{backend};
            proxy_set_header                    Host $host;
            proxy_set_header X-Forwarded-Host   $server_name;
            proxy_set_header X-Real-IP          $remote_addr;
        }}
    }}
"""

# The "Nginx+supervisord" configuration of deployment.rst: an upstream group
# (here one TCP port shared by the run_app processes) and static files.
POOL_SITE = """\
    upstream aiohttp {{
        server 127.0.0.1:{backend} fail_timeout=0;
    }}

    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 4G;

        server_name example.com;

        location / {{
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_redirect off;
            proxy_buffering off;
            proxy_pass http://aiohttp;
        }}

        location /static {{
            # path for static files
            root {static_root};
        }}
    }}
"""

NGINX_CONF = """\
worker_processes 1;
{user}
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{
    worker_connections 1024;
}}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{site}
}}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _stop(proc: Proc, sig: int = signal.SIGTERM) -> int:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def _user_directive() -> str:
    # As root nginx would run its worker as "nobody", which cannot enter our
    # temp dir; as anyone else the directive is meaningless.
    if os.geteuid() != 0:
        return ""
    user = pwd.getpwuid(os.geteuid()).pw_name
    group = grp.getgrgid(os.getegid()).gr_name
    return f"user {user} {group};"


def _nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None
    )
    if found is None:
        pytest.skip("nginx is not installed (.ci/run installs it)")
    return found


def _start_nginx(tmp: Path, site: str, **values: object) -> tuple[int, Proc]:
    """Start nginx with ``site`` on a free port; return the port and process."""
    binary = _nginx_binary()
    for _ in range(5):
        port = _free_port()
        conf = tmp / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                user=_user_directive(),
                tmp=tmp,
                site=site.format(port=port, **values),
            )
        )
        with (tmp / "nginx.out").open("wb") as out:
            proc = subprocess.Popen(
                [binary, "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "error.log")],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while proc.poll() is None and time.monotonic() < deadline:
            if _accepts(port):
                return port, proc
            time.sleep(0.02)
        _stop(proc)
        errors = (tmp / "error.log").read_text(errors="replace")
        if "Address already in use" not in errors:
            pytest.fail(f"nginx did not start:\n{errors}")
    pytest.fail("no free port for nginx")


def _wait_ready(ready_dir: Path, count: int, procs: list[Proc], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while len(list(ready_dir.glob("worker-*"))) < count:
        for proc in procs:
            if proc.poll() is not None:
                pytest.fail(f"a server exited:\n{log.read_text(errors='replace')}")
        assert time.monotonic() < deadline, log.read_text(errors="replace")
        time.sleep(0.05)


def _app_dir(tmp: Path) -> Path:
    (tmp / "ready").mkdir()
    (tmp / "app_module.py").write_text(APP_SOURCE)
    return tmp


@pytest.fixture(scope="module")
def gunicorn_behind_nginx(start_shared_gunicorn: Any) -> Iterator[int]:
    """Gunicorn (2 workers) behind nginx; yields nginx's port."""
    gunicorn = start_shared_gunicorn(
        "app_module:app", "--workers=2", "--bind=127.0.0.1:0", app_source=APP_SOURCE
    )
    try:
        gunicorn.wait_workers(2)
        port, nginx = _start_nginx(
            gunicorn.workdir, GUNICORN_SITE, backend=gunicorn.port()
        )
        try:
            yield port
        finally:
            _stop(nginx, signal.SIGQUIT)
    finally:
        gunicorn.stop()


def test_app_behind_nginx_sees_the_forwarded_headers(
    gunicorn_behind_nginx: int,
) -> None:
    url = f"http://127.0.0.1:{gunicorn_behind_nginx}/whoami"
    resp = httpx.get(url, headers={"Host": "shop.example"}, timeout=10)
    assert resp.status_code == 200
    body = resp.json()
    assert body["x_forwarded_host"] == "main"  # $server_name
    assert body["x_real_ip"] == "127.0.0.1"  # $remote_addr
    assert body["host"] == "shop.example"  # $host
    assert body["remote"] == "127.0.0.1"


def test_body_over_nginx_default_limit_passes(gunicorn_behind_nginx: int) -> None:
    # client_max_body_size 200M: one byte over nginx's default of 1 MiB.
    url = f"http://127.0.0.1:{gunicorn_behind_nginx}/echo-len"
    body = b"x" * (1024 * 1024 + 1)
    resp = httpx.post(url, content=body, timeout=10)
    assert resp.status_code == 200
    assert resp.text == str(len(body))


@pytest.fixture(scope="module")
def run_app_pool(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Pool]:
    """Two run_app(reuse_port=True) processes on one port."""
    tmp = _app_dir(tmp_path_factory.mktemp("run-app-pool"))
    port = _free_port()
    log = tmp / "pool.log"
    procs: list[Proc] = []
    with log.open("wb") as out:
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [sys.executable, str(tmp / "app_module.py"), str(port)],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env={**os.environ, "APP_READY_DIR": str(tmp / "ready")},
                    cwd=tmp,
                )
            )
    try:
        _wait_ready(tmp / "ready", 2, procs, log)
        deadline = time.monotonic() + START_TIMEOUT
        while log.read_text().count("Running on") < 2:
            for proc in procs:
                assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.02)
        yield tmp, port, procs
    finally:
        for proc in procs:
            _stop(proc)


def test_run_app_with_reuse_port_shares_a_port_between_processes(
    run_app_pool: Pool,
) -> None:
    _, port, procs = run_app_pool
    wanted = {proc.pid for proc in procs}
    seen: set[int] = set()
    # The kernel spreads new connections over the sockets by their address:
    # keep connecting from new source ports until both processes answered.
    for _ in range(200):
        resp = httpx.get(f"http://127.0.0.1:{port}/whoami", timeout=10)
        assert resp.status_code == 200
        seen.add(resp.json()["pid"])
        if seen == wanted:
            break
    assert seen == wanted


def test_run_app_pool_behind_nginx_upstream(
    run_app_pool: Pool,
) -> None:
    tmp, port, procs = run_app_pool
    static = tmp / "www" / "static"
    static.mkdir(parents=True)
    (static / "hello.txt").write_text("served by nginx")
    nginx_port, nginx = _start_nginx(
        tmp, POOL_SITE, backend=port, static_root=tmp / "www"
    )
    base = f"http://127.0.0.1:{nginx_port}"
    try:
        resp = httpx.get(f"{base}/whoami", headers={"Host": "example.com"}, timeout=10)
        assert resp.status_code == 200
        body = resp.json()
        assert body["x_forwarded_for"] == "127.0.0.1"
        assert body["host"] == "example.com"  # $http_host, as the client sent it
        static_resp = httpx.get(f"{base}/static/hello.txt", timeout=10)
        assert static_resp.text == "served by nginx"

        # One process leaves gracefully; the other keeps serving the port.
        leaving, staying = procs
        assert _stop(leaving) == 0
        for _ in range(10):
            resp = httpx.get(f"{base}/whoami", timeout=10)
            assert resp.status_code == 200
            assert resp.json()["pid"] == staying.pid
    finally:
        _stop(nginx, signal.SIGQUIT)
