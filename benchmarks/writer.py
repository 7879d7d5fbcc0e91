"""Benchmark: serializing a response head, ours against aiohttp 3.14.5.

Run from the workspace root with ``uv run python benchmarks/writer.py``.

Contenders, each serializing the same status line and eight header fields
(a CIMultiDict, as a web response holds them):

* our compiled twin, ``serialize_headers`` and ``_serialize`` (the latter
  also reports the framing fields, and is what StreamWriter calls);
* our pure-Python twin, ``serialize_headers_py``;
* the anchor: aiohttp 3.14.5's compiled ``_serialize_headers``, installed from
  PyPI into a separate venv that this script makes (``uv venv`` and
  ``uv pip install``) and measured in a subprocess of that venv.

The contenders take turns round by round, in a rotating order, each timing
the same loop of calls; the medians are compared.  The figures include the
loop and call overhead, which is the same for all.  Note that aiohttp's
function checks less (as seen by running it): it refuses CR, LF and NUL, but
takes any name ("X Y", "X:Y", non-ASCII) and silently drops lone surrogates,
where ours refuses names that are not RFC 9110 tokens and raises
UnicodeEncodeError.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import multidict
from anchor import anchor_python, anchor_venv_dir

from aiohttp_core import http_writer

STATUS_LINE = "HTTP/1.1 200 OK"
FIELDS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Content-Length", "1234"),
    ("Date", "Sun, 06 Nov 1994 08:49:37 GMT"),
    ("Server", "Python/3.11 aiohttp/4.0"),
    ("Connection", "keep-alive"),
    ("Cache-Control", "no-cache"),
    ("Set-Cookie", "session=abc123; Path=/; HttpOnly"),
    ("X-Request-Id", "0f8fad5b-d9cb-469f-a165-70867728950e"),
]

# The timing loop, run as is in this process and in the anchor's.
TIMER = """
import gc
import time

def measure(func, status_line, headers, calls):
    perf = time.perf_counter
    calls = range(calls)
    gc.disable()
    try:
        start = perf()
        for _ in calls:
            func(status_line, headers)
        return perf() - start
    finally:
        gc.enable()
"""

# The anchor's side: build the same head, then time one round per line read.
ANCHOR = (
    TIMER
    + """
import json
import sys

import aiohttp
import multidict
from aiohttp._http_writer import _serialize_headers

status_line, fields = json.loads(sys.argv[1])
headers = multidict.CIMultiDict(fields)
head = _serialize_headers(status_line, headers)
print(json.dumps([aiohttp.__version__, multidict.__version__, len(head)]), flush=True)
for line in sys.stdin:
    seconds = measure(_serialize_headers, status_line, headers, int(line))
    print(seconds, flush=True)
"""
)

Timer = Callable[[Callable[..., Any], str, Any, int], float]


class Anchor:
    """aiohttp's serializer, timed in its own venv's interpreter."""

    def __init__(self, python: Path) -> None:
        self._proc = proc = subprocess.Popen(
            [str(python), "-c", ANCHOR, json.dumps([STATUS_LINE, FIELDS])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if proc.stdin is None or proc.stdout is None:  # pragma: no cover
            raise RuntimeError("no pipes to the aiohttp benchmark process")
        self._stdin, self._stdout = proc.stdin, proc.stdout
        version, md_version, size = json.loads(self._readline())
        self.description = f"aiohttp {version} (multidict {md_version})"
        self.head_size: int = size

    def _readline(self) -> str:
        line = self._stdout.readline()
        if not line:
            raise RuntimeError("the aiohttp benchmark process ended")
        return line

    def run(self, calls: int) -> float:
        """Time ``calls`` calls in the anchor's process, in seconds."""
        self._stdin.write(f"{calls}\n")
        self._stdin.flush()
        return float(self._readline())

    def close(self) -> None:
        """End the anchor's process."""
        self._stdin.close()
        self._proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000, help="calls per round")
    parser.add_argument("--rounds", type=int, default=9, help="rounds per contender")
    parser.add_argument(
        "--venv",
        type=Path,
        default=anchor_venv_dir(),
        help="where to keep the venv with aiohttp from PyPI (reused)",
    )
    args = parser.parse_args()

    if http_writer.serialize_headers_c is None:
        sys.exit(
            "our compiled twin is not in use (not built, or AIOHTTP_NO_EXTENSIONS "
            "is set): nothing to compare"
        )
    namespace: dict[str, Any] = {}
    exec(TIMER, namespace)
    measure: Timer = namespace["measure"]
    headers = multidict.CIMultiDict(FIELDS)
    expected = http_writer.serialize_headers_py(STATUS_LINE, headers)
    ours: dict[str, Callable[..., Any]] = {
        "ours, compiled serialize_headers": http_writer.serialize_headers_c,
        "ours, compiled _serialize (+ framing)": http_writer._serialize,
        "ours, pure Python serialize_headers": http_writer.serialize_headers_py,
    }
    if http_writer.serialize_headers_c(STATUS_LINE, headers) != expected:
        sys.exit("the twins disagree on the benchmark's head")

    anchor = Anchor(anchor_python(venv=args.venv))
    try:
        if anchor.head_size != len(expected):
            sys.exit(
                f"aiohttp's head is {anchor.head_size} bytes, ours {len(expected)}"
            )
        contenders: dict[str, Callable[[], float]] = {
            anchor.description: lambda: anchor.run(args.calls),
        }
        for name, func in ours.items():
            contenders[name] = functools.partial(
                measure, func, STATUS_LINE, headers, args.calls
            )
        names = list(contenders)
        for name in names:  # warm up
            contenders[name]()
        times: dict[str, list[float]] = {name: [] for name in names}
        for round_ in range(args.rounds):
            shift = round_ % len(names)
            for name in names[shift:] + names[:shift]:
                times[name].append(contenders[name]())
    finally:
        anchor.close()

    print(
        f"Head: {STATUS_LINE!r} + {len(FIELDS)} fields in a CIMultiDict "
        f"({len(expected)} bytes); {args.calls:,} calls per round, "
        f"{args.rounds} rounds; Python {sys.version.split()[0]}, "
        f"our multidict {multidict.__version__}"
    )
    anchor_median = statistics.median(times[names[0]])
    width = max(map(len, names))
    print(f"{'contender':<{width}}  median ns/call  speed vs aiohttp")
    for name in names:
        median = statistics.median(times[name])
        per_call = median / args.calls * 1e9
        ratio = anchor_median / median
        print(f"{name:<{width}}  {per_call:14.0f}  {ratio:15.2f}x")


if __name__ == "__main__":
    main()
