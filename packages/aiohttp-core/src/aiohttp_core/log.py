"""The loggers aiohttp writes to, one per area (see the logging docs)."""

import logging
from typing import Final

__all__ = (
    "access_logger",
    "client_logger",
    "internal_logger",
    "server_logger",
    "web_logger",
    "ws_logger",
)

access_logger: Final = logging.getLogger("aiohttp.access")
client_logger: Final = logging.getLogger("aiohttp.client")
internal_logger: Final = logging.getLogger("aiohttp.internal")
server_logger: Final = logging.getLogger("aiohttp.server")
web_logger: Final = logging.getLogger("aiohttp.web")
ws_logger: Final = logging.getLogger("aiohttp.websocket")
