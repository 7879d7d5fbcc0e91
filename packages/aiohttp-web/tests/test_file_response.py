"""FileResponse over real sockets: validators, ranges, codings, big files."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import gzip
import logging
import os
import shutil
import ssl
import tracemalloc
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import trustme
from multidict import CIMultiDict

from aiohttp_core.etag import ETag
from aiohttp_core.helpers import http_date
from aiohttp_testing.pytest_plugin import AiohttpClient, AiohttpServer
from aiohttp_testing.servers import TestServer
from aiohttp_web import file_response
from aiohttp_web.app import Application
from aiohttp_web.byte_ranges import (
    MAX_RANGES,
    ByteRange,
    MultipartByteRanges,
    parse_byte_ranges,
)
from aiohttp_web.file_response import FileResponse, guess_content_type
from aiohttp_web.preconditions import (
    Precondition,
    evaluate_preconditions,
    if_range_allows,
)
from aiohttp_web.request import Request
from aiohttp_web.response import Response

DATA = bytes(range(256)) * 40
SIZE = len(DATA)
MTIME = 1_700_000_000
MTIME_NS = MTIME * 1_000_000_000 + 123_456_789
ETAG = f'"{MTIME_NS:x}-{SIZE:x}"'
LAST_MODIFIED = http_date(MTIME)
OLDER = http_date(MTIME - 3600)
NEWER = http_date(MTIME + 3600)
MIB = 1024 * 1024


# -- a real server and a raw client -------------------------------------------


@dataclass
class Reply:
    status: int
    headers: CIMultiDict[str]
    body: bytes
    head: bytes


async def read_reply(reader: asyncio.StreamReader, *, head_only: bool = False) -> Reply:
    """Read one response: a Content-Length body, or up to the close."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: CIMultiDict[str] = CIMultiDict()
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers.add(name.strip(), value.strip())
    body = b""
    if not head_only:
        length = headers.get("Content-Length")
        if length is not None:
            body = await asyncio.wait_for(reader.readexactly(int(length)), 5)
        else:
            body = await asyncio.wait_for(reader.read(), 5)
    return Reply(status, headers, body, head)


async def fetch(
    port: int,
    target: str,
    headers: Mapping[str, str] | list[tuple[str, str]] = (),  # type: ignore[assignment]
    *,
    method: str = "GET",
    version: str = "1.1",
) -> Reply:
    """One request on a new connection, which the server then closes."""
    items = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    lines = [f"{method} {target} HTTP/{version}", "Host: localhost"]
    lines += [f"{name}: {value}" for name, value in items]
    lines += ["Connection: close", "", ""]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write("\r\n".join(lines).encode("utf-8"))
        reply = await read_reply(reader, head_only=method == "HEAD")
        assert await asyncio.wait_for(reader.read(), 5) == b""
        return reply
    finally:
        writer.close()
        await writer.wait_closed()


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A folder with data.txt (DATA, at MTIME_NS) and a few other files."""
    data = tmp_path / "data.txt"
    data.write_bytes(DATA)
    os.utime(data, ns=(MTIME_NS, MTIME_NS))
    (tmp_path / "small.txt").write_bytes(b"small")
    (tmp_path / "empty.txt").write_bytes(b"")
    return tmp_path


@pytest.fixture
async def server(files: Path, aiohttp_server: AiohttpServer) -> TestServer:
    """A server answering /f/<name> with FileResponse(files / name)."""

    async def handler(request: Request) -> FileResponse:
        query = request.query
        headers = {}
        if "ctype" in query:
            headers["Content-Type"] = query["ctype"]
        if "vary" in query:
            headers["Vary"] = query["vary"]
        response = FileResponse(
            files / request.match_info["name"],
            chunk_size=int(query.get("chunk", 256 * 1024)),
            status=int(query.get("status", 200)),
            headers=headers,
        )
        if "compress" in query:
            response.enable_compression()
        if "early" in query:
            # Prepared and ended by the handler: the server's own prepare and
            # write_eof calls then change nothing.
            writer = await response.prepare(request)
            assert writer is not None
            assert await response.prepare(request) is writer
            await response.write_eof()
            assert await response.prepare(request) is None
        return response

    app = Application()
    app.router.add_route("*", "/f/{name:.+}", handler)
    return await aiohttp_server(app)


@pytest.fixture
def port(server: TestServer) -> int:
    """The port of ``server``."""
    assert server.port is not None
    return server.port


@pytest.fixture(params=["sendfile", "read"])
def send_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways of sending: sendfile, and reads in a thread (NOSENDFILE)."""
    mode: str = request.param
    monkeypatch.setattr(file_response, "NOSENDFILE", mode == "read")
    return mode


