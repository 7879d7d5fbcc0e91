"""The module object ``aiohttp_core.helpers``, under aiohttp's old path."""

import sys

from aiohttp_core import helpers as _target
from aiohttp_core.helpers import *  # noqa: F403

sys.modules[__name__] = _target
