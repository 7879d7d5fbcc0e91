"""Documented ``aiohttp.web`` usage, run through the meta-package's names."""

from __future__ import annotations

import asyncio
import importlib
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from aiohttp import web
from aiohttp.abc import AbstractAsyncAccessLogger

Serve = Callable[..., Awaitable[str]]

WEB_ALIASES = [
    ("aiohttp.web_request", "aiohttp_web.request"),
    ("aiohttp.web_response", "aiohttp_web.response"),
    ("aiohttp.web_exceptions", "aiohttp_web.exceptions"),
    ("aiohttp.web_protocol", "aiohttp_web.protocol"),
    ("aiohttp.web_server", "aiohttp_web.server"),
    ("aiohttp.web_app", "aiohttp_web.app"),
    ("aiohttp.web_runner", "aiohttp_web.runner"),
    ("aiohttp.web_log", "aiohttp_web.access_log"),
    ("aiohttp.web_middlewares", "aiohttp_web.middlewares"),
    ("aiohttp.web_routedef", "aiohttp_web.route_def"),
    ("aiohttp.web_urldispatcher", "aiohttp_web.router"),
    ("aiohttp.web_fileresponse", "aiohttp_web.file_response"),
]


@pytest.mark.parametrize(("alias", "target"), WEB_ALIASES)
def test_web_module_paths_are_the_pieces_modules(alias: str, target: str) -> None:
    assert importlib.import_module(alias) is importlib.import_module(target)


def test_every_exported_name_resolves() -> None:
    for name in web.__all__:
        assert getattr(web, name) is not None, name


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Start applications on 127.0.0.1; each call gives the base URL."""
    runners: list[web.AppRunner] = []

    async def start(app: web.Application, **kwargs: Any) -> str:
        runner = web.AppRunner(app, **kwargs)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    yield start
    for runner in runners:
        await runner.cleanup()


async def test_quickstart_hello_world(serve: Serve) -> None:
    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="Hello, world")

    app = web.Application()
    app.add_routes([web.get("/", hello)])
    base = await serve(app)
    async with httpx.AsyncClient() as client:
        resp = await client.get(base + "/")
    assert (resp.status_code, resp.text) == (200, "Hello, world")


async def test_route_table_and_dynamic_resource(serve: Serve) -> None:
    routes = web.RouteTableDef()

    @routes.get("/users/{name}")
    async def user(request: web.Request) -> web.Response:
        return web.json_response({"name": request.match_info["name"]})

    app = web.Application()
    app.add_routes(routes)
    base = await serve(app)
    async with httpx.AsyncClient() as client:
        ok = await client.get(base + "/users/ann")
        missing = await client.get(base + "/nobody")
        wrong = await client.post(base + "/users/ann")
    assert ok.json() == {"name": "ann"}
    assert missing.status_code == 404
    assert wrong.status_code == 405
    assert "GET" in wrong.headers["Allow"]


async def test_async_access_logger_from_logging_docs(serve: Serve) -> None:
    seen: list[str] = []

    class AccessLogger(AbstractAsyncAccessLogger):
        async def log(
            self, request: web.BaseRequest, response: web.StreamResponse, time: float
        ) -> None:
            body = await request.text()
            seen.append(f"{request.method} {request.path} {body} {response.status}")

        @property
        def enabled(self) -> bool:
            return True

    async def echo(request: web.Request) -> web.Response:
        return web.Response(text=await request.text())

    app = web.Application()
    app.router.add_post("/echo", echo)
    base = await serve(app, access_log_class=AccessLogger)
    async with httpx.AsyncClient() as client:
        resp = await client.post(base + "/echo", content=b"hi")
    assert resp.text == "hi"
    for _ in range(50):
        if seen:
            break
        await asyncio.sleep(0.01)
    assert seen == ["POST /echo hi 200"]


async def test_web_exceptions_are_answers(serve: Serve) -> None:
    async def handler(request: web.Request) -> web.Response:
        raise web.HTTPFound("/elsewhere")

    app = web.Application()
    app.router.add_get("/", handler)
    base = await serve(app)
    async with httpx.AsyncClient() as client:
        resp = await client.get(base + "/")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/elsewhere"


def test_python_m_aiohttp_web_reports_a_missing_module() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "aiohttp.web", "no_such_module_here:init"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode != 0
    assert "no_such_module_here" in proc.stderr
