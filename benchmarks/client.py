"""Benchmark the HTTP client, ours against aiohttp 3.14.5 and httpx.

Run from the workspace root:

    uv run python benchmarks/client.py [--rounds N] [--requests N] [--mib N]

Scenarios, each against one minimal asyncio server running in its own
process (it answers every request head on a keep-alive connection without
parsing more than it must):

  c1    ``--requests`` GETs of a 13-byte body, one after the other;
  c32   the same number of GETs from 32 concurrent tasks sharing a session;
  big   one GET of a ``--mib`` MiB body, read in chunks as it arrives.

Each client runs in a fresh subprocess: ours with this environment's
interpreter (``aiohttp_client``), aiohttp 3.14.5 from the shared anchor venv
(see ``anchor.py``) and httpx from this environment.  Rounds alternate the
three; the first table shows medians of requests/s (MiB/s for ``big``) and
the ratios of ours to each of the others, the second the medians of each
client process's own CPU time per request (per MiB for ``big``).  The
machine is shared and noisy: trust ratios over absolute numbers, and CPU
time over rates.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from anchor import AIOHTTP_VERSION, anchor_python

SCENARIOS = {
    "c1": "GET 13 B, concurrency 1",
    "c32": "GET 13 B, concurrency 32",
    "big": "GET of a large body",
}
CONCURRENCY = {"c1": 1, "c32": 32}

SERVER_SOURCE = '''\
"""A minimal keep-alive HTTP/1.1 server: python server.py <port> <big-bytes>."""

import asyncio
import sys

SMALL = (
    b"HTTP/1.1 200 OK\\r\\nContent-Length: 13\\r\\n"
    b"Content-Type: text/plain\\r\\n\\r\\nHello, World!"
)
BLOCK = b"x" * (1 << 20)


class Http(asyncio.Protocol):
    def __init__(self, big):
        self.big = big
        self.buffer = b""

    def connection_made(self, transport):
        self.transport = transport
        self.writable = asyncio.Event()
        self.writable.set()

    def data_received(self, data):
        self.buffer += data
        while True:
            end = self.buffer.find(b"\\r\\n\\r\\n")
            if end < 0:
                return
            head, self.buffer = self.buffer[:end], self.buffer[end + 4:]
            if head.startswith(b"GET /big "):
                asyncio.ensure_future(self.send_big())
            else:
                self.transport.write(SMALL)

    async def send_big(self):
        size = self.big
        self.transport.write(
            b"HTTP/1.1 200 OK\\r\\nContent-Length: %d\\r\\n\\r\\n" % size
        )
        while size > 0:
            chunk = BLOCK[: min(size, len(BLOCK))]
            self.transport.write(chunk)
            size -= len(chunk)
            await self.writable.wait()

    def pause_writing(self):
        self.writable.clear()

    def resume_writing(self):
        self.writable.set()


async def main():
    port, big = int(sys.argv[1]), int(sys.argv[2])
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Http(big), "127.0.0.1", port)
    async with server:
        await server.serve_forever()


asyncio.run(main())
'''

CLIENT_SOURCE = '''\
"""python client.py <lib> <scenario> <url> <requests> <concurrency>: prints JSON."""

import asyncio
import json
import sys
import time

lib, scenario, url, requests, concurrency = sys.argv[1:6]
requests, concurrency = int(requests), int(concurrency)


async def run_aiohttp(module):
    async with module.ClientSession() as session:
        async def get(target):
            async with session.get(target) as resp:
                return await resp.read()

        async def download(target):
            total = 0
            async with session.get(target) as resp:
                async for chunk in resp.content.iter_chunked(1 << 16):
                    total += len(chunk)
            return total

        return await measure(get, download)


async def run_httpx():
    import httpx

    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(limits=limits) as client:
        async def get(target):
            resp = await client.get(target)
            return resp.content

        async def download(target):
            total = 0
            async with client.stream("GET", target) as resp:
                async for chunk in resp.aiter_bytes(1 << 16):
                    total += len(chunk)
            return total

        return await measure(get, download)


async def measure(get, download):
    if scenario == "big":
        await get(url.replace("/big", "/warm"))
        cpu, start = time.process_time(), time.perf_counter()
        total = await download(url)
        return {
            "seconds": time.perf_counter() - start,
            "cpu": time.process_time() - cpu,
            "bytes": total,
        }
    for _ in range(min(200, requests)):  # warm up the pool and the code
        assert await get(url) == b"Hello, World!"
    per_task = requests // concurrency

    async def worker():
        for _ in range(per_task):
            await get(url)

    cpu, start = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return {
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time() - cpu,
        "requests": per_task * concurrency,
    }


def main():
    if lib == "ours":
        import aiohttp_client as module

        result = asyncio.run(run_aiohttp(module))
    elif lib == "aiohttp":
        import aiohttp as module

        result = asyncio.run(run_aiohttp(module))
    else:
        result = asyncio.run(run_httpx())
    print(json.dumps(result))


main()
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """The minimal server, in a subprocess of this interpreter."""

    def __init__(self, script: Path, big: int) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, str(script), str(self.port), str(big)]
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    sys.exit("the benchmark server did not start")
                time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server process."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run_client(
    python: Path, script: Path, lib: str, scenario: str, url: str, requests: int
) -> tuple[float, float]:
    """One client run in a fresh process: its rate and its CPU time per unit.

    The rate is requests/s (MiB/s for ``big``); the CPU time is the client
    process's own, in microseconds per request (per MiB for ``big``), which
    other work on the machine disturbs much less.
    """
    concurrency = CONCURRENCY.get(scenario, 1)
    out = subprocess.run(
        [str(python), str(script), lib, scenario, url, str(requests), str(concurrency)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    if out.returncode != 0:
        sys.exit(f"{lib} {scenario} failed:\n{out.stderr}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    seconds, cpu = float(result["seconds"]), float(result["cpu"])
    if scenario == "big":
        mib = float(result["bytes"]) / (1 << 20)
        return mib / seconds, cpu * 1e6 / mib
    requests_done = float(result["requests"])
    return requests_done / seconds, cpu * 1e6 / requests_done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--mib", type=int, default=100, help="size of the big body")
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help="comma-separated subset"
    )
    args = parser.parse_args()
    scenarios = [name for name in args.scenarios.split(",") if name]
    for name in scenarios:
        if name not in SCENARIOS:
            sys.exit(f"unknown scenario {name!r}; choose from {', '.join(SCENARIOS)}")
    contenders = {
        "ours": Path(sys.executable),
        "aiohttp": anchor_python(),
        "httpx": Path(sys.executable),
    }
    results: dict[tuple[str, str], list[float]] = {}
    cpu_results: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        server_script = Path(tmp) / "server.py"
        server_script.write_text(SERVER_SOURCE)
        client_script = Path(tmp) / "client.py"
        client_script.write_text(CLIENT_SOURCE)
        server = Server(server_script, args.mib << 20)
        try:
            base = f"http://127.0.0.1:{server.port}"
            for scenario in scenarios:
                url = f"{base}/big" if scenario == "big" else f"{base}/"
                unit = "MiB/s" if scenario == "big" else "req/s"
                for rnd in range(args.rounds):
                    for lib, python in contenders.items():
                        value, cpu = run_client(
                            python, client_script, lib, scenario, url, args.requests
                        )
                        results.setdefault((scenario, lib), []).append(value)
                        cpu_results.setdefault((scenario, lib), []).append(cpu)
                        print(
                            f"{scenario:4} round {rnd + 1}/{args.rounds} {lib:8}"
                            f" {value:10.1f} {unit} {cpu:8.1f} {cpu_unit(scenario)}",
                            flush=True,
                        )
        finally:
            server.stop()
    print_table(scenarios, results, args)
    print_cpu_table(scenarios, cpu_results)


def cpu_unit(scenario: str) -> str:
    """The unit of the client CPU time of ``scenario``."""
    return "us/MiB" if scenario == "big" else "us/req"


def print_cpu_table(
    scenarios: list[str], results: dict[tuple[str, str], list[float]]
) -> None:
    """Medians of the clients' own CPU time; ratios are theirs over ours."""
    print()
    print("client CPU time (lower is better); ratios: theirs / ours")
    header = (
        f"{'scenario':34} {'ours':>10} {'aiohttp':>10} {'httpx':>10}"
        f" {'aiohttp/':>9} {'httpx/':>8}"
    )
    print(header)
    print("-" * len(header))
    for scenario in scenarios:
        ours = statistics.median(results[(scenario, "ours")])
        anchor = statistics.median(results[(scenario, "aiohttp")])
        httpx = statistics.median(results[(scenario, "httpx")])
        label = f"{scenario}: {SCENARIOS[scenario]} {cpu_unit(scenario)}"
        print(
            f"{label:34} {ours:10.1f} {anchor:10.1f} {httpx:10.1f}"
            f" {anchor / ours:8.2f}x {httpx / ours:7.2f}x"
        )


def print_table(
    scenarios: list[str],
    results: dict[tuple[str, str], list[float]],
    args: argparse.Namespace,
) -> None:
    """Medians and ratios, one line per scenario."""
    print()
    print(
        f"medians of {args.rounds} rounds, {args.requests} requests,"
        f" {args.mib} MiB body; anchor aiohttp {AIOHTTP_VERSION}"
    )
    header = (
        f"{'scenario':34} {'ours':>10} {'aiohttp':>10} {'httpx':>10}"
        f" {'/aiohttp':>9} {'/httpx':>8}"
    )
    print(header)
    print("-" * len(header))
    for scenario in scenarios:
        ours = statistics.median(results[(scenario, "ours")])
        anchor = statistics.median(results[(scenario, "aiohttp")])
        httpx = statistics.median(results[(scenario, "httpx")])
        unit = " MiB/s" if scenario == "big" else " req/s"
        print(
            f"{scenario + ': ' + SCENARIOS[scenario] + unit:34} {ours:10.1f}"
            f" {anchor:10.1f} {httpx:10.1f} {ours / anchor:8.2f}x {ours / httpx:7.2f}x"
        )


if __name__ == "__main__":
    main()
