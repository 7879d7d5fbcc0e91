"""The module object ``aiohttp_web.router``, under aiohttp's old path."""

import sys

from aiohttp_web import router as _target
from aiohttp_web.router import *  # noqa: F403

sys.modules[__name__] = _target
