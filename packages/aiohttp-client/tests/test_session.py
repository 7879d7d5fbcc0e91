"""ClientSession: constructor parameters, properties, lifecycle and request()."""

from __future__ import annotations

import asyncio
import gc
import json
import warnings

import pytest
from multidict import CIMultiDict
from yarl import URL

import aiohttp_client
from aiohttp_client import (
    ClientRequest,
    ClientResponse,
    ClientResponseError,
    ClientSession,
    ClientTimeout,
    CookieJar,
    DummyCookieJar,
    TCPConnector,
)
from aiohttp_core.basic_auth import BasicAuth
from aiohttp_core.http_messages import HttpVersion10, HttpVersion11
from aiohttp_web.app import Application
from aiohttp_web.request import Request
from aiohttp_web.response import Response, json_response


async def echo_app(serve_app) -> URL:
    async def echo(request: Request) -> Response:
        return json_response(
            {
                "path": request.path_qs,
                "method": request.method,
                "headers": list(request.headers.items()),
                "version": list(request.version),
                "body": (await request.read()).decode(),
            }
        )

    async def status(request: Request) -> Response:
        return Response(status=int(request.match_info["code"]), text="status")

    async def set_cookie(request: Request) -> Response:
        resp = Response(text="set")
        resp.set_cookie("k", "v")
        return resp

    app = Application()
    app.router.add_route("*", "/status/{code}", status)
    app.router.add_get("/cookie", set_cookie)
    app.router.add_route("*", "/{tail:.*}", echo)
    return await serve_app(app)


def headers_of(data: dict[str, object]) -> CIMultiDict[str]:
    return CIMultiDict(data["headers"])  # type: ignore[arg-type]


async def test_defaults_and_properties() -> None:
    async with ClientSession() as session:
        assert not session.closed
        assert isinstance(session.connector, TCPConnector)
        assert isinstance(session.cookie_jar, CookieJar)
        assert session.requote_redirect_url is True
        assert session.loop is asyncio.get_running_loop()
        assert session.timeout == ClientTimeout(total=300, sock_connect=30)
        assert session.headers == CIMultiDict()
        assert session.skip_auto_headers == frozenset()
        assert session.auth is None
        assert session.json_serialize is json.dumps
        assert session.connector_owner is True
        assert session.raise_for_status is False
        assert session.auto_decompress is True
        assert session.trust_env is False
        assert session.trace_configs == []
        assert session.version == HttpVersion11
        assert session.request_class is ClientRequest
        assert session.response_class is ClientResponse
        assert session.read_bufsize == 2**16
        assert session.max_line_size == 8190
        assert session.max_field_size == 8190
    assert session.closed
    assert session.connector is None


async def test_constructor_values_kept() -> None:
    class MyResponse(ClientResponse):
        pass

    class MyRequest(ClientRequest):
        pass

    class MyWS:
        pass

    async def check(resp: ClientResponse) -> None:
        return None

    jar = DummyCookieJar()
    auth = BasicAuth("a", "b")
    timeout = ClientTimeout(total=3)
    async with ClientSession(
        headers={"X-A": "1"},
        skip_auto_headers=["User-Agent"],
        auth=auth,
        cookie_jar=jar,
        raise_for_status=check,
        timeout=timeout,
        auto_decompress=False,
        trust_env=True,
        requote_redirect_url=False,
        request_class=MyRequest,
        response_class=MyResponse,
        ws_response_class=MyWS,
        version=HttpVersion10,
        read_bufsize=1024,
        max_line_size=100,
        max_field_size=200,
    ) as session:
        assert session.headers == CIMultiDict({"X-A": "1"})
        assert "user-agent" in {h.lower() for h in session.skip_auto_headers}
        assert session.auth is auth
        assert session.cookie_jar is jar
        assert session.raise_for_status is check
        assert session.timeout is timeout
        assert session.auto_decompress is False
        assert session.trust_env is True
        assert session.requote_redirect_url is False
        assert session.request_class is MyRequest
        assert session.response_class is MyResponse
        assert session.ws_response_class is MyWS
        assert session.version == HttpVersion10
        assert (
            session.read_bufsize,
            session.max_line_size,
            session.max_field_size,
        ) == (
            1024,
            100,
            200,
        )


