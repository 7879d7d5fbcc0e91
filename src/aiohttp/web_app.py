"""The module object ``aiohttp_web.app``, under aiohttp's old path."""

import sys

from aiohttp_web import app as _target
from aiohttp_web.app import *  # noqa: F403

sys.modules[__name__] = _target
