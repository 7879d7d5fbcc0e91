"""The examples of web_lowlevel, web_exceptions, logging, deployment and abc pages."""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import signal
import sys
import textwrap
from collections.abc import AsyncIterator, Callable, Generator
from pathlib import Path
from typing import Any

import pytest

import aiohttp
import aiohttp.web
from aiohttp import abc, web
from aiohttp.abc import AbstractAccessLogger, AbstractAsyncAccessLogger

Client = Callable[..., Any]


@pytest.fixture
async def run_script(
    tmp_path: Path, aiohttp_unused_port: Callable[[], int]
) -> AsyncIterator[Callable[..., Any]]:
    """Run a documented program; return (process, port, output so far)."""
    procs: list[asyncio.subprocess.Process] = []

    async def start(
        source: str, *argv: str, marker: bytes
    ) -> tuple[asyncio.subprocess.Process, int, str]:
        port = aiohttp_unused_port()
        script = tmp_path / "example.py"
        script.write_text(textwrap.dedent(source).replace("{PORT}", str(port)))
        args = [a.replace("{PORT}", str(port)) for a in argv]
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-u",
            str(script),
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(tmp_path)},
        )
        procs.append(proc)
        assert proc.stdout is not None
        seen = b""
        while marker not in seen:
            line = await asyncio.wait_for(proc.stdout.readline(), 5)
            assert line, seen.decode()
            seen += line
        return proc, port, seen.decode()

    yield start
    for proc in procs:
        if proc.returncode is None:
            proc.kill()
            await proc.communicate()


async def _interrupt(proc: asyncio.subprocess.Process) -> str:
    proc.send_signal(signal.SIGINT)
    out, _ = await asyncio.wait_for(proc.communicate(), 5)
    return out.decode()


# -- web_lowlevel.rst ---------------------------------------------------------


# web_lowlevel.rst:50 (127.0.0.1 and a free port instead of localhost:8080)
async def test_lowlevel_server_program(run_script: Any) -> None:
    proc, port, _ = await run_script(
        """
        import asyncio
        from aiohttp import web


        async def handler(request):
            return web.Response(text="OK")


        async def main():
            server = web.Server(handler)
            runner = web.ServerRunner(server)
            await runner.setup()
            site = web.TCPSite(runner, '127.0.0.1', {PORT})
            await site.start()

            print("======= Serving on http://127.0.0.1:{PORT}/ ======")

            # pause here for very long time by serving HTTP requests and
            # waiting for keyboard interruption
            await asyncio.sleep(100*3600)


        asyncio.run(main())
        """,
        marker=b"Serving on",
    )
    async with aiohttp.ClientSession() as session:
        for method, path in (("GET", "/"), ("POST", "/any/path"), ("PUT", "/x?y")):
            async with session.request(method, f"http://127.0.0.1:{port}{path}") as r:
                assert r.status == 200
                assert await r.text() == "OK"
    out = await _interrupt(proc)
    assert "KeyboardInterrupt" in out


# web_lowlevel.rst:26-42: the four things a low-level handler may do
async def test_lowlevel_handler_actions(aiohttp_raw_server: Any) -> None:
    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        if request.path == "/response":
            return web.Response(text="in memory")
        if request.path == "/stream":
            resp = web.StreamResponse()
            await resp.prepare(request)
            await resp.write(b"chunk 1, ")
            await resp.write(b"chunk 2")
            return resp
        if request.path == "/http-exception":
            raise web.HTTPForbidden(text="no")
        if request.path == "/ws":
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            async for msg in ws:
                await ws.send_str(msg.data.upper())
            return ws
        raise RuntimeError("any other exception")

    server = await aiohttp_raw_server(handler)
    async with aiohttp.ClientSession() as session:
        async with session.get(server.make_url("/response")) as resp:
            assert await resp.text() == "in memory"
        async with session.get(server.make_url("/stream")) as resp:
            assert await resp.text() == "chunk 1, chunk 2"
        async with session.get(server.make_url("/http-exception")) as resp:
            assert resp.status == 403
            assert await resp.text() == "no"
        async with session.ws_connect(server.make_url("/ws")) as ws:
            await ws.send_str("hi")
            assert await ws.receive_str(timeout=2) == "HI"
        async with session.get(server.make_url("/boom")) as resp:
            assert resp.status == 500


# -- web_exceptions.rst -------------------------------------------------------


