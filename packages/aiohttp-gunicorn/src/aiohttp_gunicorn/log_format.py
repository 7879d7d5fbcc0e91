"""The access log format a gunicorn worker hands to aiohttp's access logger.

Gunicorn's ``access_log_format`` is written in gunicorn's own ``%(name)s``
atoms, which aiohttp's logger does not know.  As the logging docs say:
gunicorn's default is replaced by aiohttp's default, and a format set
explicitly must already use aiohttp's specifiers (``%a``, ``%t``, ``%r``,
``%{Name}i``, ...).
"""

from __future__ import annotations

import re
from typing import Final

from gunicorn.config import AccessLogFormat  # type: ignore[import-untyped]

from aiohttp_web.access_log import AccessLogger

__all__ = ("GUNICORN_DEFAULT_FORMAT", "aiohttp_access_log_format")

#: Gunicorn's default ``access_log_format`` (the ``--access-logformat`` option).
GUNICORN_DEFAULT_FORMAT: Final[str] = AccessLogFormat.default

# One gunicorn atom: ``%(h)s``, ``%({x-real-ip}i)s``.  aiohttp's specifiers
# never have a parenthesis right after the percent sign.
_GUNICORN_ATOM_RE: Final = re.compile(r"%\([^)]*\)s")


def aiohttp_access_log_format(configured: str) -> str:
    """The aiohttp format for gunicorn's ``access_log_format`` setting.

    Raises :class:`ValueError` for a custom format written with gunicorn's
    atoms, naming the first one, since silently logging it verbatim would
    hide the mistake until someone reads the log.
    """
    if configured == GUNICORN_DEFAULT_FORMAT:
        return AccessLogger.LOG_FORMAT
    atom = _GUNICORN_ATOM_RE.search(configured)
    if atom is not None:
        raise ValueError(
            f"The access log format {configured!r} uses gunicorn's atom "
            f"{atom[0]!r}; aiohttp's workers take aiohttp's format specifiers "
            "instead (for example '%a %t \"%r\" %s %b'), see the aiohttp "
            "logging documentation"
        )
    return configured
