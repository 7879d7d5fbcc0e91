"""The module object ``aiohttp_web.exceptions``, under aiohttp's old path."""

import sys

from aiohttp_web import exceptions as _target
from aiohttp_web.exceptions import *  # noqa: F403

sys.modules[__name__] = _target
