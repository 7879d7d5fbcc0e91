"""The module object ``aiohttp_web.protocol``, under aiohttp's old path."""

import sys

from aiohttp_web import protocol as _target
from aiohttp_web.protocol import *  # noqa: F403

sys.modules[__name__] = _target