# -- whole files --------------------------------------------------------------


async def test_whole_file(port: int, send_mode: str) -> None:
    reply = await fetch(port, "/f/data.txt")
    assert reply.status == 200
    assert reply.body == DATA
    assert reply.headers["Content-Length"] == str(SIZE)
    assert reply.headers["ETag"] == ETAG
    assert reply.headers["Last-Modified"] == LAST_MODIFIED
    assert reply.headers["Accept-Ranges"] == "bytes"
    assert reply.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "Vary" not in reply.headers
    assert "Content-Encoding" not in reply.headers


async def test_small_chunks_through_the_writer(port: int, send_mode: str) -> None:
    reply = await fetch(port, "/f/data.txt?chunk=1000")
    assert reply.body == DATA


async def test_head_sends_no_body_bytes(port: int, send_mode: str) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            b"HEAD /f/data.txt HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /f/small.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        first = await read_reply(reader, head_only=True)
        second = await read_reply(reader)
        rest = await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
        await writer.wait_closed()
    assert first.status == 200
    assert first.headers["Content-Length"] == str(SIZE)
    assert first.headers["ETag"] == ETAG
    # The second response starts right after the first head: no body between.
    assert second.status == 200
    assert second.body == b"small"
    assert rest == b""


async def test_empty_file(port: int, send_mode: str) -> None:
    reply = await fetch(port, "/f/empty.txt")
    assert reply.status == 200
    assert reply.headers["Content-Length"] == "0"
    assert reply.body == b""


async def test_http10(port: int, send_mode: str) -> None:
    reply = await fetch(port, "/f/data.txt", version="1.0")
    assert reply.head.startswith(b"HTTP/1.0 200 OK\r\n")
    assert reply.body == DATA


async def test_real_clients(port: int, send_mode: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{port}/f/data.txt")
        ranged = await client.get(
            f"http://127.0.0.1:{port}/f/data.txt", headers={"Range": "bytes=10-19"}
        )
    assert response.status_code == 200
    assert response.content == DATA
    assert ranged.status_code == 206
    assert ranged.content == DATA[10:20]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
async def test_curl_range(port: int, send_mode: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        "curl",
        "-s",
        "-r",
        "100-199",
        f"http://127.0.0.1:{port}/f/data.txt",
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 10)
    assert proc.returncode == 0
    assert out == DATA[100:200]


async def test_etag_follows_the_file(port: int, files: Path) -> None:
    path = files / "data.txt"
    os.utime(path, ns=(MTIME_NS + 1, MTIME_NS + 1))
    reply = await fetch(port, "/f/data.txt", {"If-None-Match": ETAG})
    assert reply.status == 200
    assert reply.headers["ETag"] == f'"{MTIME_NS + 1:x}-{SIZE:x}"'


async def test_user_content_type_is_kept(port: int) -> None:
    reply = await fetch(port, "/f/data.txt?ctype=application/x-custom")
    assert reply.headers["Content-Type"] == "application/x-custom"


async def test_status_other_than_200_ignores_ranges_and_conditions(port: int) -> None:
    reply = await fetch(
        port, "/f/data.txt?status=404", {"Range": "bytes=0-1", "If-None-Match": ETAG}
    )
    assert reply.status == 404
    assert reply.body == DATA


async def test_compression_goes_through_the_writer(
    server: TestServer, send_mode: str, aiohttp_client: AiohttpClient
) -> None:
    client = await aiohttp_client(server)
    response = await client.get(
        "/f/data.txt?compress=1", headers={"Accept-Encoding": "gzip"}
    )
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Transfer-Encoding"] == "chunked"
    assert await response.read() == DATA


async def test_tls_transport(
    files: Path,
    send_mode: str,
    aiohttp_server: AiohttpServer,
    aiohttp_client: AiohttpClient,
) -> None:
    # TLS transports have no native sendfile: asyncio copies through buffers.
    payload = os.urandom(3 * MIB)
    (files / "random.bin").write_bytes(payload)
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)

    async def handler(request: Request) -> FileResponse:
        return FileResponse(files / "random.bin")

    app = Application()
    app.router.add_get("/", handler)
    server = await aiohttp_server(app, ssl=server_context)
    assert server.scheme == "https"
    client = await aiohttp_client(server)
    whole = await client.get("/", ssl=client_context)
    assert await whole.read() == payload
    ranged = await client.get(
        "/", headers={"Range": "bytes=5-9,-3"}, ssl=client_context
    )
    assert ranged.status == 206
    ranged_body = await ranged.read()
    assert payload[5:10] in ranged_body
    assert ranged_body.count(payload[-3:]) >= 1


