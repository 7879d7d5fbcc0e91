"""Benchmark multipart reading and writing, ours against aiohttp 3.14.5.

Run from the workspace root:

    uv run python benchmarks/multipart.py [--rounds N]

Workloads, each read and written:

  (1) a multipart/form-data body of 1,000 small text fields;
  (2) a multipart/form-data body holding one 50 MiB file.

Writing builds a ``MultipartWriter`` (the file part from a real file on
disk, read in the executor by both) and writes it to a writer that only
counts bytes.  Reading feeds the body into a ``StreamReader`` in 64 KiB
pieces, as a socket would, then walks it with ``MultipartReader``: small
fields with ``part.read()``, the file with ``read_chunk(65536)``.

The anchor is aiohttp 3.14.5 from PyPI, installed by this script into a
separate venv under the user cache directory (``uv venv`` + ``uv pip
install``) and measured in a worker subprocess of that venv running this
same file.  Rounds alternate the contenders in a rotating order and time
wall clock (the file reads run in threads); the table gives the median of
the rounds and each figure as a ratio to aiohttp's.  No absolute time is
asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from anchor import AIOHTTP_VERSION, anchor_python

FIELDS = 1000
FILE_SIZE = 50 * 2**20
READ_SIZE = 64 * 1024
BOUNDARY = "----WebKitFormBoundaryu7ZnEXpaCt9sB4Rc"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"
WORKLOADS = {
    "fields write": "1,000 small fields, written",
    "fields read": "1,000 small fields, read",
    "file write": "one 50 MiB file, written",
    "file read": "one 50 MiB file, read",
}
CONTENDERS = ("ours", f"aiohttp {AIOHTTP_VERSION}")


def load_api(anchor: bool) -> SimpleNamespace:
    """The classes of one contender, by the same names."""
    if anchor:
        from aiohttp import MultipartReader, MultipartWriter
        from aiohttp.base_protocol import BaseProtocol
        from aiohttp.streams import StreamReader
    else:
        from aiohttp_core.base_protocol import BaseProtocol
        from aiohttp_core.multipart import MultipartReader, MultipartWriter
        from aiohttp_core.streams import StreamReader
    return SimpleNamespace(
        MultipartReader=MultipartReader,
        MultipartWriter=MultipartWriter,
        BaseProtocol=BaseProtocol,
        StreamReader=StreamReader,
    )


class CountingWriter:
    """A stream writer that only counts what it is given."""

    def __init__(self) -> None:
        self.count = 0

    async def write(self, chunk: bytes) -> None:
        self.count += len(chunk)


def fields_body() -> bytes:
    parts = [
        f"--{BOUNDARY}\r\n"
        f'Content-Disposition: form-data; name="field{i}"\r\n'
        "\r\n"
        f"value number {i}\r\n"
        for i in range(FIELDS)
    ]
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


def file_body(path: Path) -> bytes:
    head = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n"
        "\r\n"
    ).encode()
    return head + path.read_bytes() + f"\r\n--{BOUNDARY}--\r\n".encode()


async def write_fields(api: SimpleNamespace, _: Path) -> tuple[int, int]:
    writer = api.MultipartWriter("form-data", boundary=BOUNDARY)
    for i in range(FIELDS):
        part = writer.append(f"value number {i}")
        part.set_content_disposition("form-data", name=f"field{i}")
    counter = CountingWriter()
    await writer.write(counter)
    return len(writer._parts), counter.count


async def write_file(api: SimpleNamespace, path: Path) -> tuple[int, int]:
    writer = api.MultipartWriter("form-data", boundary=BOUNDARY)
    with path.open("rb") as handle:
        part = writer.append(handle)
        part.set_content_disposition("form-data", name="file", filename="big.bin")
        counter = CountingWriter()
        await writer.write(counter)
    return 1, counter.count


def stream_of(api: SimpleNamespace, pieces: list[bytes]) -> Any:
    loop = asyncio.get_running_loop()
    # A limit above the body size: nothing here can pause a transport.
    stream = api.StreamReader(api.BaseProtocol(loop), 2**30, loop=loop)
    for piece in pieces:
        stream.feed_data(piece)
    stream.feed_eof()
    return stream


async def read_fields(api: SimpleNamespace, stream: Any) -> tuple[int, int]:
    reader = api.MultipartReader({"Content-Type": CONTENT_TYPE}, stream)
    count = total = 0
    while (part := await reader.next()) is not None:
        assert part.name is not None
        total += len(await part.read())
        count += 1
    return count, total


async def read_file(api: SimpleNamespace, stream: Any) -> tuple[int, int]:
    reader = api.MultipartReader({"Content-Type": CONTENT_TYPE}, stream)
    count = total = 0
    while (part := await reader.next()) is not None:
        while chunk := await part.read_chunk(READ_SIZE):
            total += len(chunk)
        count += 1
    return count, total


class Bench:
    """Runs the workloads of one contender in this process."""

    def __init__(self, anchor: bool, file_path: Path) -> None:
        self.api = load_api(anchor)
        self.path = file_path
        self.loop = asyncio.new_event_loop()
        bodies = {"fields read": fields_body(), "file read": file_body(file_path)}
        self.pieces = {
            key: [body[i : i + READ_SIZE] for i in range(0, len(body), READ_SIZE)]
            for key, body in bodies.items()
        }

    def run(self, workload: str) -> tuple[float, tuple[int, int]]:
        """Time one run of a workload; return seconds and a check value."""

        async def once() -> tuple[float, tuple[int, int]]:
            gc.collect()
            if workload.endswith("read"):
                stream = stream_of(self.api, self.pieces[workload])
                reader = read_fields if workload == "fields read" else read_file
                start = time.perf_counter()
                result = await reader(self.api, stream)
            else:
                writer = write_fields if workload == "fields write" else write_file
                start = time.perf_counter()
                result = await writer(self.api, self.path)
            return time.perf_counter() - start, result

        return self.loop.run_until_complete(once())


def worker(file_path: Path) -> None:
    """The anchor side: answer one JSON request per line."""
    import aiohttp

    bench = Bench(True, file_path)
    print(json.dumps({"version": aiohttp.__version__}), flush=True)
    for line in sys.stdin:
        seconds, result = bench.run(json.loads(line)["workload"])
        print(json.dumps({"seconds": seconds, "result": result}), flush=True)


class Anchor:
    """The worker subprocess running the anchor."""

    def __init__(self, python: Path, file_path: Path) -> None:
        self.proc = subprocess.Popen(
            [str(python), __file__, "--worker", str(file_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.version = self._read()["version"]

    def _read(self) -> Any:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            sys.exit("the anchor worker died")
        return json.loads(line)

    def run(self, workload: str) -> tuple[float, tuple[int, int]]:
        """Time one run of a workload in the worker."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"workload": workload}) + "\n")
        self.proc.stdin.flush()
        answer = self._read()
        return answer["seconds"], tuple(answer["result"])  # type: ignore[return-value]

    def close(self) -> None:
        """Let the worker finish."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def main() -> None:
    """Measure both contenders on every workload and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    with tempfile.TemporaryDirectory() as tmp:
        file_path = Path(tmp) / "big.bin"
        file_path.write_bytes(os.urandom(FILE_SIZE))
        anchor = Anchor(anchor_python(), file_path)
        ours = Bench(False, file_path)
        runners = {CONTENDERS[0]: ours.run, CONTENDERS[1]: anchor.run}
        for workload in WORKLOADS:  # warm up, and check both agree
            results = {name: run(workload)[1] for name, run in runners.items()}
            if len(set(results.values())) != 1:
                sys.exit(f"contenders disagree on {workload}: {results}")
        times: dict[tuple[str, str], list[float]] = {}
        for round_no in range(args.rounds):
            order = list(CONTENDERS)
            if round_no % 2:
                order.reverse()
            for workload in WORKLOADS:
                for name in order:
                    seconds, _ = runners[name](workload)
                    times.setdefault((name, workload), []).append(seconds)
        anchor.close()
    print(f"\nmedian of {args.rounds} rounds (aiohttp {anchor.version} in a venv)")
    print(f"{'workload':34} {'ours':>10} {'aiohttp':>10} {'speed-up':>9}")
    for workload, title in WORKLOADS.items():
        mine = statistics.median(times[CONTENDERS[0], workload])
        theirs = statistics.median(times[CONTENDERS[1], workload])
        print(
            f"{title:34} {mine * 1e3:8.2f}ms {theirs * 1e3:8.2f}ms "
            f"{theirs / mine:8.2f}x"
        )


if __name__ == "__main__":
    main()
