"""The anchor every benchmark compares with: aiohttp from PyPI in its own venv.

The venv is made once per machine under the user cache directory with
``uv venv`` and ``uv pip install``, and shared by all the benchmark scripts;
a script that needs more packages there (httptools, say) names them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

AIOHTTP_VERSION = "3.14.5"


def anchor_venv_dir() -> Path:
    """Where the shared anchor venv lives."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    major, minor = sys.version_info[:2]
    return cache / "aiohttp-benchmarks" / f"aiohttp-{AIOHTTP_VERSION}-py{major}{minor}"


def anchor_python(*extra: str, venv: Path | None = None) -> Path:
    """The anchor venv's interpreter, with aiohttp (and ``extra``) installed."""
    venv = venv or anchor_venv_dir()
    python = venv / "bin" / "python"
    imports = ", ".join(["aiohttp", *extra])
    check = f"import {imports}; assert aiohttp.__version__ == {AIOHTTP_VERSION!r}"
    if python.exists():
        found = subprocess.run([str(python), "-c", check], capture_output=True)
        if found.returncode == 0:
            return python
    else:
        subprocess.run(
            ["uv", "venv", "--quiet", "--python", sys.executable, str(venv)], check=True
        )
    wanted = [f"aiohttp=={AIOHTTP_VERSION}", *extra]
    print(f"preparing {venv} ({' '.join(wanted)})", flush=True)
    install = ["uv", "pip", "install", "--quiet", "--python", str(python)]
    subprocess.run([*install, *wanted], check=True)
    return python
