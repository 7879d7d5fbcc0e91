"""The module object ``aiohttp_web.server``, under aiohttp's old path."""

import sys

from aiohttp_web import server as _target
from aiohttp_web.server import *  # noqa: F403

sys.modules[__name__] = _target
