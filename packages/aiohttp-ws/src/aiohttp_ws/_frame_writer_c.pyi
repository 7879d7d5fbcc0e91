"""Compiled twin of ``frame_writer.WebSocketWriter``."""

from .frame_writer import WebSocketWriter as WebSocketWriter
