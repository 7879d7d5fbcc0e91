"""The module object ``aiohttp_web.middlewares``, under aiohttp's old path."""

import sys

from aiohttp_web import middlewares as _target
from aiohttp_web.middlewares import *  # noqa: F403

sys.modules[__name__] = _target
