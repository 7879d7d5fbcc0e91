"""Typed keys for the application's shared state."""

from __future__ import annotations

from typing import Final, Generic, TypeVar

__all__ = ("APP_KEY_HINT", "AppKey", "NotAppKeyWarning")

_T = TypeVar("_T")

APP_KEY_HINT: Final = (
    "It is recommended to use web.AppKey instances for keys.\n"
    "https://docs.aiohttp.org/en/stable/web_advanced.html"
    "#application-s-config"
)


class NotAppKeyWarning(UserWarning):
    """Warning emitted when an application is given a plain ``str`` key."""


class AppKey(Generic[_T]):
    """A typed key for the application's state: ``app[key]`` has type ``t``."""

    __slots__ = ("__orig_class__", "_name", "_t")

    def __init__(self, name: str, t: type[_T] | None = None) -> None:
        self._name = name
        self._t = t

    @property
    def name(self) -> str:
        """The name given at creation (for debugging)."""
        return self._name

    def __lt__(self, other: object) -> bool:
        # Lets sorted() mix AppKeys and str keys: AppKeys come first.
        if isinstance(other, AppKey):
            return self._name < other._name
        return True

    def __repr__(self) -> str:
        t: object = self._t
        if t is None:
            # ``AppKey[int]("name")`` records the type argument only here.
            args = getattr(getattr(self, "__orig_class__", None), "__args__", ())
            t = args[0] if args else None
        if t is None:
            t_repr = "<<Unknown>>"
        elif isinstance(t, type) and t.__module__ == "builtins":
            t_repr = t.__qualname__
        elif isinstance(t, type):
            t_repr = f"{t.__module__}.{t.__qualname__}"
        else:
            t_repr = repr(t)
        return f"<AppKey({self._name}, type={t_repr})>"
