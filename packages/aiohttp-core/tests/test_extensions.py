"""The compiled twins are the ones in use, unless disabled or not built.

Each entry of ``TWINS`` is ``(module, public, compiled, pure)``: the module
binds ``public`` to its compiled twin, also exposed as ``compiled`` (None when
the extension is not built or AIOHTTP_NO_EXTENSIONS is set), or else to its
pure-Python twin ``pure``.  Add an entry here for every new compiled twin.

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

TWINS: list[tuple[str, str, str, str]] = [
    (
        "aiohttp_core.http_parser",
        "HttpRequestParser",
        "HttpRequestParserC",
        "HttpRequestParserPy",
    ),
    (
        "aiohttp_core.http_parser",
        "HttpResponseParser",
        "HttpResponseParserC",
        "HttpResponseParserPy",
    ),
    (
        "aiohttp_core.http_writer",
        "serialize_headers",
        "serialize_headers_c",
        "serialize_headers_py",
    ),
    ("aiohttp_core.http_writer", "_serialize", "_serialize_c", "_serialize_py"),
    ("aiohttp_core.http_writer", "_chunk", "_chunk_c", "_chunk_py"),
]

NO_EXTENSIONS = bool(os.environ.get("AIOHTTP_NO_EXTENSIONS"))
REQUIRED = bool(os.environ.get("AIOHTTP_REQUIRE_EXTENSIONS")) and not NO_EXTENSIONS


def _twins(
    module: str, public: str, compiled: str, pure: str
) -> tuple[object, object, object]:
    """The public object, the compiled twin (or None) and the pure twin."""
    mod = importlib.import_module(module)
    return getattr(mod, public), getattr(mod, compiled), getattr(mod, pure)


def _is_compiled(obj: object) -> bool:
    module = sys.modules[obj.__module__]
    path = getattr(module, "__file__", None) or ""
    return path.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


@pytest.mark.parametrize(("module", "name", "compiled_name", "pure_name"), TWINS)
def test_selected_twin(
    module: str, name: str, compiled_name: str, pure_name: str
) -> None:
    public, compiled, pure = _twins(module, name, compiled_name, pure_name)
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