async def test_cancelled_prepare_closes_the_file(
    files: Path, aiohttp_server: AiohttpServer
) -> None:
    async def handler(request: Request) -> Response:
        response = FileResponse(files / "data.txt")
        task = asyncio.ensure_future(response.prepare(request))
        await asyncio.sleep(0)  # the thread is opening the file
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.05)  # the thread ends, the callback runs
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            gc.collect()
        leaks = [w for w in caught if issubclass(w.category, ResourceWarning)]
        return Response(text=f"{task.cancelled()} {len(leaks)}")

    app = Application()
    app.router.add_get("/", handler)
    server = await aiohttp_server(app)
    assert server.port is not None
    reply = await fetch(server.port, "/")
    assert reply.body == b"True 0"


async def test_loop_without_sendfile(
    port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Event loops may lack sendfile (AbstractEventLoop.sendfile raises
    # NotImplementedError): the bytes are then copied by reads in a thread.
    async def no_sendfile(*args: object, **kwargs: object) -> int:
        raise NotImplementedError

    monkeypatch.setattr(asyncio.get_running_loop(), "sendfile", no_sendfile)
    whole = await fetch(port, "/f/data.txt?chunk=1000")
    ranged = await fetch(port, "/f/data.txt", {"Range": "bytes=20-29,0-9"})
    assert whole.body == DATA
    boundary = ranged.headers["Content-Type"].split("boundary=")[1]
    assert ranged.body == multipart_body(boundary, [(20, 30), (0, 10)])


async def test_prepared_by_the_handler(port: int, send_mode: str) -> None:
    reply = await fetch(port, "/f/data.txt?early=1", {"Range": "bytes=0-9"})
    assert reply.status == 206
    assert reply.body == DATA[:10]


# -- missing and odd files ----------------------------------------------------


async def test_missing_file_is_404(port: int) -> None:
    reply = await fetch(port, "/f/nothing.txt")
    assert reply.status == 404
    assert reply.headers["Content-Length"] == "0"


async def test_missing_parent_is_404(port: int) -> None:
    reply = await fetch(port, "/f/data.txt/more")
    assert reply.status == 404


async def test_directory_is_403(port: int, files: Path) -> None:
    (files / "folder").mkdir()
    reply = await fetch(port, "/f/folder")
    assert reply.status == 403
    assert reply.headers["Content-Length"] == "0"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
async def test_fifo_is_403_without_blocking(port: int, files: Path) -> None:
    os.mkfifo(files / "pipe")
    reply = await fetch(port, "/f/pipe")
    assert reply.status == 403


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root reads files whatever their mode",
)
async def test_unreadable_file_is_403(port: int, files: Path) -> None:
    (files / "data.txt").chmod(0)
    reply = await fetch(port, "/f/data.txt")
    assert reply.status == 403


# -- ranges -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "start", "stop"),
    [
        ("bytes=0-99", 0, 100),
        ("bytes=100-", 100, SIZE),
        ("bytes=-100", SIZE - 100, SIZE),
        ("bytes=10000-20000", 10000, SIZE),
        ("bytes=-99999", 0, SIZE),
        ("BYTES=5-5", 5, 6),
        ("bytes=0-0,1-1", 0, 2),
        ("bytes= 3-7 ", 3, 8),
        ("bytes=0-5,,", 0, 6),
        ("bytes=0-1,20000-", 0, 2),
        (f"bytes={SIZE - 1}-", SIZE - 1, SIZE),
    ],
)
async def test_single_range(
    port: int, send_mode: str, spec: str, start: int, stop: int
) -> None:
    reply = await fetch(port, "/f/data.txt", {"Range": spec})
    assert reply.status == 206
    assert reply.headers["Content-Range"] == f"bytes {start}-{stop - 1}/{SIZE}"
    assert reply.headers["Content-Length"] == str(stop - start)
    assert reply.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert reply.body == DATA[start:stop]


def multipart_body(
    boundary: str,
    parts: list[tuple[int, int]],
    ctype: str = "text/plain; charset=utf-8",
) -> bytes:
    body = b""
    for index, (start, stop) in enumerate(parts):
        if index:
            body += b"\r\n"
        body += (
            f"--{boundary}\r\nContent-Type: {ctype}\r\n"
            f"Content-Range: bytes {start}-{stop - 1}/{SIZE}\r\n\r\n"
        ).encode() + DATA[start:stop]
    return body + f"\r\n--{boundary}--\r\n".encode()


