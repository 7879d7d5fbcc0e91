"""Benchmark our HTTP/1.1 parsers against aiohttp 3.14.5's C parser and httptools.

Run from the repository root:

    uv run python benchmarks/parser.py [--rounds N]

Three workloads, each fed in 64 KiB reads as a socket would deliver them:

  (a) 10,000 pipelined browser GET requests with 10 header fields each;
  (b) 10,000 small keep-alive responses with a Content-Length body;
  (c) one response with a 10 MiB chunked body (8 KiB chunks).

Contenders: our compiled twin and our pure-Python twin (both in this
process, the project's environment), and, as anchors, the C parser of
aiohttp 3.14.5 and httptools, run in a worker subprocess of a separate venv
that this script creates once (``uv venv`` + ``uv pip install``) under the
user cache directory.  aiohttp's parser is given a protocol and a loop so
that it builds its full messages (CIMultiDict headers, yarl URLs, a
StreamReader per body), as ours build theirs; httptools only calls back
with raw bytes, which we collect into lists: it shows the cost of parsing
alone.

Rounds alternate the contenders (in a rotating order) and time each run in
CPU time of the process that does it; the tables give the median of the
rounds, in MB/s and messages/s, and each contender's throughput as a ratio
to aiohttp's.  No absolute time is asserted.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from anchor import anchor_python

READ_SIZE = 64 * 1024
MESSAGES = 10_000
CHUNKED_BODY = 10 * 1024 * 1024
CHUNK_SIZE = 8 * 1024
WORKLOADS = {
    "a": "10,000 pipelined GET requests",
    "b": "10,000 keep-alive responses",
    "c": "10 MiB chunked response body",
}
OURS = ("ours compiled", "ours pure Python")
ANCHORS = ("aiohttp 3.14.5 C", "httptools raw")


# -- workloads (built the same way in both processes) ---------------------------


def browser_requests(count: int) -> bytes:
    """Pipelined GETs as a browser sends them, each path and cookie different."""
    rnd = random.Random(1)
    kinds = ["js/app", "css/site", "img/logo", "fonts/inter", "api/items"]
    out = []
    for i in range(count):
        path = f"/static/{rnd.choice(kinds)}.{i}.js?v={rnd.randrange(10**6)}"
        out.append(
            f"GET {path} HTTP/1.1\r\n"
            "Host: www.example.com\r\n"
            "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) "
            "Gecko/20100101 Firefox/128.0\r\n"
            "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,"
            "*/*;q=0.8\r\n"
            "Accept-Language: en-US,en;q=0.5\r\n"
            "Accept-Encoding: gzip, deflate, br, zstd\r\n"
            "Referer: https://www.example.com/index.html\r\n"
            "Connection: keep-alive\r\n"
            f"Cookie: session={rnd.getrandbits(64):016x}; theme=dark\r\n"
            "Sec-Fetch-Dest: script\r\n"
            "Sec-Fetch-Mode: no-cors\r\n"
            "\r\n"
        )
    return "".join(out).encode("ascii")


def small_responses(count: int) -> bytes:
    """Keep-alive JSON responses with a Content-Length body."""
    rnd = random.Random(2)
    out = []
    for i in range(count):
        body = f'{{"id":{i},"status":"ok","items":[{rnd.randrange(1000)}]}}'
        out.append(
            "HTTP/1.1 200 OK\r\n"
            "Server: nginx/1.25.3\r\n"
            f"Date: Tue, 25 Nov 2025 13:{i // 60 % 60:02d}:{i % 60:02d} GMT\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: keep-alive\r\n"
            "Cache-Control: no-cache\r\n"
            "\r\n" + body
        )
    return "".join(out).encode("ascii")


def chunked_response(size: int, chunk: int) -> bytes:
    """One response whose body of ``size`` bytes comes in ``chunk``-byte chunks."""
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    data = bytes(range(256)) * (chunk // 256)
    one = b"%x\r\n%s\r\n" % (chunk, data)
    return head + one * (size // chunk) + b"0\r\n\r\n"


def workloads() -> dict[str, tuple[bool, list[bytes], int]]:
    """Per workload: is it responses, the reads, and the messages it holds."""
    out = {}
    for key, (response, data, count) in {
        "a": (False, browser_requests(MESSAGES), MESSAGES),
        "b": (True, small_responses(MESSAGES), MESSAGES),
        "c": (True, chunked_response(CHUNKED_BODY, CHUNK_SIZE), 1),
    }.items():
        reads = [data[i : i + READ_SIZE] for i in range(0, len(data), READ_SIZE)]
        out[key] = (response, reads, count)
    return out


# A runner feeds all the reads of a workload to a new parser.  Timed, it
# drops what the parser gives, as a server does once it handled a message
# (keeping 10,000 messages alive would time the garbage collector instead);
# asked to check, it counts the messages and body bytes, untimed.
Runner = Callable[[bool], tuple[int, int]]


def timed(runner: Runner) -> float:
    """One measurement, in seconds of CPU time of this process."""
    gc.collect()
    # CPU time rather than wall time: other load on the machine disturbs it less.
    start = time.process_time()
    runner(False)
    return time.process_time() - start


# -- the anchors, in the aiohttp venv ---------------------------------------------


def aiohttp_runner(response: bool, reads: list[bytes]) -> Runner:
    """Feed the reads to aiohttp's C parser, as its protocols do."""
    import asyncio

    from aiohttp import _http_parser

    class Protocol:
        """What a StreamReader asks of its protocol: flow control, ignored here."""

        def __init__(self) -> None:
            self._reading_paused = False

        def pause_reading(self) -> None:
            self._reading_paused = True

        def resume_reading(self, resume_parser: bool = True) -> None:
            self._reading_paused = False

    loop = asyncio.new_event_loop()
    protocol = Protocol()
    cls = (
        _http_parser.HttpResponseParser if response else _http_parser.HttpRequestParser
    )

    def run(check: bool) -> tuple[int, int]:
        parser = cls(protocol, loop, 2**16)
        if not check:
            for data in reads:
                parser.feed_data(data)
            return 0, 0
        payloads = []
        for data in reads:
            payloads += [payload for _, payload in parser.feed_data(data)[0]]
        return len(payloads), sum(getattr(p, "total_bytes", 0) for p in payloads)

    return run


