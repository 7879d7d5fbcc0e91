"""Client middlewares: the chain, and the cookbook's examples as working tests."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from http import HTTPStatus

import pytest
from yarl import URL

from aiohttp_client import (
    ClientError,
    ClientHandlerType,
    ClientRequest,
    ClientResponse,
    ClientSession,
)
from aiohttp_core import hdrs
from aiohttp_web.app import Application
from aiohttp_web.request import Request
from aiohttp_web.response import Response, json_response


async def echo_app(serve_app, **extra) -> URL:
    async def echo(request: Request) -> Response:
        return json_response(
            {
                "path": request.path,
                "method": request.method,
                "auth": request.headers.get("Authorization"),
                "x": request.headers.getall("X-Mw", []),
                "body": (await request.read()).decode(),
            }
        )

    app = Application()
    for path, handler in extra.items():
        app.router.add_route("*", "/" + path, handler)
    app.router.add_route("*", "/{tail:.*}", echo)
    return await serve_app(app)


def tagging(tag: str, log: list[str]):
    async def middleware(
        request: ClientRequest, handler: ClientHandlerType
    ) -> ClientResponse:
        log.append(f"{tag}>")
        request.headers.add("X-Mw", tag)
        resp = await handler(request)
        log.append(f"<{tag}")
        return resp

    return middleware


async def test_order_session_and_request_level(serve_app) -> None:
    url = await echo_app(serve_app)
    log: list[str] = []
    async with ClientSession(
        middlewares=(tagging("a", log), tagging("b", log))
    ) as session:
        async with session.get(url) as resp:
            assert (await resp.json())["x"] == ["a", "b"]
        assert log == ["a>", "b>", "<b", "<a"]
        async with session.get(url, middlewares=(tagging("c", log),)) as resp:
            assert (await resp.json())["x"] == ["c"]  # replaces the session's
        async with session.get(url, middlewares=()) as resp:
            assert (await resp.json())["x"] == []


async def test_every_redirect_hop_goes_through(serve_app) -> None:
    async def hop(request: Request) -> Response:
        return Response(status=302, headers={"Location": "/end"})

    url = await echo_app(serve_app, hop=hop)
    seen: list[str] = []

    async def record(
        request: ClientRequest, handler: ClientHandlerType
    ) -> ClientResponse:
        seen.append(request.url.path)
        return await handler(request)

    async with (
        ClientSession(middlewares=(record,)) as session,
        session.get(url / "hop") as resp,
    ):
        assert resp.status == 200
    assert seen == ["/hop", "/end"]


async def test_update_body_in_middleware(serve_app) -> None:
    url = await echo_app(serve_app)

    async def rewrite(
        request: ClientRequest, handler: ClientHandlerType
    ) -> ClientResponse:
        if request.method == "POST":
            await request.update_body(b'{"modified": true}')
        return await handler(request)

    async with (
        ClientSession(middlewares=(rewrite,)) as session,
        session.post(url, data=b"original") as resp,
    ):
        assert (await resp.json())["body"] == '{"modified": true}'


# -- the cookbook --------------------------------------------------------------

DEFAULT_RETRY_STATUSES = {HTTPStatus.TOO_MANY_REQUESTS, HTTPStatus.SERVICE_UNAVAILABLE}


def make_retry_middleware(attempts: int = 3, statuses=DEFAULT_RETRY_STATUSES):
    """Retry on given statuses, a bounded number of times (cookbook: retry)."""

    async def retry_middleware(
        request: ClientRequest, handler: ClientHandlerType
    ) -> ClientResponse:
        for _ in range(attempts - 1):
            resp = await handler(request)
            if resp.status not in statuses:
                return resp
            resp.release()
        return await handler(request)

    return retry_middleware


async def test_cookbook_retry(serve_app) -> None:
    calls = 0

    async def flaky(request: Request) -> Response:
        nonlocal calls
        calls += 1
        body = await request.read()
        if calls < 3:
            return Response(status=503)
        return Response(text=body.decode())

    url = await echo_app(serve_app, flaky=flaky)
    async with (
        ClientSession(middlewares=(make_retry_middleware(),)) as session,
        session.post(url / "flaky", data=b"replayed") as resp,
    ):
        assert resp.status == 200
        assert await resp.text() == "replayed"  # the body went every time
    assert calls == 3
    calls = -10  # never succeeds: the bounded loop gives up with the last answer
    async with (
        ClientSession(middlewares=(make_retry_middleware(),)) as session,
        session.get(url / "flaky") as resp,
    ):
        assert resp.status == 503
    assert calls == -7


async def test_cookbook_api_logging(serve_app) -> None:
    logged: list[dict[str, object]] = []

    async def log_endpoint(request: Request) -> Response:
        logged.append(await request.json())
        return Response(text="logged")

    url = await echo_app(serve_app, log=log_endpoint)

    async def api_logging_middleware(
        request: ClientRequest, handler: ClientHandlerType
    ) -> ClientResponse:
        # The logging call itself must not be logged again: middlewares=().
        assert request.session is not None
        async with request.session.post(
            url / "log",
            json={"method": request.method, "url": str(request.url)},
            middlewares=(),
        ):
            pass
        return await handler(request)

    async with ClientSession(middlewares=(api_logging_middleware,)) as session:
        async with session.get(url / "thing") as resp:
            assert resp.status == 200
        async with session.delete(url / "other") as resp:
            assert resp.status == 200
    assert logged == [
        {"method": "GET", "url": str(url / "thing")},
        {"method": "DELETE", "url": str(url / "other")},
    ]


class TokenRefresh401Middleware:
    """Refresh the token after a 401 and retry once (cookbook)."""

    def __init__(self, refresh_url: URL, access_token: str) -> None:
        self.refresh_url = refresh_url
        self.access_token = access_token
        self.lock = asyncio.Lock()
        self.refreshes = 0

    async def refresh(self, session: ClientSession) -> None:
        async with session.post(self.refresh_url, middlewares=()) as resp:
            self.access_token = (await resp.json())["token"]
        self.refreshes += 1

    async def __call__(
        self, request: ClientRequest, handler: ClientHandlerType
    ) -> ClientResponse:
        request.headers[hdrs.AUTHORIZATION] = f"Bearer {self.access_token}"
        resp = await handler(request)
        if resp.status != HTTPStatus.UNAUTHORIZED:
            return resp
        resp.release()
        assert request.session is not None
        async with self.lock:
            await self.refresh(request.session)
        request.headers[hdrs.AUTHORIZATION] = f"Bearer {self.access_token}"
        return await handler(request)


class TokenRefreshExpiryMiddleware:
    """Refresh the token before it expires (cookbook)."""

    def __init__(self, refresh_url: URL) -> None:
        self.refresh_url = refresh_url
        self.access_token = ""
        self.expires_at = 0.0
        self.refreshes = 0

    async def __call__(
        self, request: ClientRequest, handler: ClientHandlerType
    ) -> ClientResponse:
        if time.monotonic() >= self.expires_at:
            assert request.session is not None
            async with request.session.post(self.refresh_url, middlewares=()) as resp:
                data = await resp.json()
            self.access_token = data["token"]
            self.expires_at = time.monotonic() + data["expires_in"]
            self.refreshes += 1
        request.headers[hdrs.AUTHORIZATION] = f"Bearer {self.access_token}"
        return await handler(request)


def token_server(serve_app, lifetime: float = 60):
    tokens = {"current": "fresh-1"}

    async def refresh(request: Request) -> Response:
        number = int(tokens["current"].split("-")[1]) + 1
        tokens["current"] = f"fresh-{number}"
        return json_response({"token": tokens["current"], "expires_in": lifetime})

    async def protected(request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {tokens['current']}":
            return Response(status=401)
        return Response(text="secret")

    return tokens, echo_app(serve_app, refresh=refresh, protected=protected)


async def test_cookbook_token_refresh_on_401(serve_app) -> None:
    tokens, started = token_server(serve_app)
    url = await started
    middleware = TokenRefresh401Middleware(url / "refresh", "stale")
    async with ClientSession(middlewares=(middleware,)) as session:
        async with session.get(url / "protected") as resp:
            assert await resp.text() == "secret"
        async with session.get(url / "protected") as resp:
            assert await resp.text() == "secret"
    assert middleware.refreshes == 1
    assert middleware.access_token == tokens["current"]


async def test_cookbook_token_refresh_by_expiry(serve_app) -> None:
    _, started = token_server(serve_app, lifetime=60)
    url = await started
    middleware = TokenRefreshExpiryMiddleware(url / "refresh")
    async with ClientSession(middlewares=(middleware,)) as session:
        for _ in range(3):
            async with session.get(url / "protected") as resp:
                assert await resp.text() == "secret"
    assert middleware.refreshes == 1
    middleware.expires_at = 0  # expired: the next request refreshes first
    async with (
        ClientSession(middlewares=(middleware,)) as session,
        session.get(url / "protected") as resp,
    ):
        assert await resp.text() == "secret"
    assert middleware.refreshes == 2


class SSRFError(ClientError):
    """A request to a blocked address."""


async def ssrf_middleware(
    request: ClientRequest, handler: ClientHandlerType
) -> ClientResponse:
    """Refuse loopback and private targets (cookbook, simplified)."""
    host = request.url.raw_host or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        blocked = host == "localhost"
    else:
        blocked = address.is_loopback or address.is_private
    if blocked:
        raise SSRFError(f"Requests to {host} are not allowed")
    return await handler(request)


async def test_cookbook_ssrf(serve_app) -> None:
    url = await echo_app(serve_app)
    async with ClientSession(middlewares=(ssrf_middleware,)) as session:
        with pytest.raises(SSRFError):
            await session.get(url)
        with pytest.raises(SSRFError):
            await session.get("http://localhost:1/")
        async with session.get(url, middlewares=()) as resp:  # opt out
            assert resp.status == 200