@pytest.mark.parametrize(
    ("spec", "parts"),
    [
        ("bytes=20-29,0-9,-5", [(20, 30), (0, 10), (SIZE - 5, SIZE)]),
        ("bytes=0-9,5-14,100-109", [(0, 15), (100, 110)]),
        ("bytes=50-59,0-9,8-20", [(50, 60), (0, 21)]),
        ("bytes=0-0,2-2", [(0, 1), (2, 3)]),
    ],
)
async def test_multiple_ranges(
    port: int, send_mode: str, spec: str, parts: list[tuple[int, int]]
) -> None:
    reply = await fetch(port, "/f/data.txt", {"Range": spec})
    assert reply.status == 206
    ctype = reply.headers["Content-Type"]
    prefix = "multipart/byteranges; boundary="
    assert ctype.startswith(prefix)
    expected = multipart_body(ctype[len(prefix) :], parts)
    assert reply.body == expected
    assert reply.headers["Content-Length"] == str(len(expected))
    assert "Content-Range" not in reply.headers


async def test_multiple_ranges_keep_a_custom_type(port: int) -> None:
    reply = await fetch(
        port, "/f/data.txt?ctype=application/x-custom", {"Range": "bytes=0-0,2-2"}
    )
    boundary = reply.headers["Content-Type"].split("boundary=")[1]
    assert reply.body == multipart_body(
        boundary, [(0, 1), (2, 3)], ctype="application/x-custom"
    )


async def test_range_limit(port: int) -> None:
    at_limit = ",".join(f"{i * 10}-{i * 10}" for i in range(MAX_RANGES))
    reply = await fetch(port, "/f/data.txt", {"Range": f"bytes={at_limit}"})
    assert reply.status == 206
    boundary = reply.headers["Content-Type"].split("boundary=")[1]
    assert reply.body.count(f"--{boundary}\r\n".encode()) == MAX_RANGES
    over = f"{at_limit},{MAX_RANGES * 10}-{MAX_RANGES * 10}"
    reply = await fetch(port, "/f/data.txt", {"Range": f"bytes={over}"})
    assert reply.status == 200
    assert reply.body == DATA


@pytest.mark.parametrize(
    "spec",
    [
        f"bytes={SIZE}-",
        "bytes=99999-99999",
        "bytes=-0",
        "bytes=20000-,30000-",
        "bytes=99999999999999999999999999-",
    ],
)
async def test_unsatisfiable_range_is_416(port: int, spec: str) -> None:
    reply = await fetch(port, "/f/data.txt", {"Range": spec})
    assert reply.status == 416
    assert reply.headers["Content-Range"] == f"bytes */{SIZE}"
    assert reply.headers["Content-Length"] == "0"
    assert reply.body == b""


async def test_range_on_empty_file_is_416(port: int) -> None:
    reply = await fetch(port, "/f/empty.txt", {"Range": "bytes=0-"})
    assert reply.status == 416
    assert reply.headers["Content-Range"] == "bytes */0"


@pytest.mark.parametrize(
    "spec",
    [
        "bytes=5-1",
        "items=0-1",
        "bytes=abc",
        "bytes=",
        "bytes=-",
        "bytes=1-2-3",
        "bytes 0-1",
        "bytes=0-1,junk",
        "bytes=\u0661-\u0662",
    ],
)
async def test_invalid_range_is_ignored(port: int, spec: str) -> None:
    reply = await fetch(port, "/f/data.txt", {"Range": spec})
    assert reply.status == 200
    assert reply.body == DATA


async def test_two_range_fields_are_ignored(port: int) -> None:
    reply = await fetch(
        port, "/f/data.txt", [("Range", "bytes=0-1"), ("Range", "bytes=2-3")]
    )
    assert reply.status == 200


async def test_range_on_head(port: int) -> None:
    reply = await fetch(port, "/f/data.txt", {"Range": "bytes=0-9"}, method="HEAD")
    assert reply.status == 206
    assert reply.headers["Content-Length"] == "10"
    assert reply.body == b""


async def test_range_is_ignored_for_post(port: int) -> None:
    reply = await fetch(
        port,
        "/f/data.txt",
        {"Range": "bytes=0-9", "Content-Length": "0"},
        method="POST",
    )
    assert reply.status == 200
    assert reply.body == DATA


# -- conditional requests -----------------------------------------------------

