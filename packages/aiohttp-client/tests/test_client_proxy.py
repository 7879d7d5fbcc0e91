"""Requests through a real HTTP proxy (proxy.py) to servers on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from yarl import URL

from aiohttp_client import ClientHttpProxyError, ClientSession
from aiohttp_core.basic_auth import BasicAuth
from aiohttp_web.app import Application
from aiohttp_web.request import Request
from aiohttp_web.response import Response, json_response

pytest.importorskip("proxy")

CREDENTIALS = BasicAuth("user", "pass")


@pytest.fixture(scope="module")
def proxy_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[URL]:
    """A proxy.py process on 127.0.0.1 that wants user:pass."""
    port_file: Path = tmp_path_factory.mktemp("proxy") / "port"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "proxy",
            "--hostname",
            "127.0.0.1",
            "--port",
            "0",
            "--port-file",
            str(port_file),
            "--num-workers",
            "1",
            "--num-acceptors",
            "1",
            "--threaded",
            "--basic-auth",
            f"{CREDENTIALS.login}:{CREDENTIALS.password}",
            "--log-level",
            "ERROR",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail("proxy.py did not start")
            time.sleep(0.05)
        yield URL(f"http://127.0.0.1:{int(port_file.read_text())}")
    finally:
        process.terminate()
        process.wait(10)


async def target_app(serve_app, **kwargs: object) -> URL:
    async def echo(request: Request) -> Response:
        return json_response(
            {
                "path": request.path_qs,
                "proxy_auth": request.headers.get("Proxy-Authorization"),
                "x_proxy": request.headers.get("X-Proxy"),
                "body": (await request.read()).decode(),
            }
        )

    app = Application()
    app.router.add_route("*", "/{tail:.*}", echo)
    return await serve_app(app, **kwargs)


async def test_http_target_through_proxy(serve_app, proxy_url: URL) -> None:
    url = await target_app(serve_app)
    async with (
        ClientSession() as session,
        session.post(
            url / "p" % {"q": "1"},
            data=b"through",
            proxy=proxy_url,
            proxy_auth=CREDENTIALS,
        ) as resp,
    ):
        assert resp.status == 200
        data = await resp.json()
    assert data["path"] == "/p?q=1"
    assert data["body"] == "through"


async def test_credentials_in_proxy_url(serve_app, proxy_url: URL) -> None:
    url = await target_app(serve_app)
    with_creds = proxy_url.with_user(CREDENTIALS.login).with_password(
        CREDENTIALS.password
    )
    async with ClientSession() as session, session.get(url, proxy=with_creds) as resp:
        assert resp.status == 200


async def test_proxy_refuses_without_credentials(serve_app, proxy_url: URL) -> None:
    url = await target_app(serve_app)
    async with ClientSession() as session:
        async with session.get(url, proxy=proxy_url) as resp:
            assert resp.status == 407
        async with session.get(
            url, proxy=proxy_url, proxy_auth=BasicAuth("user", "bad")
        ) as resp:
            assert resp.status == 407


async def test_https_target_through_tunnel(serve_app, proxy_url: URL, tls) -> None:
    url = await target_app(serve_app, ssl_context=tls.server_context)
    assert url.scheme == "https"
    async with (
        ClientSession() as session,
        session.get(
            url / "secure",
            proxy=proxy_url,
            proxy_auth=CREDENTIALS,
            proxy_headers={"X-Proxy": "for the proxy only"},
            ssl=tls.client_context,
        ) as resp,
    ):
        assert resp.status == 200
        data = await resp.json()
    assert data["path"] == "/secure"
    # Inside the tunnel the target sees nothing meant for the proxy.
    assert data["proxy_auth"] is None
    assert data["x_proxy"] is None


async def test_https_tunnel_refused(serve_app, proxy_url: URL, tls) -> None:
    url = await target_app(serve_app, ssl_context=tls.server_context)
    async with ClientSession() as session:
        with pytest.raises(ClientHttpProxyError) as info:
            await session.get(url, proxy=proxy_url, ssl=tls.client_context)
    assert info.value.status == 407
