"""aiohttp-core: the HTTP machinery shared by the aiohttp pieces."""

__version__ = "4.0.0a0"