CONDITIONS = [
    # If-None-Match alone
    ("inm-match", "GET", {"If-None-Match": ETAG}, 304),
    ("inm-weak-match", "GET", {"If-None-Match": f"W/{ETAG}"}, 304),
    ("inm-in-list", "GET", {"If-None-Match": f'"x", {ETAG}'}, 304),
    ("inm-star", "GET", {"If-None-Match": "*"}, 304),
    ("inm-other", "GET", {"If-None-Match": '"other"'}, 200),
    ("inm-head", "HEAD", {"If-None-Match": ETAG}, 304),
    ("inm-post", "POST", {"If-None-Match": ETAG}, 412),
    # If-Modified-Since alone
    ("ims-equal", "GET", {"If-Modified-Since": LAST_MODIFIED}, 304),
    ("ims-newer", "GET", {"If-Modified-Since": NEWER}, 304),
    ("ims-older", "GET", {"If-Modified-Since": OLDER}, 200),
    ("ims-invalid", "GET", {"If-Modified-Since": "yesterday"}, 200),
    ("ims-post", "POST", {"If-Modified-Since": LAST_MODIFIED}, 200),
    # If-Match alone
    ("im-match", "GET", {"If-Match": ETAG}, 200),
    ("im-in-list", "GET", {"If-Match": f'"x", {ETAG}'}, 200),
    ("im-star", "GET", {"If-Match": "*"}, 200),
    ("im-other", "GET", {"If-Match": '"other"'}, 412),
    ("im-weak", "GET", {"If-Match": f"W/{ETAG}"}, 412),
    ("im-junk", "GET", {"If-Match": "junk"}, 412),
    # If-Unmodified-Since alone
    ("ius-equal", "GET", {"If-Unmodified-Since": LAST_MODIFIED}, 200),
    ("ius-newer", "GET", {"If-Unmodified-Since": NEWER}, 200),
    ("ius-older", "GET", {"If-Unmodified-Since": OLDER}, 412),
    ("ius-invalid", "GET", {"If-Unmodified-Since": "nonsense"}, 200),
    # Combined: RFC 9110 13.2.2 order
    ("im-fails-first", "GET", {"If-Match": '"x"', "If-None-Match": ETAG}, 412),
    (
        "im-hides-ius",
        "GET",
        {"If-Match": ETAG, "If-Unmodified-Since": OLDER},
        200,
    ),
    (
        "ius-fails-first",
        "GET",
        {"If-Unmodified-Since": OLDER, "If-None-Match": ETAG},
        412,
    ),
    (
        "inm-hides-ims",
        "GET",
        {"If-None-Match": '"other"', "If-Modified-Since": NEWER},
        200,
    ),
    (
        "inm-match-ims-older",
        "GET",
        {"If-None-Match": ETAG, "If-Modified-Since": OLDER},
        304,
    ),
    ("im-and-inm-match", "GET", {"If-Match": ETAG, "If-None-Match": ETAG}, 304),
    ("304-before-range", "GET", {"If-None-Match": ETAG, "Range": "bytes=0-1"}, 304),
    ("412-before-range", "GET", {"If-Match": '"x"', "Range": "bytes=0-1"}, 412),
    ("412-before-416", "GET", {"If-Match": '"x"', "Range": "bytes=99999-"}, 412),
    (
        "ims-range",
        "GET",
        {"If-Modified-Since": OLDER, "Range": "bytes=0-1"},
        206,
    ),
]


@pytest.mark.parametrize(
    ("method", "headers", "status"),
    [case[1:] for case in CONDITIONS],
    ids=[case[0] for case in CONDITIONS],
)
async def test_conditional_request(
    port: int, method: str, headers: dict[str, str], status: int
) -> None:
    if method == "POST":
        headers = {**headers, "Content-Length": "0"}
    reply = await fetch(port, "/f/data.txt", headers, method=method)
    assert reply.status == status
    if status == 304:
        assert reply.headers["ETag"] == ETAG
        assert reply.headers["Last-Modified"] == LAST_MODIFIED
        assert "Content-Length" not in reply.headers
        assert "Content-Type" not in reply.headers
        assert reply.body == b""
    elif status == 412:
        assert reply.headers["Content-Length"] == "0"
        assert reply.body == b""
    elif status == 200 and method == "GET":
        assert reply.body == DATA


