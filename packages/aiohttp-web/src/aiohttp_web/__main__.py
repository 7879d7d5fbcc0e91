"""The development server CLI: ``python -m aiohttp_web package.module:init_func``."""

from __future__ import annotations

import logging
import socket
import sys
from argparse import ArgumentParser
from collections.abc import Sequence
from importlib import import_module

from .run_app import run_app

__all__ = ("main",)


def _make_parser(prog: str) -> ArgumentParser:
    parser = ArgumentParser(
        prog=prog,
        description="aiohttp.web Application server",
    )
    parser.add_argument(
        "entry_func",
        metavar="entry-func",
        help=(
            "Callable returning the `aiohttp.web.Application` instance to run, "
            "in the 'module:function' syntax; it is given the command-line "
            "arguments this parser does not know"
        ),
    )
    parser.add_argument(
        "-H",
        "--hostname",
        default=None,
        help="TCP/IP hostname to serve on (default: localhost)",
    )
    parser.add_argument(
        "-P",
        "--port",
        type=int,
        default=8080,
        help="TCP/IP port to serve on (default: %(default)r)",
    )
    parser.add_argument(
        "-U",
        "--path",
        default=None,
        help=(
            "Unix file system path to serve on. Can be combined with hostname "
            "to serve on both Unix and TCP."
        ),
    )
    return parser


def main(argv: Sequence[str] | None = None, *, prog: str = "aiohttp.web") -> None:
    """Import ``module:function``, call it with the unknown arguments, serve it."""
    parser = _make_parser(prog)
    args, extra_argv = parser.parse_known_args(argv)

    module_name, _, func_name = args.entry_func.partition(":")
    if not module_name or not func_name:
        parser.error("'entry-func' not in 'module:function' syntax")
    if module_name.startswith("."):
        parser.error("relative module names not supported")
    try:
        module = import_module(module_name)
    except ImportError as exc:
        parser.error(f"unable to import {module_name}: {exc}")
    try:
        init_func = getattr(module, func_name)
    except AttributeError:
        parser.error(f"module {module_name!r} has no attribute {func_name!r}")
    if not callable(init_func):
        parser.error(f"{args.entry_func!r} is not callable")

    if args.path is not None and not hasattr(socket, "AF_UNIX"):
        parser.error("file system paths not supported by your operating environment")

    logging.basicConfig(level=logging.DEBUG)

    if args.path is not None and args.hostname is None:
        # -U alone serves only on the Unix socket.
        host, port = None, None
    else:
        host, port = args.hostname or "localhost", args.port

    app = init_func(extra_argv)
    run_app(app, host=host, port=port, path=args.path)
    parser.exit(message="Stopped\n")


if __name__ == "__main__":
    main(sys.argv[1:], prog="aiohttp_web")
