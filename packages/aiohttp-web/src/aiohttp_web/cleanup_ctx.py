"""Cleanup contexts: startup code and its cleanup written as one generator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, cast

from frozenlist import FrozenList

if TYPE_CHECKING:
    from .app import Application

__all__ = ("CleanupCallback", "CleanupContext", "CleanupError")

#: A cleanup context: an async generator function with exactly one ``yield``,
#: or a function returning an async context manager.
CleanupCallback = Callable[
    ["Application"],
    "AsyncIterator[None] | AbstractAsyncContextManager[object]",
]


class CleanupError(RuntimeError):
    """Raised when more than one cleanup context failed; ``exceptions`` has all."""

    @property
    def exceptions(self) -> list[BaseException]:
        """The errors of the failed cleanup contexts, in the order they happened."""
        return cast(list[BaseException], self.args[1])


class _Exit:
    """How to leave one entered cleanup context."""

    __slots__ = ("_cm", "_gen")

    def __init__(
        self,
        gen: AsyncIterator[None] | None,
        cm: AbstractAsyncContextManager[object] | None,
    ) -> None:
        self._gen = gen
        self._cm = cm

    async def leave(self) -> None:
        if self._cm is not None:
            await self._cm.__aexit__(None, None, None)
            return
        gen = cast(AsyncIterator[None], self._gen)
        try:
            await gen.__anext__()
        except StopAsyncIteration:
            return
        aclose = getattr(gen, "aclose", None)
        if aclose is not None:
            await aclose()
        raise RuntimeError(f"{gen!r} has more than one 'yield'")


class CleanupContext(FrozenList[CleanupCallback]):
    """The list behind ``Application.cleanup_ctx``: paired startup and cleanup."""

    __slots__ = ("_exits",)

    def __init__(self) -> None:
        super().__init__()
        self._exits: list[_Exit] = []

    async def _on_startup(self, app: Application) -> None:
        for callback in self:
            ctx = callback(app)
            if isinstance(ctx, AbstractAsyncContextManager) or hasattr(
                ctx, "__aenter__"
            ):
                cm = cast(AbstractAsyncContextManager[object], ctx)
                await cm.__aenter__()
                self._exits.append(_Exit(None, cm))
                continue
            gen = ctx.__aiter__()
            await gen.__anext__()
            # Registered only once the startup part finished: cleanup code
            # runs if and only if its startup code succeeded.
            self._exits.append(_Exit(gen, None))

    async def _on_cleanup(self, app: Application) -> None:
        errors: list[BaseException] = []
        exits, self._exits = self._exits, []
        for ctx_exit in reversed(exits):
            try:
                await ctx_exit.leave()
            except Exception as exc:
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise CleanupError("Multiple errors on cleanup stage", errors)