IF_RANGE = [
    ("etag-match", ETAG, "bytes=0-9", 206),
    ("etag-other", '"other"', "bytes=0-9", 200),
    ("etag-weak", f"W/{ETAG}", "bytes=0-9", 200),
    ("date-equal", LAST_MODIFIED, "bytes=0-9", 206),
    ("date-older", OLDER, "bytes=0-9", 200),
    ("date-newer", NEWER, "bytes=0-9", 200),
    ("garbage", "garbage", "bytes=0-9", 200),
    ("bad-tag", '"unterminated', "bytes=0-9", 200),
    ("miss-hides-416", '"other"', "bytes=99999-", 200),
    ("match-multi", ETAG, "bytes=0-1,5-6", 206),
]


@pytest.mark.parametrize(
    ("if_range", "spec", "status"),
    [case[1:] for case in IF_RANGE],
    ids=[case[0] for case in IF_RANGE],
)
async def test_if_range(port: int, if_range: str, spec: str, status: int) -> None:
    reply = await fetch(port, "/f/data.txt", {"If-Range": if_range, "Range": spec})
    assert reply.status == status
    if status == 200:
        assert reply.body == DATA


async def test_if_range_without_range(port: int) -> None:
    reply = await fetch(port, "/f/data.txt", {"If-Range": '"other"'})
    assert reply.status == 200
    assert reply.body == DATA


# -- pre-compressed siblings --------------------------------------------------


@pytest.fixture
def siblings(files: Path) -> Path:
    """page.txt with .gz (real gzip), .br and .zst siblings (marker bytes)."""
    page = files / "page.txt"
    page.write_bytes(b"plain text " * 100)
    (files / "page.txt.gz").write_bytes(gzip.compress(page.read_bytes()))
    (files / "page.txt.br").write_bytes(b"BROTLI BYTES")
    (files / "page.txt.zst").write_bytes(b"ZSTD BYTES")
    return files


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("gzip", "gzip"),
        ("br, gzip", "br"),
        ("gzip, br", "br"),
        ("gzip;q=1, br;q=0.5", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("zstd", "zstd"),
        ("zstd;q=0.9, gzip;q=0.8", "zstd"),
        ("*", "br"),
        ("*, br;q=0", "zstd"),
        ("x-gzip", "gzip"),
        ("GZIP", "gzip"),
        ("gzip ; q=0.5", "gzip"),
        ("identity", None),
        ("deflate", None),
        ("", None),
        ("gzip;q=0", None),
        ("gzip;q=2", None),
    ],
)
async def test_sibling_choice(
    port: int, siblings: Path, accept: str, coding: str | None
) -> None:
    headers = {"Accept-Encoding": accept} if accept else {}
    reply = await fetch(port, "/f/page.txt", headers)
    assert reply.status == 200
    assert reply.headers["Vary"] == "Accept-Encoding"
    assert reply.headers["Content-Type"] == "text/plain; charset=utf-8"
    suffix = {None: "", "gzip": ".gz", "br": ".br", "zstd": ".zst"}[coding]
    served = siblings / f"page.txt{suffix}"
    assert reply.body == served.read_bytes()
    assert reply.headers.get("Content-Encoding") == coding
    st = served.stat()
    assert reply.headers["ETag"] == f'"{st.st_mtime_ns:x}-{st.st_size:x}"'


@pytest.mark.parametrize("vary", ["Accept-Encoding", "accept-encoding, Origin", "*"])
async def test_vary_is_not_repeated(port: int, siblings: Path, vary: str) -> None:
    reply = await fetch(port, f"/f/page.txt?vary={quote(vary)}")
    assert reply.headers.getall("Vary") == [vary]


async def test_vary_is_added_to_others(port: int, siblings: Path) -> None:
    reply = await fetch(port, "/f/page.txt?vary=Origin")
    assert reply.headers.getall("Vary") == ["Origin", "Accept-Encoding"]


