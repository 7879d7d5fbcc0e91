"""The module object ``aiohttp_web.request``, under aiohttp's old path."""

import sys

from aiohttp_web import request as _target
from aiohttp_web.request import *  # noqa: F403

sys.modules[__name__] = _target
