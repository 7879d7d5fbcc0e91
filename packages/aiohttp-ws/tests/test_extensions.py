"""The compiled twins are the ones in use, unless disabled or not built.

With ``AIOHTTP_REQUIRE_EXTENSIONS=1`` (CI sets it) a compiled twin that is
missing, or not the one in use, fails; AIOHTTP_NO_EXTENSIONS wins over it.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import subprocess
import sys
import textwrap

import pytest

TWINS: list[tuple[str, str, str, str]] = [
    ("aiohttp_ws.mask", "websocket_mask", "websocket_mask_c", "websocket_mask_py"),
    ("aiohttp_ws.mask", "masked", "masked_c", "masked_py"),
    ("aiohttp_ws.reader", "WebSocketReader", "WebSocketReaderC", "WebSocketReaderPy"),
    ("aiohttp_ws.writer", "WebSocketWriter", "WebSocketWriterC", "WebSocketWriterPy"),
]

NO_EXTENSIONS = bool(os.environ.get("AIOHTTP_NO_EXTENSIONS"))
REQUIRED = bool(os.environ.get("AIOHTTP_REQUIRE_EXTENSIONS")) and not NO_EXTENSIONS


def _is_compiled(obj: object) -> bool:
    module = sys.modules[obj.__module__]
    path = getattr(module, "__file__", None) or ""
    return path.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


@pytest.mark.parametrize(("module", "name", "compiled_name", "pure_name"), TWINS)
def test_selected_twin(
    module: str, name: str, compiled_name: str, pure_name: str
) -> None:
    mod = importlib.import_module(module)
    public = getattr(mod, name)
    compiled = getattr(mod, compiled_name)
    pure = getattr(mod, pure_name)
    assert not _is_compiled(pure)
    if NO_EXTENSIONS:
        assert compiled is None
        assert public is pure
    elif REQUIRED:
        assert compiled is not None, f"{module}.{compiled_name} is not built"
        assert _is_compiled(compiled), compiled
        assert public is compiled
    else:
        assert public is (pure if compiled is None else compiled)


def test_no_extensions_gives_the_pure_twins() -> None:
    script = textwrap.dedent(
        f"""
        import importlib
        for module, name, compiled, pure in {TWINS!r}:
            mod = importlib.import_module(module)
            assert getattr(mod, compiled) is None, (module, name)
            assert getattr(mod, name) is getattr(mod, pure), (module, name)
        print("pure")
        """
    )
    env = {**os.environ, "AIOHTTP_NO_EXTENSIONS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "pure"
