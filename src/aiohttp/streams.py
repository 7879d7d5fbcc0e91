"""The module object ``aiohttp_core.streams``, under aiohttp's old path."""

import sys

from aiohttp_core import streams as _target
from aiohttp_core.streams import *  # noqa: F403

sys.modules[__name__] = _target