# web_exceptions.rst:16
async def test_raise_http_found(aiohttp_client: Client) -> None:
    async def handler(request):  # type: ignore[no-untyped-def]
        raise aiohttp.web.HTTPFound("/redirect")

    app = web.Application()
    app.router.add_get("/", handler)
    client = await aiohttp_client(app)
    async with client.get("/", allow_redirects=False) as resp:
        assert resp.status == 302
        assert resp.headers["Location"] == "/redirect"
    assert issubclass(aiohttp.web.HTTPFound, aiohttp.web.HTTPException)


# web_exceptions.rst:25-83, the chart as printed on the page
CHART = """\
Exception
  HTTPException
    HTTPSuccessful
      * 200 - HTTPOk
      * 201 - HTTPCreated
      * 202 - HTTPAccepted
      * 203 - HTTPNonAuthoritativeInformation
      * 204 - HTTPNoContent
      * 205 - HTTPResetContent
      * 206 - HTTPPartialContent
    HTTPRedirection
      * 304 - HTTPNotModified
      HTTPMove
        * 300 - HTTPMultipleChoices
        * 301 - HTTPMovedPermanently
        * 302 - HTTPFound
        * 303 - HTTPSeeOther
        * 305 - HTTPUseProxy
        * 307 - HTTPTemporaryRedirect
        * 308 - HTTPPermanentRedirect
    HTTPError
      HTTPClientError
        * 400 - HTTPBadRequest
        * 401 - HTTPUnauthorized
        * 402 - HTTPPaymentRequired
        * 403 - HTTPForbidden
        * 404 - HTTPNotFound
        * 405 - HTTPMethodNotAllowed
        * 406 - HTTPNotAcceptable
        * 407 - HTTPProxyAuthenticationRequired
        * 408 - HTTPRequestTimeout
        * 409 - HTTPConflict
        * 410 - HTTPGone
        * 411 - HTTPLengthRequired
        * 412 - HTTPPreconditionFailed
        * 413 - HTTPRequestEntityTooLarge
        * 414 - HTTPRequestURITooLong
        * 415 - HTTPUnsupportedMediaType
        * 416 - HTTPRequestRangeNotSatisfiable
        * 417 - HTTPExpectationFailed
        * 421 - HTTPMisdirectedRequest
        * 422 - HTTPUnprocessableEntity
        * 424 - HTTPFailedDependency
        * 426 - HTTPUpgradeRequired
        * 428 - HTTPPreconditionRequired
        * 429 - HTTPTooManyRequests
        * 431 - HTTPRequestHeaderFieldsTooLarge
        * 451 - HTTPUnavailableForLegalReasons
      HTTPServerError
        * 500 - HTTPInternalServerError
        * 501 - HTTPNotImplemented
        * 502 - HTTPBadGateway
        * 503 - HTTPServiceUnavailable
        * 504 - HTTPGatewayTimeout
        * 505 - HTTPVersionNotSupported
        * 506 - HTTPVariantAlsoNegotiates
        * 507 - HTTPInsufficientStorage
        * 510 - HTTPNotExtended
        * 511 - HTTPNetworkAuthenticationRequired
"""


def _chart() -> list[tuple[str, str, int | None]]:
    """(class, parent, status) for every entry of the chart."""
    entries: list[tuple[str, str, int | None]] = []
    parents: list[tuple[int, str]] = []
    for line in CHART.splitlines():
        depth = len(line) - len(line.lstrip())
        text = line.strip()
        status: int | None = None
        if text.startswith("* "):
            code, _, text = text[2:].partition(" - ")
            status = int(code)
        while parents and parents[-1][0] >= depth:
            parents.pop()
        if parents:
            entries.append((text, parents[-1][1], status))
        if status is None:
            parents.append((depth, text))
    return entries


@pytest.mark.parametrize(("name", "parent", "status"), _chart())
def test_exception_hierarchy(name: str, parent: str, status: int | None) -> None:
    cls = getattr(web, name)
    base = Exception if parent == "Exception" else getattr(web, parent)
    assert cls.__bases__ == (base,) or issubclass(cls, base)
    assert base in cls.__mro__[1:]
    if status is not None:
        assert cls.status_code == status


# web_exceptions.rst:87: keyword-only arguments, sent over the wire
async def test_exception_constructor(aiohttp_client: Client) -> None:
    async def handler(request: web.Request) -> web.Response:
        raise web.HTTPNotFound(
            headers={"X-Extra": "1"},
            reason="Nowhere",
            text="nothing here",
            content_type="text/x-note",
        )

    app = web.Application()
    app.router.add_get("/", handler)
    client = await aiohttp_client(app)
    async with client.get("/") as resp:
        assert resp.status == 404
        assert resp.reason == "Nowhere"
        assert resp.headers["X-Extra"] == "1"
        assert resp.content_type == "text/x-note"
        assert await resp.text() == "nothing here"
    with pytest.raises(TypeError):
        web.HTTPNotFound("positional")  # type: ignore[call-arg, arg-type]


