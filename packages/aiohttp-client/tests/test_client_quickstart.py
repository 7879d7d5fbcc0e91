"""The examples of client_quickstart.rst, run against a local httpbin-like app."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from multidict import MultiDict
from yarl import URL

import aiohttp_client as aiohttp
from aiohttp_core.formdata import FormData
from aiohttp_web.app import Application
from aiohttp_web.request import Request
from aiohttp_web.response import Response, json_response


async def httpbin(serve_app) -> URL:
    """The few httpbin.org endpoints the quickstart uses."""

    async def anything(request: Request) -> Response:
        form: dict[str, str] = {}
        files: dict[str, str] = {}
        data = ""
        ctype = request.content_type
        if ctype == "application/x-www-form-urlencoded":
            form = {k: str(v) for k, v in (await request.post()).items()}
        elif ctype.startswith("multipart/"):
            async for part in await request.multipart():  # type: ignore[union-attr]
                payload = await part.read()  # type: ignore[union-attr]
                if part.filename:  # type: ignore[union-attr]
                    files[part.name] = payload.decode()  # type: ignore[union-attr,index]
                else:
                    form[part.name] = payload.decode()  # type: ignore[union-attr,index]
        else:
            data = (await request.read()).decode()
        return json_response(
            {
                "method": request.method,
                "args": dict(request.query),
                "form": form,
                "files": files,
                "data": data,
                "headers": dict(request.headers),
                "url": str(request.url),
            }
        )

    async def events(request: Request) -> Response:
        return json_response([{"created_at": "2015-06-12T14:06:22Z", "public": True}])

    async def cyrillic(request: Request) -> Response:
        return Response(body="Привет".encode("windows-1251"), content_type="text/html")

    app = Application()
    app.router.add_get("/events", events)
    app.router.add_get("/cyrillic", cyrillic)
    app.router.add_route("*", "/{tail:.*}", anything)
    return await serve_app(app)


async def test_make_a_request(serve_app) -> None:
    base = await httpbin(serve_app)
    async with aiohttp.ClientSession() as session:
        async with session.get(base / "get") as resp:
            assert resp.status == 200
            assert json.loads(await resp.text())["method"] == "GET"
        async with session.post(base / "post", data=b"data") as resp:
            assert (await resp.json())["data"] == "data"
        async with session.put(base / "put", data=b"data") as resp:
            assert (await resp.json())["method"] == "PUT"
        async with session.delete(base / "delete") as resp:
            assert (await resp.json())["method"] == "DELETE"
        async with session.head(base / "get") as resp:
            assert resp.status == 200
        async with session.options(base / "get") as resp:
            assert resp.status == 200
        async with session.patch(base / "patch", data=b"data") as resp:
            assert (await resp.json())["data"] == "data"


async def test_base_url_example(serve_app) -> None:
    base = await httpbin(serve_app)
    async with aiohttp.ClientSession(str(base)) as session:
        async with session.get("/get") as resp:
            assert (await resp.json())["url"].endswith("/get")
        async with session.post("/post", data=b"data") as resp:
            assert (await resp.json())["data"] == "data"
        async with session.put("/put", data=b"data") as resp:
            assert (await resp.json())["method"] == "PUT"


async def test_session_without_context_manager(serve_app) -> None:
    base = await httpbin(serve_app)
    session = aiohttp.ClientSession()
    async with session.get(base / "get"):
        pass
    await session.close()
    assert session.closed


async def test_params(serve_app) -> None:
    base = await httpbin(serve_app)
    async with aiohttp.ClientSession() as session:
        params = {"key1": "value1", "key2": "value2"}
        async with session.get(base / "get", params=params) as resp:
            expect = f"{base}/get?key1=value1&key2=value2"
            assert str(resp.url) == expect
        # The page expects "key=value2&key=value1"; pairs keep their order.
        params_list = [("key", "value1"), ("key", "value2")]
        async with session.get(base / "get", params=params_list) as r:
            assert str(r.url) == f"{base}/get?key=value1&key=value2"
        async with session.get(base / "get", params=MultiDict(params_list)) as r:
            assert (await r.json())["args"] == {"key": "value1"}  # first of each
        async with session.get(base / "get", params="key=value+1") as r:
            assert str(r.url) == f"{base}/get?key=value+1"


def test_canonicalization() -> None:
    url = URL("http://example.com/путь/%30?a=%31")
    assert url == URL("http://example.com/%D0%BF%D1%83%D1%82%D1%8C/0?a=1")
    assert str(URL("http://example.com/%30", encoded=True)) == "http://example.com/%30"


async def test_response_content(serve_app) -> None:
    base = await httpbin(serve_app)
    async with aiohttp.ClientSession() as session:
        async with session.get(base / "events") as resp:
            assert resp.status == 200
            assert (await resp.text()).startswith('[{"created_at":')
        async with session.get(base / "cyrillic") as resp:
            assert await resp.text(encoding="windows-1251") == "Привет"
        async with session.get(base / "events") as resp:
            assert (await resp.read()).startswith(b'[{"created_at":')
        async with session.get(base / "events") as resp:
            assert (await resp.json())[0]["public"] is True


async def test_json_request(serve_app) -> None:
    base = await httpbin(serve_app)
    async with (
        aiohttp.ClientSession() as session,
        await session.post(base / "post", json={"test": "object"}) as resp,
    ):
        assert json.loads((await resp.json())["data"]) == {"test": "object"}

    def dumps(obj: object) -> str:
        return json.dumps(obj, indent=1)

    async with (
        aiohttp.ClientSession(json_serialize=dumps) as session,
        session.post(base / "post", json={"test": "object"}) as resp,
    ):
        assert (await resp.json())["data"] == dumps({"test": "object"})


async def test_streaming_response(serve_app, tmp_path: Path) -> None:
    base = await httpbin(serve_app)
    async with aiohttp.ClientSession() as session:
        async with session.get(base / "events") as resp:
            assert await resp.content.read(10) == b'[{"created'
        filename = tmp_path / "events.json"
        async with session.get(base / "events") as resp:
            with filename.open("wb") as fd:
                async for chunk in resp.content.iter_chunked(7):
                    fd.write(chunk)
        assert json.loads(filename.read_text())[0]["public"] is True


async def test_post_forms_and_bodies(serve_app) -> None:
    base = await httpbin(serve_app)
    async with aiohttp.ClientSession() as session:
        payload = {"key1": "value1", "key2": "value2"}
        async with session.post(base / "post", data=payload) as resp:
            assert (await resp.json())["form"] == payload
        async with session.post(base / "post", data=b"\x00Binary-data\x00") as resp:
            got = await resp.json()
            assert got["data"] == "\x00Binary-data\x00"
            assert got["headers"]["Content-Type"] == "application/octet-stream"
        async with session.post(base / "post", json={"example": "test"}) as resp:
            assert json.loads((await resp.json())["data"]) == {"example": "test"}
        async with session.post(base / "post", data="Тест") as resp:
            got = await resp.json()
            assert got["data"] == "Тест"
            assert got["headers"]["Content-Type"] == "text/plain; charset=utf-8"


async def test_multipart_files(serve_app, tmp_path: Path) -> None:
    base = await httpbin(serve_app)
    report = tmp_path / "report.xls"
    report.write_text("spreadsheet")
    url = base / "post"
    async with aiohttp.ClientSession() as session:
        with report.open("rb") as f:
            files = {"file": f}
            async with session.post(url, data=files) as resp:
                assert (await resp.json())["files"] == {"file": "spreadsheet"}
        data = FormData()
        with report.open("rb") as f:
            data.add_field(
                "file",
                f,
                filename="report.xls",
                content_type="application/vnd.ms-excel",
            )
            async with session.post(url, data=data) as resp:
                assert (await resp.json())["files"] == {"file": "spreadsheet"}


async def test_streaming_uploads(serve_app, tmp_path: Path) -> None:
    base = await httpbin(serve_app)
    massive = tmp_path / "massive-body"
    massive.write_bytes(b"m" * 300_000)
    async with aiohttp.ClientSession() as session:
        with massive.open("rb") as f:
            async with session.post(base / "post", data=f) as resp:
                assert len((await resp.json())["data"]) == 300_000

        async def file_sender(file_name: Path) -> AsyncIterator[bytes]:
            with file_name.open("rb") as f:
                chunk = f.read(64 * 1024)
                while chunk:
                    yield chunk
                    chunk = f.read(64 * 1024)

        async with session.post(
            base / "post", data=file_sender(file_name=massive)
        ) as resp:
            assert len((await resp.json())["data"]) == 300_000

        resp = await session.get(base / "events")
        async with session.post(base / "post", data=resp.content) as posted:
            assert json.loads((await posted.json())["data"])[0]["public"] is True
        resp.release()


async def test_timeouts(serve_app) -> None:
    base = await httpbin(serve_app)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        assert session.timeout.total == 60
        async with session.get(base / "get", timeout=timeout) as resp:
            assert resp.status == 200
    default = aiohttp.ClientTimeout(
        total=5 * 60, connect=None, sock_connect=None, sock_read=None, ceil_threshold=5
    )
    assert default.total == 300


@pytest.mark.parametrize(
    "name", ["ClientSession", "ClientTimeout", "ClientResponse", "request"]
)
def test_public_names(name: str) -> None:
    assert name in aiohttp.__all__


async def test_websockets_example(serve_app) -> None:
    from aiohttp_web.websocket import WebSocketResponse
    from aiohttp_ws import WSMsgType

    async def ws_handler(request: Request) -> WebSocketResponse:
        ws = WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str("hello")
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                if msg.data == "hello/answer":
                    await ws.send_str("close cmd")
                else:
                    await ws.send_str(f"got {msg.data}")
        return ws

    app = Application()
    app.router.add_get("/ws", ws_handler)
    base = await serve_app(app)
    answers: list[str] = []
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(base / "ws") as ws,
    ):
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                answers.append(msg.data)
                if msg.data == "close cmd":
                    await ws.close()
                    break
                else:
                    await ws.send_str(msg.data + "/answer")
            elif msg.type == WSMsgType.ERROR:
                break
    assert answers == ["hello", "close cmd"]
