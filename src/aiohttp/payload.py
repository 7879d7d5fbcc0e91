"""The module object ``aiohttp_core.payload``, under aiohttp's old path."""

import sys

from aiohttp_core import payload as _target
from aiohttp_core.payload import *  # noqa: F403

sys.modules[__name__] = _target
