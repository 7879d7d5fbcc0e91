"""Benchmark WebSockets, ours against aiohttp 3.14.5 and ``websockets``.

Run from the workspace root:

    uv run python benchmarks/websocket.py [--rounds N] [--quick] [--profile FILE]

Three pairs, each a server and a client of the same implementation, each in
its own process, over 127.0.0.1, without compression:

  ours        our ``web.WebSocketResponse`` and our client ``ws_connect``;
  aiohttp     aiohttp 3.14.5 from PyPI (server and client), in the shared
              anchor venv (see ``anchor.py``);
  websockets  the ``websockets`` library (asyncio API), this environment's.

Scenarios, all echoed by the server:

  echo    50,000 small TEXT messages, one at a time (send, wait for the echo);
  burst   the same 50,000 sent in bursts of 100, then their 100 echoes read;
  binary  100 MiB in BINARY messages of 64 KiB, 16 in flight at a time.

Rounds alternate the pairs; the tables show the medians over the rounds:
messages/s (echo, burst) and MB/s of payload one way (binary), with the
ratio of ours to each other.  ``--quick`` uses a tenth of the counts, for a
smoke run.  ``--profile FILE`` profiles our client process (cProfile) in
the last round and prints its top functions.  The machine is shared and
noisy: trust ratios over absolute numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from anchor import AIOHTTP_VERSION, anchor_python

MESSAGES = 50_000
BURST = 100
BINARY_TOTAL = 100 * 1024 * 1024
BINARY_SIZE = 64 * 1024
BINARY_WINDOW = 16
SCENARIOS = ("echo", "burst", "binary")
PAIRS = ("ours", "aiohttp", "websockets")

SERVER_SOURCE = '''\
"""An echo WebSocket server: python server.py <kind> <port>."""

import asyncio
import sys


def aiohttp_server(port):
    from aiohttp import WSMsgType, web

    async def echo(request):
        ws = web.WebSocketResponse(max_msg_size=0, compress=False)
        await ws.prepare(request)
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await ws.send_str(msg.data)
            elif msg.type == WSMsgType.BINARY:
                await ws.send_bytes(msg.data)
        return ws

    app = web.Application()
    app.router.add_get("/ws", echo)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def websockets_server(port):
    from websockets.asyncio.server import serve

    async def echo(conn):
        async for message in conn:
            await conn.send(message)

    async def main():
        async with serve(
            echo, "127.0.0.1", port, compression=None, max_size=None
        ) as server:
            await server.serve_forever()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    kind, port = sys.argv[1], int(sys.argv[2])
    if kind == "websockets":
        websockets_server(port)
    else:
        aiohttp_server(port)
'''

CLIENT_SOURCE = '''\
"""The client: python client.py <kind> <url> <server-pid> <messages> <burst>
<total> <size> <window> [profile-file]; prints, for each scenario, its
wall-clock seconds and the CPU seconds of this process and of the server."""

import asyncio
import json
import os
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


def server_cpu(pid):
    """CPU seconds of the server process so far.

    From the scheduler's nanosecond counts of each thread when the kernel
    keeps them: utime + stime come in clock ticks (10 ms), too coarse for
    a scenario that takes a few tens of milliseconds.
    """
    try:
        total = 0
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/schedstat") as stat:
                total += int(stat.read().split()[0])
        return total / 1e9
    except (OSError, ValueError, IndexError):
        pass
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK

TEXT = "x" * 32


class AiohttpClient:
    """aiohttp's client, or ours under the same API."""

    async def open(self, url):
        try:
            from aiohttp_client import ClientSession
            from aiohttp_client.ws_client import ws_connect
        except ImportError:  # aiohttp from PyPI
            from aiohttp import ClientSession

            def ws_connect(session, url, **kw):
                return session.ws_connect(url, **kw)

        self.session = ClientSession()
        self.ws = await ws_connect(self.session, url, max_msg_size=0)

    async def close(self):
        await self.ws.close()
        await self.session.close()

    def send_str(self, data):
        return self.ws.send_str(data)

    def send_bytes(self, data):
        return self.ws.send_bytes(data)

    async def receive(self):
        return (await self.ws.receive()).data


class WebsocketsClient:
    """The websockets library's asyncio client."""

    async def open(self, url):
        from websockets.asyncio.client import connect

        self.ws = await connect(url, compression=None, max_size=None)

    async def close(self):
        await self.ws.close()

    def send_str(self, data):
        return self.ws.send(data)

    def send_bytes(self, data):
        return self.ws.send(data)

    def receive(self):
        return self.ws.recv()


async def echo(client, count):
    for _ in range(count):
        await client.send_str(TEXT)
        if await client.receive() != TEXT:
            raise SystemExit("wrong echo")


