"""What gunicorn's target may be: an Application, or a factory making one."""

from __future__ import annotations

import pytest

from aiohttp_gunicorn.worker import _resolve_app
from aiohttp_web.app import Application


async def test_an_application_is_served_as_is() -> None:
    app = Application()
    assert await _resolve_app(app) is app


async def test_a_plain_factory_is_called() -> None:
    app = Application()
    assert await _resolve_app(lambda: app) is app


async def test_a_coroutine_factory_is_awaited() -> None:
    app = Application()

    async def factory() -> Application:
        return app

    assert await _resolve_app(factory) is app


async def test_a_factory_returning_something_else_is_refused() -> None:
    async def factory() -> object:
        return {"not": "an app"}

    with pytest.raises(
        TypeError, match=r"\.factory returned \{'not': 'an app'\}, not an Application"
    ):
        await _resolve_app(factory)


async def test_a_target_neither_app_nor_callable_is_refused() -> None:
    with pytest.raises(TypeError, match="neither an Application nor a factory"):
        await _resolve_app(42)


async def test_factory_errors_propagate() -> None:
    async def factory() -> Application:
        raise LookupError("no settings")

    with pytest.raises(LookupError, match="no settings"):
        await _resolve_app(factory)
