"""AccessLogger formats, and access loggers used by a real server."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
from typing import Any

import pytest

from aiohttp_core.http_messages import RawRequestMessage
from aiohttp_core.http_parser import HttpRequestParser
from aiohttp_core.http_receiver import HttpReceiver
from aiohttp_core.http_writer import StreamWriter
from aiohttp_testing.pytest_plugin import AiohttpClient, AiohttpRawServer
from aiohttp_web.abc import AbstractAccessLogger
from aiohttp_web.access_log import AccessLogger
from aiohttp_web.request import BaseRequest
from aiohttp_web.response import Response, StreamResponse
from aiohttp_web.server import Server


async def _hello(request: BaseRequest) -> StreamResponse:
    return Response(text="hello", headers={"X-Out": "o"})


def make_request(raw: bytes, **kwargs: Any) -> BaseRequest:
    loop = asyncio.get_running_loop()
    protocol = Server(_hello)()
    receiver = HttpReceiver[RawRequestMessage](HttpRequestParser(), protocol, loop=loop)
    (message, payload), *_ = receiver.feed_data(raw)[0]
    task = asyncio.current_task()
    assert task is not None
    return BaseRequest(
        message, payload, protocol, StreamWriter(protocol, loop), task, loop, **kwargs
    )


@pytest.fixture
def logger() -> logging.Logger:
    log = logging.getLogger("test.access")
    log.setLevel(logging.INFO)
    return log


REQUEST = (
    b"GET /p%20a?q=1 HTTP/1.1\r\nReferer: http://ref/\r\nUser-Agent: ua/1\r\n"
    b"X-In: i\r\n\r\n"
)


async def test_default_format(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    request = make_request(REQUEST, remote="10.0.0.1")
    response = Response(text="x")
    AccessLogger(logger, AccessLogger.LOG_FORMAT).log(request, response, 0.5)
    (record,) = caplog.records
    assert record.levelno == logging.INFO
    assert re.fullmatch(
        r"10\.0\.0\.1 \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "
        r'"GET /p%20a\?q=1 HTTP/1\.1" 200 0 "http://ref/" "ua/1"',
        record.getMessage(),
    )
    assert record.first_request_line == "GET /p%20a?q=1 HTTP/1.1"  # type: ignore[attr-defined]
    assert record.request_header == {"Referer": "http://ref/", "User-Agent": "ua/1"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("%%", "%"),
        ("%a", "-"),
        ("%P", str(os.getpid())),
        ("%s", "404"),
        ("%b", "0"),
        ("%T", "2"),
        ("%Tf", "1.500000"),
        ("%D", "1500000"),
        ("%{X-In}i %{X-Missing}i", "i -"),
        ("%{X-Out}o %{X-None}o", "o -"),
        ("plain text", "plain text"),
        ("%x %s%%", "%x 404%"),
        ("[%s]", "[404]"),
    ],
)
async def test_each_specifier(
    fmt: str, expected: str, logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    request = make_request(REQUEST)
    response = Response(status=404, headers={"X-Out": "o"})
    AccessLogger(logger, fmt).log(request, response, 1.5)
    assert caplog.records[0].getMessage() == expected


async def test_time_is_when_the_request_started(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    request = make_request(REQUEST)
    AccessLogger(logger, "%t").log(request, Response(), 3600 * 24 * 400)
    year = int(caplog.records[0].getMessage()[8:12])
    assert year <= __import__("datetime").date.today().year - 1


async def test_disabled_logger_logs_nothing(caplog: pytest.LogCaptureFixture) -> None:
    quiet = logging.getLogger("test.access.quiet")
    quiet.setLevel(logging.WARNING)
    access = AccessLogger(quiet, "%s")
    assert not access.enabled
    access.log(make_request(REQUEST), Response(), 0.1)
    assert not caplog.records


async def test_errors_while_formatting_are_logged_not_raised(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(Response):
        @property
        def status(self) -> int:
            raise RuntimeError("broken")

    AccessLogger(logger, "%s").log(make_request(REQUEST), Broken(), 0.1)
    assert caplog.records[0].getMessage() == "Error in logging"


async def test_server_logs_each_response(
    logger: logging.Logger,
    caplog: pytest.LogCaptureFixture,
    aiohttp_raw_server: AiohttpRawServer,
    aiohttp_client: AiohttpClient,
) -> None:
    server = await aiohttp_raw_server(
        _hello, access_log=logger, access_log_format='%a "%r" %s %b'
    )
    client = await aiohttp_client(server)
    for path in ("/path", "/path?again"):
        async with client.get(path) as response:
            assert await response.text() == "hello"
    await client.close()  # the server finished logging once it stopped
    lines = [r.getMessage() for r in caplog.records if r.name == "test.access"]
    assert len(lines) == 2
    assert re.fullmatch(r'127\.0\.0\.1 "GET /path HTTP/1\.1" 200 \d+', lines[0])
    size = int(lines[0].rsplit(" ", 1)[1])
    assert size > len("hello")  # head included


async def test_custom_access_logger_class(
    aiohttp_raw_server: AiohttpRawServer, aiohttp_client: AiohttpClient
) -> None:
    calls: list[tuple[str, int, float]] = []

    class Custom(AbstractAccessLogger):
        def log(
            self, request: BaseRequest, response: StreamResponse, time: float
        ) -> None:
            calls.append((request.path, response.status, time))
            self.logger.info("custom %s %s", request.path, sys.exc_info()[0])

    log = logging.getLogger("test.access.custom")
    log.setLevel(logging.INFO)
    server = await aiohttp_raw_server(_hello, access_log=log, access_log_class=Custom)
    client = await aiohttp_client(server)
    async with client.get("/path") as response:
        assert response.status == 200
    await client.close()
    assert calls[0][:2] == ("/path", 200)
    assert calls[0][2] >= 0


async def test_access_log_sees_the_handler_exception(
    aiohttp_raw_server: AiohttpRawServer, aiohttp_client: AiohttpClient
) -> None:
    seen: list[Any] = []

    class Custom(AbstractAccessLogger):
        def log(
            self, request: BaseRequest, response: StreamResponse, time: float
        ) -> None:
            seen.append((response.status, sys.exc_info()[0]))

    async def crash(request: BaseRequest) -> StreamResponse:
        raise KeyError("x")

    log = logging.getLogger("test.access.exc")
    log.setLevel(logging.INFO)
    server = await aiohttp_raw_server(crash, access_log=log, access_log_class=Custom)
    client = await aiohttp_client(server)
    async with client.get("/") as response:
        assert response.status == 500
    await client.close()
    assert seen == [(500, KeyError)]


async def test_async_access_logger_is_awaited(
    aiohttp_raw_server: AiohttpRawServer, aiohttp_client: AiohttpClient
) -> None:
    done = asyncio.Event()

    class AsyncLogger(AbstractAccessLogger):
        async def log(  # type: ignore[override]
            self, request: BaseRequest, response: StreamResponse, time: float
        ) -> None:
            await asyncio.sleep(0)
            done.set()

    log = logging.getLogger("test.access.async")
    log.setLevel(logging.INFO)
    server = await aiohttp_raw_server(
        _hello, access_log=log, access_log_class=AsyncLogger
    )
    client = await aiohttp_client(server)
    async with client.get("/path") as response:
        assert response.status == 200
    await client.close()
    assert done.is_set()


async def test_disabled_logger_class_is_not_called(
    aiohttp_raw_server: AiohttpRawServer, aiohttp_client: AiohttpClient
) -> None:
    calls: list[int] = []

    class Custom(AbstractAccessLogger):
        def log(
            self, request: BaseRequest, response: StreamResponse, time: float
        ) -> None:
            calls.append(1)

        @property
        def enabled(self) -> bool:
            return False

    server = await aiohttp_raw_server(
        _hello, access_log=logging.getLogger("x"), access_log_class=Custom
    )
    client = await aiohttp_client(server)
    async with client.get("/path") as response:
        assert response.status == 200
    await client.close()
    assert calls == []


async def test_access_log_none_disables_logging(
    caplog: pytest.LogCaptureFixture,
    aiohttp_raw_server: AiohttpRawServer,
    aiohttp_client: AiohttpClient,
) -> None:
    caplog.set_level(logging.INFO, "aiohttp.access")
    client = await aiohttp_client(await aiohttp_raw_server(_hello, access_log=None))
    async with client.get("/path") as response:
        assert response.status == 200
    await client.close()
    assert not [r for r in caplog.records if r.name == "aiohttp.access"]
