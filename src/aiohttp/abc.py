"""The abstract base classes users subclass, gathered from the pieces that own them."""

from aiohttp_core.abc import AbstractStreamWriter

__all__ = ("AbstractStreamWriter",)