async def test_sibling_decoded_by_a_real_client(
    server: TestServer, siblings: Path, aiohttp_client: AiohttpClient
) -> None:
    (siblings / "page.txt.br").unlink()
    (siblings / "page.txt.zst").unlink()
    client = await aiohttp_client(server)
    response = await client.get("/f/page.txt", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert await response.read() == b"plain text " * 100


async def test_sibling_ranges(port: int, siblings: Path) -> None:
    gz = (siblings / "page.txt.gz").read_bytes()
    reply = await fetch(
        port, "/f/page.txt", {"Accept-Encoding": "gzip", "Range": "bytes=0-3"}
    )
    assert reply.status == 206
    assert reply.headers["Content-Encoding"] == "gzip"
    assert reply.headers["Content-Range"] == f"bytes 0-3/{len(gz)}"
    assert reply.body == gz[:4]
    # Several ranges of an encoded body: the whole body instead.
    reply = await fetch(
        port, "/f/page.txt", {"Accept-Encoding": "gzip", "Range": "bytes=0-1,5-6"}
    )
    assert reply.status == 200
    assert reply.body == gz


async def test_sibling_that_is_not_a_file_is_skipped(port: int, siblings: Path) -> None:
    (siblings / "page.txt.br").unlink()
    (siblings / "page.txt.br").mkdir()
    reply = await fetch(port, "/f/page.txt", {"Accept-Encoding": "br, gzip;q=0.5"})
    assert reply.headers["Content-Encoding"] == "gzip"


async def test_compressed_file_asked_by_name(port: int, siblings: Path) -> None:
    reply = await fetch(port, "/f/page.txt.gz", {"Accept-Encoding": "gzip"})
    assert reply.headers["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in reply.headers
    assert reply.body == (siblings / "page.txt.gz").read_bytes()


async def test_sibling_without_original(port: int, files: Path) -> None:
    (files / "only.txt.gz").write_bytes(gzip.compress(b"only"))
    reply = await fetch(port, "/f/only.txt", {"Accept-Encoding": "gzip"})
    assert reply.status == 200
    assert reply.headers["Content-Encoding"] == "gzip"
    reply = await fetch(port, "/f/only.txt")
    assert reply.status == 404


# -- big and shrinking files --------------------------------------------------


async def test_large_file_with_bounded_memory(
    port: int, files: Path, send_mode: str
) -> None:
    size = 50 * MIB
    (files / "big.bin").touch()
    os.truncate(files / "big.bin", size)  # sparse: no disk space used
    tracemalloc.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /f/big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        received = 0
        zeros = True
        while chunk := await asyncio.wait_for(reader.read(256 * 1024), 10):
            received += len(chunk)
            zeros = zeros and chunk.count(0) == len(chunk)
        _, peak = tracemalloc.get_traced_memory()
        writer.close()
        await writer.wait_closed()
    finally:
        tracemalloc.stop()
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert f"\r\nContent-Length: {size}\r\n".encode() in head
    assert received == size
    assert zeros
    assert peak < 8 * MIB, f"peak traced memory {peak} bytes"


async def test_file_shrinking_while_sent_closes_the_connection(
    port: int, files: Path, send_mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    size = 32 * MIB
    path = files / "shrinks.bin"
    path.touch()
    os.truncate(path, size)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"GET /f/shrinks.bin?chunk=65536 HTTP/1.1\r\nHost: x\r\n\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        first = await asyncio.wait_for(reader.read(1), 5)
        os.truncate(path, MIB)
        received = len(first)
        while chunk := await asyncio.wait_for(reader.read(256 * 1024), 10):
            received += len(chunk)
    finally:
        writer.close()
        await writer.wait_closed()
    assert f"\r\nContent-Length: {size}\r\n".encode() in head
    assert 0 < received < size
    assert any(
        record.name == "aiohttp.server"
        and record.levelno == logging.WARNING
        and "shrank" in record.getMessage()
        for record in caplog.records
    )


# -- the response object ------------------------------------------------------


def test_constructor_arguments(tmp_path: Path) -> None:
    response = FileResponse(path=tmp_path / "x", status=203, reason="Fine")
    assert response.status == 203
    assert response.reason == "Fine"
    assert not response.prepared
    response = FileResponse(str(tmp_path / "x"), 1024, headers={"X-A": "b"})
    assert response.headers["X-A"] == "b"
    with pytest.raises(ValueError, match="chunk_size"):
        FileResponse(tmp_path / "x", chunk_size=0)


@pytest.mark.parametrize(
    ("name", "ctype"),
    [
        ("a.txt", "text/plain; charset=utf-8"),
        ("a.html", "text/html; charset=utf-8"),
        ("a.json", "application/json; charset=utf-8"),
        ("a.png", "image/png"),
        ("a.unknown-extension", "application/octet-stream"),
        ("noextension", "application/octet-stream"),
        ("a.tar.gz", "application/gzip"),
        ("a.txt.gz", "application/gzip"),
        ("a.txt.bz2", "application/x-bzip2"),
        ("A.TXT", "text/plain; charset=utf-8"),
    ],
)
def test_guess_content_type(name: str, ctype: str) -> None:
    assert guess_content_type(name) == ctype


# -- the sans-I/O pieces ------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        ("bytes=0-0", 10, (ByteRange(0, 1),)),
        ("bytes=0-", 10, (ByteRange(0, 10),)),
        ("bytes=-3", 10, (ByteRange(7, 10),)),
        ("bytes=-30", 10, (ByteRange(0, 10),)),
        ("bytes=8-30", 10, (ByteRange(8, 10),)),
        ("bytes=10-", 10, ()),
        ("bytes=-0", 10, ()),
        ("bytes=-1", 0, ()),
        ("bytes=0-", 0, ()),
        ("bytes=3-4,0-1", 10, (ByteRange(3, 5), ByteRange(0, 2))),
        ("bytes=0-1,2-3", 10, (ByteRange(0, 4),)),
        ("bytes=0-5,2-3", 10, (ByteRange(0, 6),)),
        ("bytes=5-6,0-1,1-2", 10, (ByteRange(5, 7), ByteRange(0, 3))),
        ("bytes=0-0,-1", 1, (ByteRange(0, 1),)),
        (" bytes=1-2 ", 10, (ByteRange(1, 3),)),
        ("Bytes=1-2", 10, (ByteRange(1, 3),)),
        ("bytes=2-1", 10, None),
        ("bytes=", 10, None),
        ("bytes=,", 10, None),
        ("bytes=a-b", 10, None),
        ("bytes=1", 10, None),
        ("bytes=0-1;x", 10, None),
        ("bytes=+1-2", 10, None),
        ("bytes =0-1", 10, None),
        ("pages=0-1", 10, None),
        ("bytes=" + "9" * 5000 + "-", 10, ()),
        ("bytes=0-" + "9" * 5000, 10, (ByteRange(0, 10),)),
    ],
)
def test_parse_byte_ranges(
    header: str, size: int, expected: tuple[ByteRange, ...] | None
) -> None:
    assert parse_byte_ranges(header, size) == expected


def test_parse_byte_ranges_limit() -> None:
    specs = ",".join(f"{i * 2}-{i * 2}" for i in range(5))
    assert parse_byte_ranges(f"bytes={specs}", 100, max_ranges=5) is not None
    assert parse_byte_ranges(f"bytes={specs},20-20", 100, max_ranges=5) is None


def test_multipart_layout() -> None:
    layout = MultipartByteRanges(
        (ByteRange(0, 2), ByteRange(5, 6)), 10, "text/plain", boundary="B"
    )
    assert layout.content_type == "multipart/byteranges; boundary=B"
    assert layout.pieces == [
        b"--B\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/10\r\n\r\n",
        ByteRange(0, 2),
        b"\r\n--B\r\nContent-Type: text/plain\r\nContent-Range: bytes 5-5/10\r\n\r\n",
        ByteRange(5, 6),
        b"\r\n--B--\r\n",
    ]
    assert layout.length == sum(
        p.length if isinstance(p, ByteRange) else len(p) for p in layout.pieces
    )
    with pytest.raises(ValueError, match="content type"):
        MultipartByteRanges((ByteRange(0, 1),), 1, "text/plain\r\nX: y")
    with pytest.raises(ValueError, match="at least one"):
        MultipartByteRanges((), 1, "text/plain")


def test_random_boundaries_differ() -> None:
    ranges = (ByteRange(0, 1), ByteRange(2, 3))
    first = MultipartByteRanges(ranges, 5, "text/plain")
    second = MultipartByteRanges(ranges, 5, "text/plain")
    assert first.boundary != second.boundary
    assert len(first.boundary) == 32


def _headers(*pairs: tuple[str, str]) -> CIMultiDict[str]:
    return CIMultiDict(pairs)


def test_preconditions_sans_io() -> None:
    tag = ETag("abc")
    lm = MTIME
    assert evaluate_preconditions("GET", _headers(), tag, lm) is Precondition.PROCEED
    split = _headers(("If-None-Match", '"x"'), ("If-None-Match", '"abc"'))
    assert evaluate_preconditions("GET", split, tag, lm) is Precondition.NOT_MODIFIED
    twice = _headers(
        ("If-Modified-Since", LAST_MODIFIED), ("If-Modified-Since", LAST_MODIFIED)
    )
    assert evaluate_preconditions("GET", twice, tag, lm) is Precondition.PROCEED
    weak = ETag("abc", is_weak=True)
    strong_wanted = _headers(("If-Match", '"abc"'))
    assert evaluate_preconditions("GET", strong_wanted, weak, lm) is Precondition.FAILED
    assert if_range_allows(_headers(), tag, lm)
    assert not if_range_allows(_headers(("If-Range", '"abc"')), weak, lm)
    two = _headers(("If-Range", '"abc"'), ("If-Range", '"abc"'))
    assert not if_range_allows(two, tag, lm)
