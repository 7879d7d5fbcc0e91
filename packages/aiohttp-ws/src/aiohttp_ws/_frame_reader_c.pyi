"""Compiled twin of ``frame_reader``: ``WebSocketReader`` with the same API."""

from .frame_reader import WebSocketReader as WebSocketReader
