"""The module object ``aiohttp_web.response``, under aiohttp's old path."""

import sys

from aiohttp_web import response as _target
from aiohttp_web.response import *  # noqa: F403

sys.modules[__name__] = _target
