"""Gunicorn worker classes that serve an aiohttp application on an event loop.

``gunicorn module:app --worker-class aiohttp.GunicornWebWorker`` forks
workers that each run one event loop.  A worker:

* boots by resolving what gunicorn imported (an :class:`Application`, or a
  factory called with no argument, possibly a coroutine function) and
  starting it; an error there is a boot error, so the arbiter stops with
  "Worker failed to boot" instead of respawning the worker forever;
* serves every gunicorn listener (TCP or ``unix:``, TLS with
  ``--certfile``/``--keyfile``) through one :class:`AppRunner`;
* tells the arbiter it is alive every second (or every half ``--timeout``)
  from the loop, so a worker busy with slow requests is not killed, while a
  loop blocked for longer than ``--timeout`` still is;
* on SIGTERM, after ``--max-requests`` (plus jitter) requests, or when its
  arbiter is gone, stops gracefully: its listeners close in this process
  only, requests in flight finish within ``--graceful-timeout``, keep-alive
  connections close;
* on SIGINT/SIGQUIT stops quickly (running handlers are cancelled, the
  application is still cleaned up); on SIGABRT (the arbiter's timeout) exits
  at once, even from inside a blocked handler; on SIGUSR1 reopens the logs.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import signal
import ssl
import sys
from collections.abc import Awaitable, Callable
from types import FrameType
from typing import TYPE_CHECKING, Any, Final

from gunicorn.sock import ssl_context  # type: ignore[import-untyped]
from gunicorn.workers import base  # type: ignore[import-untyped]

from aiohttp_web.access_log import AccessLogger
from aiohttp_web.app import Application
from aiohttp_web.runner import AppRunner, SockSite

from .log_format import GUNICORN_DEFAULT_FORMAT, aiohttp_access_log_format

if TYPE_CHECKING:
    import logging

    from aiohttp_web.request import BaseRequest
    from aiohttp_web.response import StreamResponse
    from aiohttp_web.server import Server

__all__ = ("GunicornUVLoopWebWorker", "GunicornWebWorker")

#: Longest pause between two notifications of the arbiter, in seconds.
NOTIFY_INTERVAL: Final = 1.0
#: Share of ``--graceful-timeout`` given to running handlers on SIGTERM; the
#: rest leaves time for ``on_cleanup`` before the arbiter's SIGKILL.
GRACEFUL_SHARE: Final = 0.95
UVLOOP_HINT: Final = (
    "GunicornUVLoopWebWorker needs uvloop: pip install aiohttp-gunicorn[uvloop]"
)


class GunicornWebWorker(base.Worker):  # type: ignore[misc]
    """Serves an aiohttp application (or a factory's) in a gunicorn worker."""

    DEFAULT_AIOHTTP_LOG_FORMAT: Final = AccessLogger.LOG_FORMAT
    DEFAULT_GUNICORN_LOG_FORMAT: Final = GUNICORN_DEFAULT_FORMAT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._runner: AppRunner | None = None
        self._stopping: asyncio.Future[None] | None = None

    @classmethod
    def check_config(cls, cfg: Any, log: Any) -> None:
        """Refuse, in the arbiter before any fork, settings this worker cannot use.

        Gunicorn reports a :class:`RuntimeError` raised here as a one-line
        ``Error:`` and exits with status 1.
        """
        try:
            aiohttp_access_log_format(cfg.access_log_format)
        except ValueError as exc:
            raise RuntimeError(str(exc)) from exc

    # -- process setup, in the forked worker --------------------------------

    def init_process(self) -> None:
        """Make this process's event loop, then let gunicorn boot and run."""
        # A loop inherited through fork (gunicorn may run one in the arbiter
        # for its control socket) would share its selector with the parent.
        self.loop = self._new_event_loop()
        asyncio.set_event_loop(self.loop)
        super().init_process()

    def _new_event_loop(self) -> asyncio.AbstractEventLoop:
        return asyncio.new_event_loop()

    def init_signals(self) -> None:
        """Route gunicorn's signals through the event loop (except SIGABRT)."""
        for sig in self.SIGNALS:
            signal.signal(sig, signal.SIG_DFL)
        loop = self._loop()
        loop.add_signal_handler(signal.SIGTERM, self._begin_stop, False)
        loop.add_signal_handler(signal.SIGINT, self._quit)
        loop.add_signal_handler(signal.SIGQUIT, self._quit)
        loop.add_signal_handler(signal.SIGUSR1, self.log.reopen_files)
        loop.add_signal_handler(signal.SIGWINCH, self._ignore_winch)
        # The arbiter aborts a worker whose loop stopped turning: a handler
        # run by that loop would never run, a plain one interrupts the code.
        signal.signal(signal.SIGABRT, self.handle_abort)

    def handle_abort(self, sig: int, frame: FrameType | None) -> None:
        """SIGABRT: the arbiter timed this worker out; leave now."""
        self.alive = False
        self.cfg.worker_abort(self)
        sys.exit(1)

    def _quit(self) -> None:
        self.cfg.worker_int(self)
        self._begin_stop(True)

    def _ignore_winch(self) -> None:
        self.log.debug("worker: SIGWINCH ignored.")

    def load_wsgi(self) -> None:
        """Import the target, then build and start the application (the boot)."""
        super().load_wsgi()
        loop = self._loop()
        try:
            self._runner = loop.run_until_complete(self._boot())
        except BaseException:
            _close_loop(loop)
            raise

    # -- the application ----------------------------------------------------

    async def _boot(self) -> AppRunner:
        app = await _resolve_app(self.wsgi)
        runner = AppRunner(
            app,
            keepalive_timeout=float(self.cfg.keepalive),
            shutdown_timeout=self.cfg.graceful_timeout * GRACEFUL_SHARE,
            access_log=self._access_logger(),
            access_log_format=aiohttp_access_log_format(self.cfg.access_log_format),
        )
        await runner.setup()
        return runner

    def _access_logger(self) -> logging.Logger | None:
        # The logging docs: gunicorn's access log is only written when
        # --accesslog is given; otherwise formatting lines is wasted work.
        if not self.cfg.accesslog:
            return None
        logger: logging.Logger | None = getattr(self.log, "access_log", None)
        return logger

    def run(self) -> None:
        """Serve until told to stop, shut down gracefully, close the loop."""
        loop = self._loop()
        try:
            loop.run_until_complete(self._serve())
        except SystemExit:
            # Only SIGABRT gets here: the arbiter wants this worker gone, so
            # running the graceful shutdown now would defeat its timeout.
            asyncio.set_event_loop(None)
            loop.close()
            raise
        except BaseException:
            _close_loop(loop)
            raise
        _close_loop(loop)

    async def _serve(self) -> None:
        runner = self._runner
        if runner is None:
            raise RuntimeError("The worker was not booted")
        loop = asyncio.get_running_loop()
        self._stopping = loop.create_future()
        if not self.alive:
            # A stop signal arrived while the application was booting.
            self._stopping.set_result(None)
        notifier = loop.create_task(self._notify_arbiter())
        try:
            server = runner.server
            if server is not None and self.max_requests < sys.maxsize:
                self._count_requests(server)
            ssl_ctx = self._ssl_context()
            for listener in self.sockets:
                site = SockSite(
                    runner,
                    getattr(listener, "sock", listener),
                    ssl_context=ssl_ctx,
                    # asyncio listens again on the socket: keep gunicorn's
                    # backlog rather than lowering it to the site default.
                    backlog=self.cfg.backlog,
                )
                await site.start()
            await self._stopping
        finally:
            try:
                # Keep notifying meanwhile: draining may outlast --timeout.
                await runner.cleanup()
            finally:
                notifier.cancel()

    def _ssl_context(self) -> ssl.SSLContext | None:
        if not self.cfg.is_ssl:
            return None
        context: ssl.SSLContext = ssl_context(self.cfg)
        return context

    def _count_requests(self, server: Server) -> None:
        """Begin a graceful stop once ``max_requests`` requests were received.

        Checked as each request arrives, so the worker stops at its limit and
        not up to a notify interval later; the request that reaches it is
        still served.  A plain function returning the handler's awaitable
        adds no coroutine frame to the request.
        """
        handler = server.request_handler
        limit = self.max_requests

        def counted(request: BaseRequest) -> Awaitable[StreamResponse]:
            self.nr = server.requests_count
            if self.nr >= limit and self.alive:
                self.log.info("Max requests, shutting down: %s", self)
                self._begin_stop(False)
            return handler(request)

        server.request_handler = counted

    async def _notify_arbiter(self) -> None:
        interval = NOTIFY_INTERVAL
        if self.timeout:
            # The arbiter hands workers half of --timeout already.
            interval = min(interval, self.timeout)
        while True:
            self.notify()
            if self.alive and os.getppid() != self.ppid:
                self.log.info("Parent changed, shutting down: %s", self)
                self.alive = False
            if not self.alive:
                # Also catches ``alive`` cleared outside the loop, as
                # gunicorn's code reloader does from its thread.
                self._begin_stop(False)
            await asyncio.sleep(interval)

    def _begin_stop(self, quick: bool) -> None:
        self.alive = False
        runner = self._runner
        if quick and runner is not None:
            # Nothing waits for running handlers: they are cancelled at once.
            runner._shutdown_timeout = 0.0
        stopping = self._stopping
        if stopping is not None and not stopping.done():
            stopping.set_result(None)

    def _loop(self) -> asyncio.AbstractEventLoop:
        if self.loop is None:
            raise RuntimeError("The worker's event loop is made by init_process()")
        return self.loop


class GunicornUVLoopWebWorker(GunicornWebWorker):
    """:class:`GunicornWebWorker` on a uvloop event loop."""

    @classmethod
    def check_config(cls, cfg: Any, log: Any) -> None:
        """Fail in the arbiter, with what to install, when uvloop is missing."""
        _uvloop_new_event_loop()
        super().check_config(cfg, log)

    def _new_event_loop(self) -> asyncio.AbstractEventLoop:
        return _uvloop_new_event_loop()()


def _uvloop_new_event_loop() -> Callable[[], asyncio.AbstractEventLoop]:
    try:
        import uvloop
    except ImportError as exc:
        raise RuntimeError(UVLOOP_HINT) from exc
    new_event_loop: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return new_event_loop


async def _resolve_app(target: object) -> Application:
    """The application gunicorn's target names: itself, or what its factory makes."""
    if isinstance(target, Application):
        return target
    if not callable(target):
        raise TypeError(
            f"The gunicorn target {target!r} is neither an Application "
            "nor a factory returning one"
        )
    made: object = target()
    if inspect.isawaitable(made):
        made = await made
    if not isinstance(made, Application):
        raise TypeError(
            f"The app factory {_name_of(target)} returned {made!r}, not an Application"
        )
    return made


def _name_of(target: object) -> str:
    module = getattr(target, "__module__", None)
    name = getattr(target, "__qualname__", None) or repr(target)
    return f"{module}:{name}" if module else name


def _close_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what is left on ``loop``, wait for it, and close the loop."""
    if loop.is_closed():
        return
    try:
        leftovers = asyncio.all_tasks(loop)
        for task in leftovers:
            task.cancel()
        if leftovers:
            loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        asyncio.set_event_loop(None)
        loop.close()
