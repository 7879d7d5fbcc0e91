"""The module object ``aiohttp_core.typedefs``, under aiohttp's old path."""

import sys

from aiohttp_core import typedefs as _target
from aiohttp_core.typedefs import *  # noqa: F403

sys.modules[__name__] = _target
