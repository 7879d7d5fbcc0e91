"""Install each built wheel into its own fresh venv and check what it brings.

For every distribution of the workspace: a wheel and an sdist exist; the
wheel's declared dependencies on our other distributions are exactly those
the design allows; installed with only those wheels (and PyPI packages), its
import package imports, and importing it loads none of our packages that it
does not depend on.
"""

from __future__ import annotations

import email.parser
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

# distribution -> (import name, our distributions it may depend on directly)
DESIGN: dict[str, tuple[str, set[str]]] = {
    "aiohttp-core": ("aiohttp_core", set()),
    "aiohttp-ws": ("aiohttp_ws", {"aiohttp-core"}),
    "aiohttp-client": ("aiohttp_client", {"aiohttp-core", "aiohttp-ws"}),
    "aiohttp-web": ("aiohttp_web", {"aiohttp-core", "aiohttp-ws"}),
    "aiohttp-testing": (
        "aiohttp_testing",
        {"aiohttp-core", "aiohttp-client", "aiohttp-web"},
    ),
    "aiohttp-gunicorn": ("aiohttp_gunicorn", {"aiohttp-web"}),
    "aiohttp": (
        "aiohttp",
        {
            "aiohttp-core",
            "aiohttp-ws",
            "aiohttp-client",
            "aiohttp-web",
            "aiohttp-testing",
            "aiohttp-gunicorn",
        },
    ),
}
OUR_IMPORTS = {name for name, _ in DESIGN.values()}


def wheel_for(dist_dir: Path, dist: str) -> Path:
    """The one wheel built for ``dist``."""
    stem = dist.replace("-", "_")
    wheels = sorted(dist_dir.glob(f"{stem}-*.whl"))
    if len(wheels) != 1:
        sys.exit(f"expected one wheel for {dist}, found {wheels}")
    if not list(dist_dir.glob(f"{stem}-*.tar.gz")):
        sys.exit(f"no sdist for {dist}")
    return wheels[0]


def declared_ours(wheel: Path) -> set[str]:
    """Our distributions that the wheel's metadata requires (without extras)."""
    with zipfile.ZipFile(wheel) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(zf.read(meta_name).decode())
    found = set()
    for req in meta.get_all("Requires-Dist") or []:
        if "extra ==" in req:
            continue
        name = req.split(";")[0].split("[")[0].split("=")[0].split(">")[0].strip()
        if name in DESIGN:
            found.add(name)
    return found


def closure(dist: str) -> set[str]:
    """``dist`` and everything of ours it needs, transitively."""
    todo, seen = [dist], set()
    while todo:
        d = todo.pop()
        if d not in seen:
            seen.add(d)
            todo.extend(DESIGN[d][1])
    return seen


PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
ours = sorted({m.split('.')[0] for m in sys.modules} & set(json.loads(sys.argv[2])))
print(json.dumps(ours))
"""
# The wheel built for this machine carries the compiled twins, in use.
COMPILED_PROBE = """
from aiohttp_core import http_parser, http_writer
assert http_parser.HttpRequestParser is http_parser.HttpRequestParserC, "parser"
assert http_parser.HttpResponseParser is http_parser.HttpResponseParserC, "parser"
assert http_writer.serialize_headers is http_writer.serialize_headers_c, "writer"
"""
WS_COMPILED_PROBE = """
from aiohttp_ws import mask, reader, writer
assert reader.WebSocketReader is reader.WebSocketReaderC, "ws reader"
assert writer.WebSocketWriter is writer.WebSocketWriterC, "ws writer"
assert mask.websocket_mask is mask.websocket_mask_c, "ws mask"
assert mask.masked is mask.masked_c, "ws masked copy"
"""


def check(dist_dir: Path, dist: str) -> None:
    """Install ``dist`` alone in a fresh venv and check what it imports."""
    import_name, allowed = DESIGN[dist]
    wheel = wheel_for(dist_dir, dist)
    declared = declared_ours(wheel)
    if declared != allowed:
        sys.exit(
            f"{dist} declares {sorted(declared)}, the design says {sorted(allowed)}"
        )
    needed = closure(dist)
    wheels = [str(wheel_for(dist_dir, d)) for d in sorted(needed)]
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run(["uv", "venv", "--quiet", str(venv)], check=True)
        python = str(venv / "bin" / "python")
        subprocess.run(
            ["uv", "pip", "install", "--quiet", "--python", python, *wheels], check=True
        )
        out = subprocess.run(
            [python, "-c", PROBE, import_name, json.dumps(sorted(OUR_IMPORTS))],
            check=True,
            capture_output=True,
            text=True,
            cwd=tmp,
        ).stdout
        if dist == "aiohttp-core":
            subprocess.run([python, "-c", COMPILED_PROBE], check=True, cwd=tmp)
        if dist == "aiohttp-ws":
            subprocess.run([python, "-c", WS_COMPILED_PROBE], check=True, cwd=tmp)
    loaded = set(json.loads(out))
    expected_imports = {DESIGN[d][0] for d in needed}
    if not loaded <= expected_imports:
        sys.exit(f"importing {import_name} loaded {sorted(loaded - expected_imports)}")
    print(f"ok  {dist:18} installs with {sorted(needed - {dist}) or 'no other piece'}")


def main() -> None:
    """Check every distribution of the design."""
    dist_dir = Path(sys.argv[1]).resolve()
    for dist in DESIGN:
        check(dist_dir, dist)


if __name__ == "__main__":
    main()
