"""Gunicorn workers for aiohttp web applications."""

from .worker import GunicornUVLoopWebWorker, GunicornWebWorker

__all__ = ("GunicornUVLoopWebWorker", "GunicornWebWorker")
