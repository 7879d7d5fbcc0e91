"""Tests of ``python -m aiohttp_web``: its argument errors, and serving for real."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from aiohttp_web.__main__ import main

APP_MODULE = textwrap.dedent(
    """
    from aiohttp_web.app import Application
    from aiohttp_web.response import Response

    not_callable = 42

    def init_func(argv):
        async def index_handler(request):
            return Response(text="args: " + " ".join(argv))

        app = Application()
        app.router.add_get("/", index_handler)
        return app

    async def async_init(argv):
        return init_func(argv)
    """
)


@pytest.fixture
def app_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "cli_app_module.py").write_text(APP_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["no_colon"], "'entry-func' not in 'module:function' syntax"),
        (["module:"], "'entry-func' not in 'module:function' syntax"),
        ([":func"], "'entry-func' not in 'module:function' syntax"),
        ([".relative:func"], "relative module names not supported"),
        (["no_such_module_xyz:func"], "unable to import no_such_module_xyz"),
        (["cli_app_module:missing"], "module 'cli_app_module' has no attribute"),
        (["cli_app_module:not_callable"], "is not callable"),
        (["-P", "notaport", "cli_app_module:init_func"], "invalid int value"),
        ([], "the following arguments are required: entry-func"),
    ],
)
def test_argument_errors(
    app_module: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    with pytest.raises(SystemExit) as exc_info:
        main(argv)
    assert exc_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: aiohttp.web ")
    assert message in err


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc_info:
        main(["--help"])
    assert exc_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("-H HOSTNAME", "-P PORT", "-U PATH", "entry-func"):
        assert option in out


@contextlib.asynccontextmanager
async def start_cli(
    app_dir: Path, *args: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(app_dir), os.environ.get("PYTHONPATH", "")]),
        "PYTHONUNBUFFERED": "1",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aiohttp_web",
        *args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), 10)
        assert line.startswith(b"======== Running on "), line
        await proc.stdout.readline()
        yield proc
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


async def stop(proc: asyncio.subprocess.Process) -> tuple[str, str]:
    proc.send_signal(signal.SIGINT)
    out, err = await asyncio.wait_for(proc.communicate(), 10)
    assert proc.returncode == 0, err
    return out.decode(), err.decode()


async def test_serves_tcp_with_extra_arguments(
    app_module: Path, aiohttp_unused_port: Callable[[], int]
) -> None:
    port = aiohttp_unused_port()
    async with start_cli(
        app_module,
        "-H",
        "127.0.0.1",
        "-P",
        str(port),
        "cli_app_module:init_func",
        "--extra",
        "value",
    ) as proc:
        async with httpx.AsyncClient() as client:
            resp = await client.get(f"http://127.0.0.1:{port}/")
        assert resp.text == "args: --extra value"
        _, err = await stop(proc)
        assert err.endswith("Stopped\n")
        # logging is configured at DEBUG: the access log shows the request.
        assert '"GET / HTTP/1.1" 200' in err


async def test_serves_unix_path_only(app_module: Path, tmp_path: Path) -> None:
    path = tmp_path / "cli.sock"
    async with start_cli(
        app_module, "-U", str(path), "cli_app_module:async_init"
    ) as proc:
        transport = httpx.AsyncHTTPTransport(uds=str(path))
        async with httpx.AsyncClient(transport=transport) as client:
            assert (await client.get("http://x/")).text == "args: "
        out, err = await stop(proc)
        assert out == ""
        assert err.endswith("Stopped\n")