def httptools_runner(response: bool, reads: list[bytes]) -> Runner:
    """Feed the reads to httptools, collecting what its callbacks give."""
    import httptools

    class Collector:
        def __init__(self) -> None:
            self.messages = 0
            self.body = 0
            self.url = b""
            self.headers: list[tuple[bytes, bytes]] = []

        def on_message_begin(self) -> None:
            self.headers = []

        def on_url(self, url: bytes) -> None:
            self.url = url

        def on_header(self, name: bytes, value: bytes) -> None:
            self.headers.append((name, value))

        def on_body(self, data: bytes) -> None:
            self.body += len(data)

        def on_message_complete(self) -> None:
            self.messages += 1

    cls = httptools.HttpResponseParser if response else httptools.HttpRequestParser

    def run(check: bool) -> tuple[int, int]:
        collector = Collector()
        parser = cls(collector)
        for data in reads:
            parser.feed_data(data)
        return collector.messages, collector.body

    return run


def worker() -> None:
    """Answer measurement requests (JSON lines) for the anchor contenders."""
    import httptools

    import aiohttp

    loads = workloads()
    runners = {
        (name, key): make(response, reads)
        for key, (response, reads, _) in loads.items()
        for name, make in zip(ANCHORS, (aiohttp_runner, httptools_runner), strict=True)
    }
    print(
        json.dumps({"aiohttp": aiohttp.__version__, "httptools": httptools.__version__})
    )
    sys.stdout.flush()
    for line in sys.stdin:
        request = json.loads(line)
        runner = runners[request["contender"], request["workload"]]
        if request["check"]:
            print(json.dumps(runner(True)))
        else:
            print(json.dumps(timed(runner)))
        sys.stdout.flush()


# -- ours, in the project environment ------------------------------------------


def ours_runner(cls: type, reads: list[bytes]) -> Runner:
    """Feed the reads to one of our parser twins."""
    from aiohttp_core.http_messages import BodyChunk, MessageEnd

    def run(check: bool) -> tuple[int, int]:
        parser = cls()
        if not check:
            for data in reads:
                parser.feed_data(data)
            return 0, 0
        events = [event for data in reads for event in parser.feed_data(data)]
        messages = sum(type(e) is MessageEnd for e in events)
        return messages, sum(len(e.data) for e in events if type(e) is BodyChunk)

    return run


