"""The compiled twins are the ones in use, unless disabled or not built.

Each entry of ``TWINS`` is a ``(module, name)`` pair: the module binds
``name`` to its compiled twin, also exposed as ``nameC`` (None when the
extension is not built or AIOHTTP_NO_EXTENSIONS is set), or else to its
pure-Python twin ``namePy``.  Add a pair here for every new compiled twin.

With ``AIOHTTP_REQUIRE_EXTENSIONS=1`` (CI sets it) a compiled twin that is
missing, or not the one in use, fails; without it these tests only check
that the selection is consistent.  AIOHTTP_NO_EXTENSIONS wins over it.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import subprocess
import sys
import textwrap

import pytest

TWINS: list[tuple[str, str]] = [
    ("aiohttp_core.http_parser", "HttpRequestParser"),
    ("aiohttp_core.http_parser", "HttpResponseParser"),
]

NO_EXTENSIONS = bool(os.environ.get("AIOHTTP_NO_EXTENSIONS"))
REQUIRED = bool(os.environ.get("AIOHTTP_REQUIRE_EXTENSIONS")) and not NO_EXTENSIONS


def _twins(module: str, name: str) -> tuple[object, object, object]:
    """The public object, the compiled twin (or None) and the pure twin."""
    mod = importlib.import_module(module)
    return getattr(mod, name), getattr(mod, name + "C"), getattr(mod, name + "Py")


def _is_compiled(obj: object) -> bool:
    module = sys.modules[obj.__module__]
    path = getattr(module, "__file__", None) or ""
    return path.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


@pytest.mark.parametrize(("module", "name"), TWINS)
def test_selected_twin(module: str, name: str) -> None:
    public, compiled, pure = _twins(module, name)
    assert not _is_compiled(pure)
    if NO_EXTENSIONS:
        assert compiled is None
        assert public is pure
    elif REQUIRED:
        assert compiled is not None, f"{module}.{name}C is not built"
        assert _is_compiled(compiled), compiled
        assert public is compiled
    else:
        assert public is (pure if compiled is None else compiled)


def test_no_extensions_gives_the_pure_twins() -> None:
    script = textwrap.dedent(
        f"""
        import importlib
        for module, name in {TWINS!r}:
            mod = importlib.import_module(module)
            assert getattr(mod, name + "C") is None, (module, name)
            assert getattr(mod, name) is getattr(mod, name + "Py"), (module, name)
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
