"""The module object ``aiohttp_web.access_log``, under aiohttp's old path."""

import sys

from aiohttp_web import access_log as _target
from aiohttp_web.access_log import *  # noqa: F403

sys.modules[__name__] = _target