# web_exceptions.rst:87, :97, :105, :113: the documented signatures
@pytest.mark.parametrize(
    ("cls", "positional"),
    [
        (web.HTTPNotFound, []),
        (web.HTTPFound, ["location"]),
        (web.HTTPMultipleChoices, ["location"]),
        (web.HTTPMovedPermanently, ["location"]),
        (web.HTTPSeeOther, ["location"]),
        (web.HTTPUseProxy, ["location"]),
        (web.HTTPTemporaryRedirect, ["location"]),
        (web.HTTPMethodNotAllowed, ["method", "allowed_methods"]),
        (web.HTTPUnavailableForLegalReasons, ["link"]),
    ],
)
def test_exception_signatures(cls: type[Exception], positional: list[str]) -> None:
    params = inspect.signature(cls).parameters
    kinds = {p.name: p.kind for p in params.values()}
    assert [n for n, k in kinds.items() if k is not k.KEYWORD_ONLY] == positional
    for name in ("headers", "reason", "text", "content_type"):
        assert kinds[name] is inspect.Parameter.KEYWORD_ONLY
        assert params[name].default is None


# web_exceptions.rst:97, :105, :113 used in handlers
async def test_exception_constructors_with_arguments(aiohttp_client: Client) -> None:
    async def found(request: web.Request) -> web.Response:
        raise web.HTTPFound("/there", headers={"X-A": "b"}, text="moved")

    async def not_allowed(request: web.Request) -> web.Response:
        raise web.HTTPMethodNotAllowed(request.method, ["GET", "PUT"], text="no")

    async def legal(request: web.Request) -> web.Response:
        raise web.HTTPUnavailableForLegalReasons(
            "https://example.org/block", text="blocked"
        )

    app = web.Application()
    app.router.add_get("/found", found)
    app.router.add_post("/not-allowed", not_allowed)
    app.router.add_get("/legal", legal)
    client = await aiohttp_client(app)
    async with client.get("/found", allow_redirects=False) as resp:
        assert resp.status == 302
        assert resp.headers["Location"] == "/there"
        assert resp.headers["X-A"] == "b"
        assert await resp.text() == "moved"
    async with client.post("/not-allowed") as resp:
        assert resp.status == 405
        assert set(resp.headers["Allow"].split(",")) == {"GET", "PUT"}
        assert await resp.text() == "no"
    async with client.get("/legal") as resp:
        assert resp.status == 451
        assert resp.headers["Link"] == '<https://example.org/block>; rel="blocked-by"'
        assert await resp.text() == "blocked"


# -- logging.rst --------------------------------------------------------------


# logging.rst:29 (run_app bound to 127.0.0.1 besides port; a free port)
async def test_minimal_logging_setup(run_script: Any) -> None:
    proc, port, _ = await run_script(
        """
        import logging
        from aiohttp import web

        app = web.Application()
        logging.basicConfig(level=logging.DEBUG)
        web.run_app(app, host="127.0.0.1", port={PORT})
        """,
        marker=b"Running on",
    )
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/missing") as resp,
    ):
        assert resp.status == 404
    out = await _interrupt(proc)
    assert "INFO:aiohttp.access:127.0.0.1 [" in out
    assert '"GET /missing HTTP/1.1" 404 ' in out


