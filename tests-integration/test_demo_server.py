"""The demo server, built on aiohttp-core, against real clients over 127.0.0.1."""

from __future__ import annotations

import asyncio
import gzip
import http.client
import importlib.util
import json
import re
import shutil
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import pytest

DEMO = Path(__file__).resolve().parent.parent / "examples" / "demo.py"


def _load_demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("aiohttp_demo", DEMO)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


demo = _load_demo()


@pytest.fixture
async def port() -> AsyncIterator[int]:
    server = await demo.serve("127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()


def _request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


async def _raw(port: int, data: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
        await writer.wait_closed()


async def test_index_page(port: int) -> None:
    status, headers, body = await asyncio.to_thread(_request, port, "GET", "/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"aiohttp-core" in body


async def test_head_has_no_body(port: int) -> None:
    status, headers, body = await asyncio.to_thread(_request, port, "HEAD", "/")
    assert status == 200
    assert int(headers["Content-Length"]) > 0
    assert body == b""


async def test_headers_echo_as_json(port: int) -> None:
    status, _, body = await asyncio.to_thread(
        _request, port, "GET", "/headers?x=1", None, {"X-Test": "yes"}
    )
    assert status == 200
    head = json.loads(body)
    assert head["path"] == "/headers?x=1"
    assert ["X-Test", "yes"] in head["headers"]


async def test_echo_content_length_body(port: int) -> None:
    payload = bytes(range(256)) * 1000
    status, _, body = await asyncio.to_thread(_request, port, "POST", "/echo", payload)
    assert status == 200
    assert body == payload


async def test_echo_chunked_body(port: int) -> None:
    def send() -> bytes:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request(
            "POST", "/echo", body=iter([b"abc", b"", b"defg"]), encode_chunked=True
        )
        data = conn.getresponse().read()
        conn.close()
        return data

    assert await asyncio.to_thread(send) == b"abcdefg"


async def test_gzip_request_body_is_decoded(port: int) -> None:
    payload = b"hello " * 10000
    status, _, body = await asyncio.to_thread(
        _request,
        port,
        "POST",
        "/echo",
        gzip.compress(payload),
        {"Content-Encoding": "gzip"},
    )
    assert (status, body) == (200, payload)


async def test_keep_alive_serves_several_requests_on_one_connection(port: int) -> None:
    def run() -> list[int]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        statuses = []
        for _ in range(3):
            conn.request("GET", "/")
            resp = conn.getresponse()
            resp.read()
            statuses.append(resp.status)
        conn.close()
        return statuses

    assert await asyncio.to_thread(run) == [200, 200, 200]


async def test_pipelined_requests_are_answered_in_order(port: int) -> None:
    data = await _raw(
        port,
        b"GET /headers HTTP/1.1\r\nHost: a\r\n\r\n"
        b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
        b"GET /nowhere HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    )
    statuses = re.findall(rb"HTTP/1\.1 [0-9]{3} [A-Za-z ]+", data)
    assert statuses == [
        b"HTTP/1.1 200 OK",
        b"HTTP/1.1 200 OK",
        b"HTTP/1.1 404 Not Found",
    ]
    assert b"\r\n\r\nhello" in data


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400),
        (
            b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400,
        ),
        (b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        (b"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        (b"GET / HTTP/1.1\r\nX: " + b"a" * 9000 + b"\r\n\r\n", 431),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        (b"POST /echo HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello", 400),
    ],
)
async def test_bad_requests_get_the_parser_status_and_a_closed_connection(
    port: int, request_bytes: bytes, status: int
) -> None:
    data = await _raw(port, request_bytes)
    assert data.startswith(f"HTTP/1.1 {status} ".encode())
    assert b"Connection: close" in data


async def test_truncated_body_does_not_hang(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nshort")
    writer.write_eof()
    data = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    await writer.wait_closed()
    assert data.startswith(b"HTTP/1.1 400 ")


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
async def test_curl_gets_the_page_with_compressed_upload(port: int) -> None:
    proc = await asyncio.create_subprocess_exec(
        "curl",
        "-sS",
        "--data-binary",
        "@-",
        "-H",
        "Content-Type: text/plain",
        f"http://127.0.0.1:{port}/echo",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(proc.communicate(b"from curl"), 10)
    assert proc.returncode == 0
    assert out == b"from curl"


def test_demo_module_has_no_socket_leak() -> None:
    # The module imports cleanly without binding anything.
    assert not any(isinstance(v, socket.socket) for v in vars(demo).values())
