"""The module object ``aiohttp_core.formdata``, under aiohttp's old path."""

import sys

from aiohttp_core import formdata as _target
from aiohttp_core.formdata import *  # noqa: F403

sys.modules[__name__] = _target
