"""Build aiohttp-ws, compiling its Cython twins when a compiler is available.

Three twins are compiled: ``_mask`` from ``_mask.pyx``, and
``_frame_reader_c`` and ``_frame_writer_c``, typed copies of the pure-Python
``frame_reader.py`` and ``frame_writer.py`` that the same tests run over.
A failed compilation still installs a working package (pure Python,
slower).  Set AIOHTTP_NO_EXTENSIONS=1 to skip the compilation altogether.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).parent
SRC = Path("src") / "aiohttp_ws"
#: Module name -> source, relative to this file.
TWINS = {
    "aiohttp_ws._mask": SRC / "_mask.pyx",
    "aiohttp_ws._frame_reader_c": SRC / "_frame_reader_c.pyx",
    "aiohttp_ws._frame_writer_c": SRC / "_frame_writer_c.pyx",
}


class OptionalBuildExt(build_ext):
    """Build the extensions, but fall back to pure Python when that fails."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:
            print(
                f"warning: compiled twins not built ({exc}); using pure Python",
                file=sys.stderr,
            )

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:
            print(
                f"warning: {ext.name} not built ({exc}); using pure Python",
                file=sys.stderr,
            )


def extensions() -> list[Extension]:
    """The Cython modules, or none when extensions are disabled."""
    if os.environ.get("AIOHTTP_NO_EXTENSIONS"):
        return []
    from Cython.Build import cythonize

    # -O3: the masking loops are vectorized there (about twice as fast on
    # 64 KiB payloads as with -O2).
    modules = [
        Extension(name, [str(path)], extra_compile_args=["-O3"])
        for name, path in TWINS.items()
        if (HERE / path).exists()
    ]
    return cythonize(
        modules,
        language_level=3,
        compiler_directives={"freethreading_compatible": True},
    )


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
