"""The module object ``aiohttp_core.hdrs``, under aiohttp's old path."""

import sys

from aiohttp_core import hdrs as _target
from aiohttp_core.hdrs import *  # noqa: F403

sys.modules[__name__] = _target
