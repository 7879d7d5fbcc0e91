"""Async HTTP client/server framework for asyncio."""

__version__ = "4.0.0a0"
