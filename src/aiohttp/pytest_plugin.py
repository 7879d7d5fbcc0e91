"""The pytest fixtures, for ``pytest_plugins = "aiohttp.pytest_plugin"``.

A module of its own (not an alias of the entry point's module) so that
naming it in a conftest while the entry point is also loaded registers the
same fixtures twice, which pytest allows, rather than one plugin twice.
"""

from aiohttp_testing.pytest_plugin import *  # noqa: F403
from aiohttp_testing.pytest_plugin import __all__ as __all__
