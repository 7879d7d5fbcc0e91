"""Build aiohttp-core, compiling its Cython twins when a compiler is available.

Every compiled module has a pure-Python twin, so a failed compilation still
installs a working package (slower).  Set AIOHTTP_NO_EXTENSIONS=1 to skip the
compilation altogether.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).parent
PYX = sorted(
    str(p.relative_to(HERE)) for p in (HERE / "src" / "aiohttp_core").glob("*.pyx")
)


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
    if os.environ.get("AIOHTTP_NO_EXTENSIONS") or not PYX:
        return []
    from Cython.Build import cythonize

    modules = [
        Extension(
            "aiohttp_core." + Path(path).stem,
            [path],
            extra_compile_args=["-O2"],
        )
        for path in PYX
    ]
    return cythonize(
        modules,
        language_level=3,
        compiler_directives={"freethreading_compatible": True},
    )


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
