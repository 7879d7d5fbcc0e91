"""``WebSocketReader``: the compiled twin of ``frame_reader`` when built.

``WebSocketReaderC`` is the class compiled by Cython from
``_frame_reader_c.pyx`` (None when not built, or with AIOHTTP_NO_EXTENSIONS
set); ``WebSocketReaderPy`` is the pure-Python one in ``frame_reader``.
Both behave the same: one test suite runs over both.
"""

from __future__ import annotations

import os

from .frame_reader import WebSocketReader as WebSocketReaderPy

__all__ = ("WebSocketReader", "WebSocketReaderC", "WebSocketReaderPy")

WebSocketReaderC: type[WebSocketReaderPy] | None = None
if not os.environ.get("AIOHTTP_NO_EXTENSIONS"):
    try:
        from . import _frame_reader_c  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        pass
    else:
        WebSocketReaderC = _frame_reader_c.WebSocketReader

WebSocketReader: type[WebSocketReaderPy] = (
    WebSocketReaderPy if WebSocketReaderC is None else WebSocketReaderC
)
