"""The module object ``aiohttp_web.route_def``, under aiohttp's old path."""

import sys

from aiohttp_web import route_def as _target
from aiohttp_web.route_def import *  # noqa: F403

sys.modules[__name__] = _target
