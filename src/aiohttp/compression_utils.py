"""The module object ``aiohttp_core.compression``, under aiohttp's old path."""

import sys

from aiohttp_core import compression as _target
from aiohttp_core.compression import *  # noqa: F403

sys.modules[__name__] = _target
