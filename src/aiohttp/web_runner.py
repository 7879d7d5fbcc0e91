"""The module object ``aiohttp_web.runner``, under aiohttp's old path."""

import sys

from aiohttp_web import runner as _target
from aiohttp_web.runner import *  # noqa: F403

sys.modules[__name__] = _target
