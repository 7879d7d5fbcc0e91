"""The module object ``aiohttp_core.log``, under aiohttp's old path."""

import sys

from aiohttp_core import log as _target
from aiohttp_core.log import *  # noqa: F403

sys.modules[__name__] = _target