async def test_custom_classes_used(serve_app) -> None:
    url = await echo_app(serve_app)
    made: list[str] = []

    class MyResponse(ClientResponse):
        pass

    class MyRequest(ClientRequest):
        def __init__(self, *args: object, **kwargs: object) -> None:
            made.append("request")
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    async with (
        ClientSession(request_class=MyRequest, response_class=MyResponse) as session,
        session.get(url) as resp,
    ):
        assert isinstance(resp, MyResponse)
    assert made == ["request"]


def test_session_needs_running_loop() -> None:
    with pytest.raises(RuntimeError):
        ClientSession()


async def test_base_url(serve_app) -> None:
    url = await echo_app(serve_app)
    async with ClientSession(url / "foo" / "") as session:
        async with session.get("bar") as resp:
            assert (await resp.json())["path"] == "/foo/bar"
        async with session.get("/bar") as resp:
            assert (await resp.json())["path"] == "/bar"
        async with session.get(str(url / "abs")) as resp:  # absolute overrides
            assert (await resp.json())["path"] == "/abs"
    async with (
        ClientSession(str(url)) as session,
        session.post("/post", data=b"data") as resp,
    ):
        data = await resp.json()
        assert (data["path"], data["body"]) == ("/post", "data")
    with pytest.raises(ValueError, match="trailing"):
        ClientSession(url / "foo")
    with pytest.raises(ValueError, match="absolute"):
        ClientSession("relative/")


async def test_default_headers_merge(serve_app) -> None:
    url = await echo_app(serve_app)
    async with (
        ClientSession(headers={"X-A": "session", "X-B": "session"}) as session,
        session.get(url, headers=[("X-B", "req1"), ("X-B", "req2")]) as resp,
    ):
        headers = headers_of(await resp.json())
    assert headers.getall("X-A") == ["session"]
    assert headers.getall("X-B") == ["req1", "req2"]


async def test_session_auth_and_base_url_origin(serve_app) -> None:
    url = await echo_app(serve_app)
    other = await echo_app(serve_app)
    auth = BasicAuth("user", "pass")
    async with ClientSession(url, auth=auth) as session:
        async with session.get("/x") as resp:
            assert headers_of(await resp.json())["Authorization"] == auth.encode()
        async with session.get(other / "x") as resp:  # another origin: no auth
            assert "Authorization" not in headers_of(await resp.json())
        async with session.get("/x", auth=BasicAuth("o", "p")) as resp:
            assert (
                headers_of(await resp.json())["Authorization"]
                == BasicAuth("o", "p").encode()
            )
    # no base URL: every origin
    async with ClientSession(auth=auth) as session, session.get(other / "x") as resp:
        assert headers_of(await resp.json())["Authorization"] == auth.encode()
    with pytest.raises(TypeError):
        async with ClientSession(auth=("a", "b")):  # type: ignore[arg-type]
            pass


async def test_raise_for_status_variants(serve_app) -> None:
    url = await echo_app(serve_app)
    async with ClientSession(raise_for_status=True) as session:
        with pytest.raises(ClientResponseError) as info:
            await session.get(url / "status" / "500")
        assert info.value.status == 500
        resp = await session.get(url / "status" / "500", raise_for_status=False)
        async with resp:
            assert resp.status == 500
        async with session.get(url / "status" / "399") as resp:
            assert resp.status == 399
    async with ClientSession() as session:
        async with session.get(url / "status" / "404") as resp:
            assert resp.status == 404
        with pytest.raises(ClientResponseError):
            await session.get(url / "status" / "400", raise_for_status=True)

    checked: list[int] = []

    async def check(resp: ClientResponse) -> None:
        checked.append(resp.status)
        if resp.status == 418:
            raise RuntimeError("teapot")

    async with ClientSession(raise_for_status=check) as session:
        async with session.get(url / "status" / "200") as resp:
            assert resp.status == 200
        with pytest.raises(RuntimeError, match="teapot"):
            await session.get(url / "status" / "418")
        async with session.get(url / "status" / "418", raise_for_status=False) as resp:
            assert resp.status == 418
    assert checked == [200, 418]


