"""``AioHTTPTestCase``: unittest's asyncio test case with a client and server."""

from __future__ import annotations

from unittest import IsolatedAsyncioTestCase

from aiohttp_web.app import Application

from .client import TestClient
from .servers import TestServer

__all__ = ("AioHTTPTestCase",)


class AioHTTPTestCase(IsolatedAsyncioTestCase):
    """Serves ``get_application()`` for each test; ``self.client`` talks to it."""

    app: Application
    server: TestServer
    client: TestClient

    async def get_application(self) -> Application:
        """Return the application to test; override this."""
        raise NotImplementedError("Override get_application() to return the app")

    async def get_server(self, app: Application) -> TestServer:
        """Return the test server for ``app``; override to change its settings."""
        return TestServer(app)

    async def get_client(self, server: TestServer) -> TestClient:
        """Return the test client for ``server``; override to change its settings."""
        return TestClient(server)

    async def asyncSetUp(self) -> None:
        """Start the application's server and client (call it when overriding)."""
        self.app = await self.get_application()
        self.server = await self.get_server(self.app)
        self.client = await self.get_client(self.server)
        await self.client.start_server()

    async def asyncTearDown(self) -> None:
        """Close the client and the server (call it when overriding)."""
        await self.client.close()
