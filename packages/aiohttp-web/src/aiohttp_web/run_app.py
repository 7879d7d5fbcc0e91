"""``run_app``: serve an application until interrupted, then shut down gracefully."""

from __future__ import annotations

import asyncio
import builtins
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from aiohttp_core.log import access_logger

from .abc import AccessLoggerClass
from .access_log import AccessLogger
from .app import Application
from .runner import (
    DEFAULT_SHUTDOWN_TIMEOUT,
    AppRunner,
    BaseSite,
    GracefulExit,
    SockSite,
    TCPSite,
    UnixSite,
)

if TYPE_CHECKING:
    import ssl

__all__ = ("run_app",)

_PathArg = str | os.PathLike[str]


def run_app(
    app: Application | Awaitable[Application],
    *,
    debug: bool = False,
    host: str | Sequence[str] | None = None,
    port: int | None = None,
    path: _PathArg | Iterable[_PathArg] | None = None,
    sock: socket.socket | Iterable[socket.socket] | None = None,
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT,
    keepalive_timeout: float = 3630,
    ssl_context: ssl.SSLContext | None = None,
    print: Callable[..., None] | None = builtins.print,
    backlog: int = 128,
    access_log_class: AccessLoggerClass = AccessLogger,
    access_log_format: str = AccessLogger.LOG_FORMAT,
    access_log: logging.Logger | None = access_logger,
    handle_signals: bool = True,
    reuse_address: bool | None = None,
    reuse_port: bool | None = None,
    handler_cancellation: bool = False,
) -> None:
    """Serve ``app`` (or the application a coroutine returns) until stopped.

    Blocks like :func:`asyncio.run`: it runs its own event loop, serves until
    SIGINT/SIGTERM (or Ctrl+C), shuts down gracefully, cancels the tasks left
    and closes the loop.
    """
    loop = asyncio.new_event_loop()
    loop.set_debug(debug)
    if loop.get_debug() and access_log is not None:
        _show_access_log_in_debug(access_log)
    main_task = loop.create_task(
        _run_app(
            app,
            host=host,
            port=port,
            path=path,
            sock=sock,
            shutdown_timeout=shutdown_timeout,
            keepalive_timeout=keepalive_timeout,
            ssl_context=ssl_context,
            print=print,
            backlog=backlog,
            access_log_class=access_log_class,
            access_log_format=access_log_format,
            access_log=access_log,
            handle_signals=handle_signals,
            reuse_address=reuse_address,
            reuse_port=reuse_port,
            handler_cancellation=handler_cancellation,
        )
    )
    try:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(main_task)
    except (GracefulExit, KeyboardInterrupt):
        pass
    finally:
        try:
            # Cancelling the main task is what runs the graceful shutdown:
            # its ``finally`` cleans the runner up.
            main_task.cancel()
            with suppress(asyncio.CancelledError):
                loop.run_until_complete(main_task)
        finally:
            _cancel_tasks(asyncio.all_tasks(loop), loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            asyncio.set_event_loop(None)
            loop.close()


def _show_access_log_in_debug(access_log: logging.Logger) -> None:
    # logging.rst: in debug mode the default access logger prints to stderr
    # when nothing else was configured for it.
    if access_log.name != access_logger.name:
        return
    if access_log.level == logging.NOTSET:
        access_log.setLevel(logging.DEBUG)
    if not access_log.hasHandlers():
        access_log.addHandler(logging.StreamHandler())


async def _run_app(
    app: Application | Awaitable[Application],
    *,
    host: str | Sequence[str] | None,
    port: int | None,
    path: _PathArg | Iterable[_PathArg] | None,
    sock: socket.socket | Iterable[socket.socket] | None,
    shutdown_timeout: float,
    keepalive_timeout: float,
    ssl_context: ssl.SSLContext | None,
    print: Callable[..., None] | None,
    backlog: int,
    access_log_class: AccessLoggerClass,
    access_log_format: str,
    access_log: logging.Logger | None,
    handle_signals: bool,
    reuse_address: bool | None,
    reuse_port: bool | None,
    handler_cancellation: bool,
) -> None:
    if not isinstance(app, Application):
        if not isinstance(app, Awaitable):
            raise TypeError(
                "run_app needs an Application or a coroutine returning one, "
                f"got {app!r}"
            )
        app = await app
        if not isinstance(app, Application):
            raise TypeError(f"The app factory returned {app!r}, not an Application")

    runner = AppRunner(
        app,
        handle_signals=handle_signals,
        access_log_class=access_log_class,
        access_log_format=access_log_format,
        access_log=access_log,
        keepalive_timeout=keepalive_timeout,
        shutdown_timeout=shutdown_timeout,
        handler_cancellation=handler_cancellation,
    )
    await runner.setup()
    try:
        sites = _make_sites(
            runner,
            host=host,
            port=port,
            path=path,
            sock=sock,
            ssl_context=ssl_context,
            backlog=backlog,
            reuse_address=reuse_address,
            reuse_port=reuse_port,
        )
        for site in sites:
            await site.start()
        if print is not None:
            names = ", ".join(sorted(site.name for site in runner.sites))
            print(f"======== Running on {names} ========\n(Press CTRL+C to quit)")
        # Serve until the task is cancelled (by a signal or by run_app).
        await asyncio.get_running_loop().create_future()
    finally:
        await runner.cleanup()


def _make_sites(
    runner: AppRunner,
    *,
    host: str | Sequence[str] | None,
    port: int | None,
    path: _PathArg | Iterable[_PathArg] | None,
    sock: socket.socket | Iterable[socket.socket] | None,
    ssl_context: ssl.SSLContext | None,
    backlog: int,
    reuse_address: bool | None,
    reuse_port: bool | None,
) -> list[BaseSite]:
    sites: list[BaseSite] = []

    def tcp(one_host: str | None) -> TCPSite:
        return TCPSite(
            runner,
            one_host,
            port,
            ssl_context=ssl_context,
            backlog=backlog,
            reuse_address=reuse_address,
            reuse_port=reuse_port,
        )

    if host is not None:
        hosts = [host] if isinstance(host, str) else list(host)
        sites.extend(tcp(one_host) for one_host in hosts)
    elif (path is None and sock is None) or port is not None:
        # Nothing else asked for, or a bare port: all interfaces.
        sites.append(tcp(None))

    if path is not None:
        paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
        sites.extend(
            UnixSite(runner, one_path, ssl_context=ssl_context, backlog=backlog)
            for one_path in paths
        )

    if sock is not None:
        socks = [sock] if isinstance(sock, socket.socket) else list(sock)
        sites.extend(
            SockSite(runner, one_sock, ssl_context=ssl_context, backlog=backlog)
            for one_sock in socks
        )
    return sites


def _cancel_tasks(
    to_cancel: set[asyncio.Task[Any]], loop: asyncio.AbstractEventLoop
) -> None:
    """Step 7 of the graceful shutdown: cancel what is left, and wait for it."""
    if not to_cancel:
        return
    for task in to_cancel:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*to_cancel, return_exceptions=True))
    for task in to_cancel:
        if task.cancelled():
            continue
        if task.exception() is not None:
            loop.call_exception_handler(
                {
                    "message": "unhandled exception during run_app() shutdown",
                    "exception": task.exception(),
                    "task": task,
                }
            )
