"""Benchmark the HTTP server, ours against aiohttp 3.14.5, under ``wrk``.

Run from the workspace root:

    uv run python benchmarks/server.py [--rounds N] [--duration S] [--mode M]

Scenarios, each one small app served in its own process(es):

  hello  ``GET /`` answered with the text "Hello, World!";
  json   ``GET /user/{id}`` answered with JSON, in an app of 200 routes
         (199 other plain and dynamic routes registered before it);
  post   a 16 KiB ``POST /echo-len``, read fully, answered with its length.

Two modes: ``run_app`` (the default) serves the app with ``web.run_app`` in
one process; ``gunicorn`` serves it with gunicorn, 2 workers of the
``aiohttp.worker.GunicornWebWorker`` class, no access log.

The same app file runs under two interpreters: this environment's (our
``aiohttp``) and a separate venv holding aiohttp 3.14.5 from PyPI (plus
gunicorn in gunicorn mode), which the script makes once under the user
cache directory (``uv venv`` + ``uv pip install``).  Servers never run
together: rounds alternate ours and theirs.  Each round starts a fresh
server, checks one response body with urllib, warms up, then runs ``wrk
-t1`` for the given duration.  Two figures per run: wall-clock requests/s
as wrk reports it, and requests per CPU-second of the server processes
(utime + stime from ``/proc/<pid>/stat`` around the run, summed over the
gunicorn master and its workers in gunicorn mode).
The table shows medians over the rounds and ours / aiohttp ratios.  The
machine is shared and noisy: trust ratios over absolute numbers, and rerun
with more rounds before reading much into a few percent.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import NamedTuple

from anchor import AIOHTTP_VERSION, anchor_python

POST_SIZE = 16 * 1024
CONNECTIONS = 50
WARMUP_SECONDS = 1
SCENARIOS = {
    "hello": "GET / -> text",
    "json": "GET /user/{id}, 200 routes -> JSON",
    "post": "POST 16 KiB /echo-len",
}
CLK_TCK = os.sysconf("SC_CLK_TCK")
MODES = ("run_app", "gunicorn")
GUNICORN_WORKERS = 2
GUNICORN_WORKER_CLASS = "aiohttp.GunicornWebWorker"

APP_SOURCE = '''\
"""The app under test: python app.py <scenario> <port>, or app:gunicorn_app."""

import os
import sys

from aiohttp import web


async def hello(request):
    return web.Response(text="Hello, World!")


async def user(request):
    return web.json_response({"id": request.match_info["id"], "name": "someone"})


async def other(request):
    return web.Response(text="other")


async def echo_len(request):
    body = await request.read()
    return web.Response(text=str(len(body)))


def make_app(scenario):
    app = web.Application()
    if scenario == "hello":
        app.router.add_get("/", hello)
    elif scenario == "json":
        for i in range(199):
            if i % 2:
                app.router.add_get(f"/plain/{i}", other)
            else:
                app.router.add_get(f"/dyn{i}/{{name}}/items", other)
        app.router.add_get("/user/{id}", user)
    elif scenario == "post":
        app.router.add_post("/echo-len", echo_len)
    return app


async def gunicorn_app():
    # A coroutine factory: the one kind of target both workers take.
    return make_app(os.environ["BENCH_SCENARIO"])


def main():
    scenario, port = sys.argv[1], int(sys.argv[2])
    app = make_app(scenario)
    profile_out = os.environ.get("BENCH_PROFILE")
    if not profile_out:
        web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)
    finally:
        profiler.disable()
        profiler.dump_stats(profile_out)


if __name__ == "__main__":
    main()
'''

WRK_POST_LUA = f"""\
wrk.method = "POST"
wrk.body = string.rep("x", {POST_SIZE})
wrk.headers["Content-Type"] = "application/octet-stream"
"""


class Run(NamedTuple):
    """One wrk run against one server."""

    rps: float
    per_cpu: float


def ensure_wrk() -> str:
    """The path of wrk, installed from Debian when missing and run as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is missing: install it (apt-get install wrk) and rerun")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk could not be installed")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stat_fields(pid: int) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the pid and command name."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name may hold spaces: split after its closing parenthesis.
    return stat[stat.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    fields = _stat_fields(pid)
    # Fields 14 and 15 of the full line are 12 and 13 after pid and comm.
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def children(pid: int) -> list[int]:
    """The pids of the processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # Field 4 of the full line, the parent pid, is 2 after pid and comm.
            if int(_stat_fields(int(entry.name))[1]) == pid:
                found.append(int(entry.name))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


class Server:
    """One app served in a subprocess by one interpreter."""

    def __init__(self, python: Path, app: Path, scenario: str) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            self.command(python, app, scenario),
            stdout=subprocess.DEVNULL,
            env={**os.environ, "BENCH_SCENARIO": scenario},
        )
        self.url = f"http://127.0.0.1:{self.port}"
        self._wait_ready()

    def command(self, python: Path, app: Path, scenario: str) -> list[str]:
        """The command line that serves the app."""
        return [str(python), str(app), scenario, str(self.port)]

    def pids(self) -> list[int]:
        """The processes whose CPU time the server costs."""
        return [self.proc.pid]

    def _started(self) -> bool:
        return True

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"server exited with {self.proc.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    if self._started():
                        return
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        sys.exit("server did not start listening")

    def stop(self) -> None:
        """SIGINT (a graceful run_app shutdown), then kill if it lingers."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class GunicornServer(Server):
    """The app served by gunicorn with 2 aiohttp workers."""

    def command(self, python: Path, app: Path, scenario: str) -> list[str]:
        """gunicorn with the coroutine factory of the app file."""
        return [
            str(python),
            "-m",
            "gunicorn",
            "app:gunicorn_app",
            "--chdir",
            str(app.parent),
            "--worker-class",
            GUNICORN_WORKER_CLASS,
            "--workers",
            str(GUNICORN_WORKERS),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--no-control-socket",
            "--log-level",
            "warning",
        ]

    def pids(self) -> list[int]:
        """The master and its workers."""
        return [self.proc.pid, *children(self.proc.pid)]

    def _started(self) -> bool:
        return len(children(self.proc.pid)) == GUNICORN_WORKERS


def check_body(server: Server, scenario: str) -> None:
    """Fail unless one request answers the expected body."""
    if scenario == "hello":
        req = urllib.request.Request(server.url + "/")
    elif scenario == "json":
        req = urllib.request.Request(server.url + "/user/42")
    else:
        req = urllib.request.Request(
            server.url + "/echo-len", data=b"x" * POST_SIZE, method="POST"
        )
    with urllib.request.urlopen(req, timeout=10) as resp:
        body = resp.read()
        status = resp.status
    if scenario == "hello":
        ok = body == b"Hello, World!"
    elif scenario == "json":
        ok = json.loads(body) == {"id": "42", "name": "someone"}
    else:
        ok = body == str(POST_SIZE).encode()
    if status != 200 or not ok:
        sys.exit(f"{scenario}: wrong answer {status} {body[:200]!r}")


def wrk(
    wrk_bin: str, server: Server, scenario: str, lua: Path, seconds: float
) -> tuple[float, int]:
    """Run wrk once; return its req/s and the request count, or exit on errors."""
    path = (
        "/user/42" if scenario == "json" else "/echo-len" if scenario == "post" else "/"
    )
    cmd = [wrk_bin, "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s"]
    if scenario == "post":
        cmd += ["-s", str(lua)]
    cmd.append(server.url + path)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    problems = [
        line.strip()
        for line in out.splitlines()
        if "Non-2xx" in line or "Socket errors" in line
    ]
    if problems:
        sys.exit(f"{scenario}: wrk reported errors: {problems}\n{out}")
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    count = re.search(r"(\d+) requests in", out)
    if not rps or not count:
        sys.exit(f"cannot read wrk's output:\n{out}")
    return float(rps.group(1)), int(count.group(1))


def one_run(
    wrk_bin: str,
    python: Path,
    app: Path,
    scenario: str,
    lua: Path,
    seconds: float,
    mode: str,
) -> Run:
    """Start a server, check it, warm it up, load it and measure."""
    server = (GunicornServer if mode == "gunicorn" else Server)(python, app, scenario)
    try:
        check_body(server, scenario)
        wrk(wrk_bin, server, scenario, lua, WARMUP_SECONDS)
        # Read after the warm-up: every gunicorn worker has booted by now.
        pids = server.pids()
        before = sum(cpu_seconds(pid) for pid in pids)
        rps, count = wrk(wrk_bin, server, scenario, lua, seconds)
        used = sum(cpu_seconds(pid) for pid in pids) - before
        if set(server.pids()) != set(pids):
            sys.exit(f"{scenario}: a server process came or went during the run")
    finally:
        server.stop()
    return Run(rps, count / used if used > 0 else float("nan"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=5, help="seconds per run")
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help="comma-separated subset"
    )
    parser.add_argument(
        "--mode",
        choices=MODES,
        default="run_app",
        help="serve with web.run_app, or with gunicorn and 2 aiohttp workers",
    )
    args = parser.parse_args()
    scenarios = [name for name in args.scenarios.split(",") if name]
    for name in scenarios:
        if name not in SCENARIOS:
            sys.exit(f"unknown scenario {name!r}; choose from {', '.join(SCENARIOS)}")

    wrk_bin = ensure_wrk()
    extra = ("gunicorn",) if args.mode == "gunicorn" else ()
    contenders = {"ours": Path(sys.executable), "aiohttp": anchor_python(*extra)}
    results: dict[tuple[str, str], list[Run]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        app = Path(tmp) / "app.py"
        app.write_text(APP_SOURCE)
        lua = Path(tmp) / "post.lua"
        lua.write_text(WRK_POST_LUA)
        for scenario in scenarios:
            for rnd in range(args.rounds):
                for name, python in contenders.items():
                    run = one_run(
                        wrk_bin, python, app, scenario, lua, args.duration, args.mode
                    )
                    results.setdefault((scenario, name), []).append(run)
                    print(
                        f"{scenario:6} round {rnd + 1}/{args.rounds} {name:8}"
                        f" {run.rps:10.0f} req/s {run.per_cpu:10.0f} req/CPU-s",
                        flush=True,
                    )
    print_table(scenarios, results, args)


def print_table(
    scenarios: list[str],
    results: dict[tuple[str, str], list[Run]],
    args: argparse.Namespace,
) -> None:
    print()
    served = (
        f"gunicorn, {GUNICORN_WORKERS} workers"
        if args.mode == "gunicorn"
        else "run_app"
    )
    print(
        f"medians of {args.rounds} rounds x {args.duration} s, {served},"
        f" wrk -t1 -c{CONNECTIONS}; anchor aiohttp {AIOHTTP_VERSION}"
    )
    header = (
        f"{'scenario':38} {'ours req/s':>11} {'aio req/s':>11} {'ratio':>6}"
        f" {'ours /CPU-s':>12} {'aio /CPU-s':>12} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for scenario in scenarios:
        ours, theirs = results[(scenario, "ours")], results[(scenario, "aiohttp")]
        o_rps = statistics.median(r.rps for r in ours)
        a_rps = statistics.median(r.rps for r in theirs)
        o_cpu = statistics.median(r.per_cpu for r in ours)
        a_cpu = statistics.median(r.per_cpu for r in theirs)
        print(
            f"{scenario + ': ' + SCENARIOS[scenario]:38} {o_rps:11.0f} {a_rps:11.0f}"
            f" {o_rps / a_rps:5.2f}x {o_cpu:12.0f} {a_cpu:12.0f} {o_cpu / a_cpu:5.2f}x"
        )


if __name__ == "__main__":
    main()