async def burst(client, count, size):
    for _ in range(count // size):
        for _ in range(size):
            await client.send_str(TEXT)
        for _ in range(size):
            if await client.receive() != TEXT:
                raise SystemExit("wrong echo")


async def binary(client, total, size, window):
    payload = b"b" * size
    count = total // size
    sent = received = 0
    while received < count:
        while sent < count and sent - received < window:
            await client.send_bytes(payload)
            sent += 1
        if len(await client.receive()) != size:
            raise SystemExit("wrong echo")
        received += 1


async def main():
    kind, url, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    count, size, total, chunk, window = map(int, sys.argv[4:9])
    client = WebsocketsClient() if kind == "websockets" else AiohttpClient()
    await client.open(url)
    await echo(client, 500)  # warm-up
    results = {}
    runs = (
        ("echo", echo(client, count)),
        ("burst", burst(client, count, size)),
        ("binary", binary(client, total, chunk, window)),
    )
    for name, run in runs:
        cpu, theirs = time.process_time(), server_cpu(pid)
        start = time.perf_counter()
        await run
        wall = time.perf_counter() - start
        cpu, theirs = time.process_time() - cpu, server_cpu(pid) - theirs
        results[name] = (wall, cpu, theirs)
    await client.close()
    print(json.dumps(results))


if __name__ == "__main__":
    if len(sys.argv) > 9:
        import cProfile

        cProfile.run("asyncio.run(main())", sys.argv[9])
    else:
        asyncio.run(main())
'''


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """One echo server in a subprocess."""

    def __init__(self, python: Path, script: Path, kind: str) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [str(python), str(script), kind, str(self.port)],
            stdout=subprocess.DEVNULL,
        )
        self.url = f"ws://127.0.0.1:{self.port}/ws"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"{kind} server exited with {self.proc.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        sys.exit(f"{kind} server did not start listening")

    def stop(self) -> None:
        """SIGINT (a graceful shutdown), then kill if it lingers."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def one_round(
    pair: str,
    python: Path,
    tmp: Path,
    counts: tuple[int, int, int, int, int],
    profile: Path | None,
) -> dict[str, list[float]]:
    """Run the pair once: per scenario, wall, client CPU and server CPU seconds."""
    kind = "websockets" if pair == "websockets" else "aiohttp"
    server = Server(python, tmp / "server.py", kind)
    try:
        cmd = [str(python), str(tmp / "client.py"), kind, server.url]
        cmd += [str(server.proc.pid), *(str(value) for value in counts)]
        if profile is not None:
            cmd.append(str(profile))
        out = subprocess.run(
            cmd, capture_output=True, text=True, timeout=900, check=False
        )
    finally:
        server.stop()
    if out.returncode != 0:
        sys.exit(f"{pair} client failed:\n{out.stderr}")
    result: dict[str, list[float]] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def amount(scenario: str, counts: tuple[int, ...]) -> float:
    """What a scenario moves: messages for echo and burst, MB for binary."""
    count, _, total = counts[:3]
    return total / 1e6 if scenario == "binary" else float(count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="a tenth of the counts")
    parser.add_argument(
        "--pairs", default=",".join(PAIRS), help="comma-separated subset"
    )
    parser.add_argument(
        "--profile", type=Path, help="cProfile our client in the last round"
    )
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    counts = (
        MESSAGES // scale,
        BURST,
        BINARY_TOTAL // scale,
        BINARY_SIZE,
        BINARY_WINDOW,
    )
    pairs = [name for name in args.pairs.split(",") if name]
    for name in pairs:
        if name not in PAIRS:
            sys.exit(f"unknown pair {name!r}; choose from {', '.join(PAIRS)}")
    pythons = {"ours": Path(sys.executable), "websockets": Path(sys.executable)}
    if "aiohttp" in pairs:
        pythons["aiohttp"] = anchor_python()
    # results[pair][scenario] = [(per wall second, per CPU second), ...]
    results: dict[str, dict[str, list[tuple[float, float]]]] = {
        name: {} for name in pairs
    }
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        (tmp / "server.py").write_text(SERVER_SOURCE)
        (tmp / "client.py").write_text(CLIENT_SOURCE)
        for rnd in range(args.rounds):
            for pair in pairs:
                last = rnd == args.rounds - 1
                profile = args.profile if pair == "ours" and last else None
                measured = one_round(pair, pythons[pair], tmp, counts, profile)
                line = []
                for scenario in SCENARIOS:
                    wall, client_cpu, server_cpu = measured[scenario]
                    moved = amount(scenario, counts)
                    cpu = client_cpu + server_cpu
                    per_cpu = moved / cpu if cpu > 0 else float("nan")
                    results[pair].setdefault(scenario, []).append(
                        (moved / wall, per_cpu)
                    )
                    line.append(
                        f"{scenario} {moved / wall:8.0f} /s {per_cpu:8.0f} /CPU-s"
                    )
                print(
                    f"round {rnd + 1}/{args.rounds} {pair:10} " + "  ".join(line),
                    flush=True,
                )
    print_table(pairs, results, counts, args.rounds)
    if args.profile is not None and "ours" in pairs:
        print(f"\nour client, profiled in the last round ({args.profile}):")
        pstats.Stats(str(args.profile)).sort_stats("tottime").print_stats(25)


def print_table(
    pairs: list[str],
    results: dict[str, dict[str, list[tuple[float, float]]]],
    counts: tuple[int, ...],
    rounds: int,
) -> None:
    """Medians per pair and scenario, and ours / other ratios."""
    count, burst, total, size, window = counts
    print(
        f"\nmedians of {rounds} rounds; {count} messages of 32 bytes "
        f"(bursts of {burst}); {total // 2**20} MiB in {size // 1024} KiB "
        f"messages, {window} in flight; aiohttp {AIOHTTP_VERSION}; "
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    others = [name for name in pairs if name != "ours"]
    for column, title in ((0, "per wall-clock second"), (1, "per CPU second")):
        print(f"\n{title} (msg for echo and burst, MB for binary; CPU: both ends)")
        header = f"{'scenario':10}" + "".join(f"{name:>12}" for name in pairs)
        if "ours" in pairs:
            header += "".join(f"{'ours/' + name:>18}" for name in others)
        print(header)
        for scenario in SCENARIOS:
            medians = {
                name: statistics.median(r[column] for r in results[name][scenario])
                for name in pairs
            }
            row = f"{scenario:10}" + "".join(
                f"{medians[name]:>12.0f}" for name in pairs
            )
            if "ours" in pairs:
                row += "".join(
                    f"{medians['ours'] / medians[name]:>17.2f}x" for name in others
                )
            print(row)


if __name__ == "__main__":
    main()
