"""The module object ``aiohttp_testing``, under aiohttp's old path."""

import sys

import aiohttp_testing as _target
from aiohttp_testing import *  # noqa: F403

sys.modules[__name__] = _target