# logging.rst:100
async def test_default_access_log_format(
    aiohttp_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    assert web.AccessLogger.LOG_FORMAT == (
        '%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"'
    )

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hi")

    app = web.Application()
    app.router.add_get("/", hello)
    server = await aiohttp_server(app)
    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        async with aiohttp.ClientSession() as session:
            headers = {"Referer": "http://r.example/", "User-Agent": "doc-agent"}
            async with session.get(server.make_url("/"), headers=headers) as resp:
                await resp.read()
        await server.close()
    [record] = [r for r in caplog.records if r.name == "aiohttp.access"]
    line = record.getMessage()
    assert line.startswith("127.0.0.1 [")
    assert line.endswith(
        ' "GET / HTTP/1.1" 200 ' + line.split()[-3] + ' "http://r.example/" "doc-agent"'
    )


# logging.rst:108 (``logging`` is imported at the top of this module)
async def test_sync_access_logger(
    aiohttp_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    class AccessLogger(AbstractAccessLogger):
        def log(self, request, response, time):  # type: ignore[no-untyped-def]
            self.logger.info(
                f"{request.remote} "
                f'"{request.method} {request.path} '
                f"done in {time}s: {response.status}"
            )

        @property
        def enabled(self):  # type: ignore[no-untyped-def]
            """Return True if logger is enabled.

            Override this property if logging is disabled to avoid the
            overhead of calculating details to feed the logger.

            This property may be omitted if logging is always enabled.
            """
            return self.logger.isEnabledFor(logging.INFO)

    async def hello(request: web.Request) -> web.Response:
        return web.Response(status=201)

    app = web.Application()
    app.router.add_get("/path", hello)
    server = await aiohttp_server(app, access_log_class=AccessLogger)
    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        async with (
            aiohttp.ClientSession() as session,
            session.get(server.make_url("/path")) as resp,
        ):
            assert resp.status == 201
        await server.close()
    messages = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert len(messages) == 1
    assert messages[0].startswith('127.0.0.1 "GET /path done in ')
    assert messages[0].endswith("s: 201")


# logging.rst:108: a disabled logger is not called
async def test_sync_access_logger_disabled(aiohttp_server: Any) -> None:
    calls: list[int] = []

    class AccessLogger(AbstractAccessLogger):
        def log(self, request, response, time):  # type: ignore[no-untyped-def]
            calls.append(response.status)

        @property
        def enabled(self):  # type: ignore[no-untyped-def]
            return self.logger.isEnabledFor(logging.INFO)

    async def hello(request: web.Request) -> web.Response:
        return web.Response()

    access = logging.getLogger("docs.access.disabled")
    access.setLevel(logging.WARNING)
    app = web.Application()
    app.router.add_get("/", hello)
    server = await aiohttp_server(app, access_log_class=AccessLogger, access_log=access)
    async with (
        aiohttp.ClientSession() as session,
        session.get(server.make_url("/")) as resp,
    ):
        assert resp.status == 200
    await server.close()
    assert calls == []
    access.setLevel(logging.INFO)
    server = await aiohttp_server(app, access_log_class=AccessLogger, access_log=access)
    async with (
        aiohttp.ClientSession() as session,
        session.get(server.make_url("/")) as resp,
    ):
        assert resp.status == 200
    await server.close()
    assert calls == [200]


# logging.rst:131: log() sees the exception raised while handling the request
async def test_access_logger_sees_exception(aiohttp_server: Any) -> None:
    seen: list[Any] = []

    class AccessLogger(AbstractAccessLogger):
        def log(self, request, response, time):  # type: ignore[no-untyped-def]
            seen.append(sys.exc_info()[0])

    async def broken(request: web.Request) -> web.Response:
        raise ZeroDivisionError

    app = web.Application()
    app.router.add_get("/", broken)
    server = await aiohttp_server(app, access_log_class=AccessLogger)
    async with (
        aiohttp.ClientSession() as session,
        session.get(server.make_url("/")) as resp,
    ):
        assert resp.status == 500
    await server.close()
    assert seen == [ZeroDivisionError]


# logging.rst:142 (a logging_service stored in the app, as the page reads it)
async def test_async_access_logger(aiohttp_server: Any) -> None:
    class LoggingService:
        def __init__(self) -> None:
            self.lines: list[str] = []

        async def log(self, line: str) -> None:
            await asyncio.sleep(0)
            self.lines.append(line)

    class AccessLogger(AbstractAsyncAccessLogger):
        async def log(self, request, response, time):  # type: ignore[no-untyped-def]
            logging_service = request.app["logging_service"]
            await logging_service.log(
                f"{request.remote} "
                f'"{request.method} {request.path} '
                f"done in {time}s: {response.status}"
            )

        @property
        def enabled(self) -> bool:
            """Return True if logger is enabled.

            Override this property if logging is disabled to avoid the
            overhead of calculating details to feed the logger.
            """
            return self.logger.isEnabledFor(logging.INFO)

    async def hello(request: web.Request) -> web.Response:
        return web.Response(status=202)

    service = LoggingService()
    app = web.Application()
    with pytest.warns(web.NotAppKeyWarning):
        app["logging_service"] = service
    app.router.add_get("/async", hello)
    access = logging.getLogger("docs.access.async")
    access.setLevel(logging.INFO)
    server = await aiohttp_server(app, access_log_class=AccessLogger, access_log=access)
    async with (
        aiohttp.ClientSession() as session,
        session.get(server.make_url("/async")) as resp,
    ):
        assert resp.status == 202
    await server.close()
    assert len(service.lines) == 1
    assert service.lines[0].startswith('127.0.0.1 "GET /async done in ')
    assert service.lines[0].endswith("s: 202")


# logging.rst:186: errors go to the 'aiohttp.server' logger
async def test_error_log(
    aiohttp_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(request: web.Request) -> web.Response:
        raise ZeroDivisionError("boom")

    app = web.Application()
    app.router.add_get("/", broken)
    client = await aiohttp_client(app)
    with caplog.at_level(logging.ERROR, logger="aiohttp.server"):
        async with client.get("/") as resp:
            assert resp.status == 500
    [record] = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert record.exc_info[0] is ZeroDivisionError


# -- deployment.rst (standalone and the aiohttp server for supervisord) ------

AIOHTTP_EXAMPLE = """
# aiohttp_example.py
import argparse
from aiohttp import web

parser = argparse.ArgumentParser(description="aiohttp server example")
parser.add_argument('--path')
parser.add_argument('--port')


if __name__ == '__main__':
    app = web.Application()
    # configure app
    async def hello(request):
        return web.Response(text="backend")
    app.router.add_get("/", hello)

    args = parser.parse_args()
    web.run_app(app, path=args.path, port=args.port)
"""


# deployment.rst:167 with --path (the supervisord command line)
async def test_deployment_example_unix_path(run_script: Any, tmp_path: Path) -> None:
    sock = tmp_path / "example_1.sock"
    proc, _, _ = await run_script(
        AIOHTTP_EXAMPLE, f"--path={sock}", marker=b"Running on"
    )
    connector = aiohttp.UnixConnector(path=str(sock))
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        session.get("http://example.com/") as resp,
    ):
        assert await resp.text() == "backend"
    await _interrupt(proc)
    assert proc.returncode == 0


# deployment.rst:167 with --port (the commented alternative); the example
# gives no host, so it listens on every interface: only 127.0.0.1 is used
async def test_deployment_example_port(run_script: Any) -> None:
    proc, port, banner = await run_script(
        AIOHTTP_EXAMPLE, "--port={PORT}", marker=b"Running on"
    )
    assert f":{port}" in banner
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/") as resp,
    ):
        assert await resp.text() == "backend"
    await _interrupt(proc)
    assert proc.returncode == 0


# -- abc.rst, the web parts -----------------------------------------------------


# abc.rst:21-33: the router resolves to match info; misses carry the exception
async def test_router_resolve_match_info(aiohttp_client: Client) -> None:
    async def target(request: web.Request) -> web.Response:
        return web.Response(text="target")

    async def probe(request: web.Request) -> web.Response:
        router = request.app.router
        assert isinstance(router, abc.AbstractRouter)
        results = []
        for method, path in (("GET", "/target"), ("GET", "/nope"), ("POST", "/target")):
            info = await router.resolve(request.clone(method=method, rel_url=path))
            assert isinstance(info, abc.AbstractMatchInfo)
            exc = info.http_exception
            if exc is None:
                response = await info.handler(request)
                results.append(response.text)  # type: ignore[attr-defined]
            else:
                with pytest.raises(type(exc)):
                    await info.handler(request)
                results.append(str(exc.status))
        return web.Response(text=" ".join(results))

    app = web.Application()
    app.router.add_get("/target", target)
    app.router.add_get("/probe", probe)
    client = await aiohttp_client(app)
    async with client.get("/probe") as resp:
        assert await resp.text() == "target 404 405"


# abc.rst:38: AbstractRouter given to Application as its *router* parameter
@pytest.mark.xfail(
    strict=True,
    raises=TypeError,
    reason="Application has no router parameter (web_reference.rst agrees)",
)
def test_application_router_parameter() -> None:
    router = web.UrlDispatcher()
    app = web.Application(router=router)  # type: ignore[call-arg]
    assert app.router is router


# abc.rst:86: an AbstractView is awaitable and has its request
async def test_abstract_view(aiohttp_client: Client) -> None:
    class EchoView(abc.AbstractView):
        def __await__(self) -> Generator[Any, None, web.StreamResponse]:
            return self._answer().__await__()

        async def _answer(self) -> web.StreamResponse:
            return web.Response(text=f"view of {self.request.path}")

    async def handler(request: web.Request) -> web.StreamResponse:
        return await EchoView(request)

    app = web.Application()
    app.router.add_get("/direct", handler)
    app.router.add_route("*", "/routed", EchoView)
    client = await aiohttp_client(app)
    async with client.get("/direct") as resp:
        assert await resp.text() == "view of /direct"
    async with client.get("/routed") as resp:
        assert await resp.text() == "view of /routed"