async def test_version_sent(serve_app) -> None:
    url = await echo_app(serve_app)
    async with (
        ClientSession(version=HttpVersion10) as session,
        session.get(url) as resp,
    ):
        assert (await resp.json())["version"] == [1, 0]


async def test_cookie_jar_roundtrip(serve_app) -> None:
    url = await echo_app(serve_app)
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
        async with session.get(url / "cookie") as resp:
            assert resp.cookies["k"].value == "v"
        async with session.get(url / "x") as resp:
            assert headers_of(await resp.json())["Cookie"] == "k=v"
    async with ClientSession(cookie_jar=DummyCookieJar()) as session:
        async with session.get(url / "cookie") as resp:
            await resp.read()
        async with session.get(url / "x") as resp:
            assert "Cookie" not in headers_of(await resp.json())
        assert len(session.cookie_jar) == 0


async def test_connector_owner(serve_app) -> None:
    url = await echo_app(serve_app)
    connector = TCPConnector()
    async with (
        ClientSession(connector=connector, connector_owner=False) as session,
        session.get(url) as resp,
    ):
        await resp.read()
    assert session.closed
    assert not connector.closed
    async with ClientSession(connector=connector) as second:  # shared pool
        assert second.connector is connector
        async with second.get(url) as resp:
            await resp.read()
    assert connector.closed


async def test_detach() -> None:
    session = ClientSession()
    connector = session.connector
    assert connector is not None
    session.detach()
    assert session.closed
    assert not connector.closed
    await connector.close()
    await session.close()  # nothing left to close


async def test_closed_session_refuses_requests(serve_app) -> None:
    url = await echo_app(serve_app)
    session = ClientSession()
    await session.close()
    with pytest.raises(RuntimeError, match="closed"):
        await session.get(url)
    await session.close()  # twice is fine


async def test_unclosed_session_warns() -> None:
    session = ClientSession()
    connector = session.connector
    session.detach()  # the session is closed now: no warning
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del session
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert connector is not None
    await connector.close()

    leaked = ClientSession()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        leaked.__del__()
    assert any("Unclosed client session" in str(w.message) for w in caught)
    await leaked.close()


async def test_http_methods(serve_app) -> None:
    url = await echo_app(serve_app)
    async with ClientSession() as session:
        for call, name in [
            (session.get, "GET"),
            (session.post, "POST"),
            (session.put, "PUT"),
            (session.patch, "PATCH"),
            (session.delete, "DELETE"),
            (session.options, "OPTIONS"),
        ]:
            async with call(url / "m") as resp:
                assert (await resp.json())["method"] == name
        async with session.head(url / "m") as resp:
            assert resp.method == "HEAD"
            assert resp.status == 200
        resp = await session.request("POST", url / "m", data=b"awaited")
        assert (await resp.json())["body"] == "awaited"
        resp.release()


async def test_module_level_request(serve_app) -> None:
    url = await echo_app(serve_app)
    async with aiohttp_client.request("GET", url / "x", params={"a": "1"}) as resp:
        assert resp.status == 200
        assert (await resp.json())["path"] == "/x?a=1"
        headers = headers_of(await resp.json())
    assert headers["Connection"] == "close"  # no pool to go back to
    assert resp.closed
    async with aiohttp_client.request(
        "POST", url / "y", data=b"d", version=HttpVersion10, timeout=2
    ) as resp:
        assert (await resp.json())["version"] == [1, 0]
    connector = TCPConnector()
    async with aiohttp_client.request("GET", url, connector=connector) as resp:
        await resp.read()
    assert not connector.closed  # not the request's to close
    await connector.close()
    with pytest.raises(ClientResponseError):
        async with aiohttp_client.request(
            "GET", url / "status" / "500", raise_for_status=True
        ):
            pass


async def test_ssl_shutdown_timeout_deprecated() -> None:
    with pytest.warns(DeprecationWarning, match="ssl_shutdown_timeout"):
        session = ClientSession(ssl_shutdown_timeout=0.1)
    async with session:
        assert isinstance(session.connector, TCPConnector)