class Anchors:
    """The worker subprocess that measures the anchors."""

    def __init__(self, python: Path) -> None:
        self.proc = subprocess.Popen(
            [str(python), __file__, "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.versions = self._read()

    def _read(self) -> Any:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            sys.exit("the anchor worker died")
        return json.loads(line)

    def measure(self, contender: str, workload: str, check: bool = False) -> Any:
        """Time (or check) a contender on a workload, in the worker."""
        assert self.proc.stdin is not None
        request = {"contender": contender, "workload": workload, "check": check}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        """Let the worker finish."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def main() -> None:
    """Measure every contender on every workload and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker()
        return

    from aiohttp_core import http_parser

    if (
        http_parser.HttpRequestParserC is None
        or http_parser.HttpResponseParserC is None
    ):
        sys.exit(
            "the compiled parser twin is not built (or AIOHTTP_NO_EXTENSIONS is set)"
        )
    anchors = Anchors(anchor_python("httptools"))
    loads = workloads()
    ours: dict[tuple[str, str], Runner] = {}
    for key, (response, reads, _) in loads.items():
        if response:
            compiled, pure = (
                http_parser.HttpResponseParserC,
                http_parser.HttpResponseParserPy,
            )
        else:
            compiled, pure = (
                http_parser.HttpRequestParserC,
                http_parser.HttpRequestParserPy,
            )
        ours[OURS[0], key] = ours_runner(compiled, reads)
        ours[OURS[1], key] = ours_runner(pure, reads)

    contenders = [*OURS, *ANCHORS]
    checks = {
        (name, key): tuple(
            ours[name, key](True) if name in OURS else anchors.measure(name, key, True)
        )
        for name in contenders
        for key in loads
    }
    times: dict[tuple[str, str], list[float]] = {}
    for round_no in range(args.rounds):
        shift = round_no % len(contenders)
        order = contenders[shift:] + contenders[:shift]
        for key in loads:
            for name in order:
                if name in OURS:
                    seconds = timed(ours[name, key])
                else:
                    seconds = anchors.measure(name, key)
                times.setdefault((name, key), []).append(seconds)
        print(f"round {round_no + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    anchors.close()
    report(loads, contenders, times, checks, anchors.versions)


def report(
    loads: dict[str, tuple[bool, list[bytes], int]],
    contenders: list[str],
    times: dict[tuple[str, str], list[float]],
    checks: dict[tuple[str, str], tuple[int, int]],
    versions: dict[str, str],
) -> None:
    """Print one table per workload and the verdict on the targets."""
    print(
        f"\nPython {sys.version.split()[0]}; anchors: aiohttp {versions['aiohttp']}, "
        f"httptools {versions['httptools']}; {len(next(iter(times.values())))} rounds,"
        " medians"
    )
    ratios: dict[tuple[str, str], float] = {}
    for key, (_, reads, count) in loads.items():
        size = sum(map(len, reads))
        print(f"\n({key}) {WORKLOADS[key]}: {size / 1e6:.1f} MB in 64 KiB reads")
        print(
            f"  {'contender':<20} {'median ms':>10} {'MB/s':>9} {'msgs/s':>11} "
            f"{'vs aiohttp':>11}"
        )
        anchor = statistics.median(times[ANCHORS[0], key])
        for name in contenders:
            seconds = statistics.median(times[name, key])
            if (
                checks[name, key] != checks[ANCHORS[0], key]
                or checks[name, key][0] != count
            ):
                print(f"  {name}: parsed (messages, body bytes) {checks[name, key]}!")
            ratios[name, key] = anchor / seconds
            print(
                f"  {name:<20} {seconds * 1e3:>10.2f} {size / seconds / 1e6:>9.1f} "
                f"{count / seconds:>11,.0f} {anchor / seconds:>10.2f}x"
            )
    print("\nTargets:")
    for key in ("a", "b"):
        ratio = ratios[OURS[0], key]
        verdict = "met" if ratio >= 1.5 else "NOT met"
        print(f"  ({key}) compiled >= 1.5x aiohttp: {ratio:.2f}x, {verdict}")
    for key in loads:
        ratio = ratios[OURS[1], key]
        verdict = "met" if ratio >= 0.2 else "NOT met"
        print(
            f"  ({key}) pure Python within 5x of aiohttp: 1/{1 / ratio:.2f}, {verdict}"
        )


if __name__ == "__main__":
    main()
