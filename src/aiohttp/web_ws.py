"""Old module path of the server's websocket response."""

from aiohttp_web.websocket import WebSocketReady, WebSocketResponse
from aiohttp_ws import WSMsgType

__all__ = ("WSMsgType", "WebSocketReady", "WebSocketResponse")
