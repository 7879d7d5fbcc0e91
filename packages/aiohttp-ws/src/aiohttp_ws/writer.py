"""``WebSocketWriter``: the compiled twin of ``frame_writer`` when built.

``WebSocketWriterC`` is the class compiled by Cython from
``_frame_writer_c.pyx`` (None when not built, or with AIOHTTP_NO_EXTENSIONS
set); ``WebSocketWriterPy`` is the pure-Python one in ``frame_writer``.
Both write the same bytes: one test suite runs over both.
"""

from __future__ import annotations

import os

from .frame_writer import WebSocketWriter as WebSocketWriterPy

__all__ = ("WebSocketWriter", "WebSocketWriterC", "WebSocketWriterPy")

WebSocketWriterC: type[WebSocketWriterPy] | None = None
if not os.environ.get("AIOHTTP_NO_EXTENSIONS"):
    try:
        from . import _frame_writer_c  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        pass
    else:
        WebSocketWriterC = _frame_writer_c.WebSocketWriter

WebSocketWriter: type[WebSocketWriterPy] = (
    WebSocketWriterPy if WebSocketWriterC is None else WebSocketWriterC
)
