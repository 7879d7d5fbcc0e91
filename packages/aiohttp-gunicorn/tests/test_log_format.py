"""Gunicorn's access log format setting, as handed to aiohttp's access logger."""

from __future__ import annotations

import sys

import pytest
from gunicorn.config import Config  # type: ignore[import-untyped]

from aiohttp_gunicorn import GunicornUVLoopWebWorker, GunicornWebWorker
from aiohttp_gunicorn.log_format import (
    GUNICORN_DEFAULT_FORMAT,
    aiohttp_access_log_format,
)
from aiohttp_web.access_log import AccessLogger


def test_gunicorn_default_becomes_aiohttp_default() -> None:
    assert aiohttp_access_log_format(GUNICORN_DEFAULT_FORMAT) == (
        AccessLogger.LOG_FORMAT
    )
    assert Config().access_log_format == GunicornWebWorker.DEFAULT_GUNICORN_LOG_FORMAT
    assert GunicornWebWorker.DEFAULT_AIOHTTP_LOG_FORMAT == AccessLogger.LOG_FORMAT


@pytest.mark.parametrize(
    "log_format",
    [
        '%a %t "%r" %s %b',
        "%{X-Real-IP}i %Tf %D %P",
        "%(h)",  # no gunicorn atom without its closing "s"
        "100%% %s",
        "",
    ],
)
def test_aiohttp_format_is_kept(log_format: str) -> None:
    assert aiohttp_access_log_format(log_format) == log_format


@pytest.mark.parametrize(
    ("log_format", "atom"),
    [
        ("%(h)s", "%(h)s"),
        ('%a "%(r)s" %s', "%(r)s"),
        ("%({x-real-ip}i)s %a", "%({x-real-ip}i)s"),
        (GUNICORN_DEFAULT_FORMAT + " ", "%(h)s"),  # one byte off the default
    ],
)
def test_gunicorn_atoms_are_refused(log_format: str, atom: str) -> None:
    with pytest.raises(
        ValueError,
        match=f"gunicorn's atom {atom!r}".replace("(", r"\(").replace(")", r"\)"),
    ):
        aiohttp_access_log_format(log_format)


def test_check_config_reports_a_bad_format_as_gunicorn_expects() -> None:
    cfg = Config()
    cfg.set("access_log_format", "%(h)s %a")
    with pytest.raises(RuntimeError, match="gunicorn's atom"):
        GunicornWebWorker.check_config(cfg, None)
    cfg.set("access_log_format", "%a %s")
    GunicornWebWorker.check_config(cfg, None)


def test_uvloop_worker_check_config_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    GunicornUVLoopWebWorker.check_config(Config(), None)
    # A None entry makes "import uvloop" fail as if it were not installed.
    monkeypatch.setitem(sys.modules, "uvloop", None)
    with pytest.raises(RuntimeError, match=r"pip install aiohttp-gunicorn\[uvloop\]"):
        GunicornUVLoopWebWorker.check_config(Config(), None)
