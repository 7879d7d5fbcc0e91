"""The module object ``aiohttp_core.multipart``, under aiohttp's old path."""

import sys

from aiohttp_core import multipart as _target
from aiohttp_core.multipart import *  # noqa: F403

sys.modules[__name__] = _target
