"""``StaticResource``: the files of a directory served under a URL prefix.

The part of the path below the prefix names a file in the directory.  It is
checked before the file system is touched: a segment ``..`` or ``.`` (also
when it came percent-encoded, ``%2e%2e``), a backslash, a NUL byte or a
drive name makes the answer 404, the same 404 a missing file gets, so that
nothing tells what exists outside the directory.  Empty segments are
skipped (``a//b`` is ``a/b``), never read as an absolute path.

The path is then resolved, symlinks included: unless ``follow_symlinks``,
a file whose real path is outside the directory is a 404 as well, whether
or not it exists.  Symlinks that stay inside are followed.  With
``follow_symlinks`` the symlinks may lead anywhere, but the path itself
still cannot climb out with ``..``.

A directory answers 403, or its index page with ``show_index``; a device,
FIFO or socket answers 403.  File system work runs in a thread.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import os
import stat
from collections.abc import Iterator
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

from yarl import URL

from aiohttp_core import hdrs
from aiohttp_core.typedefs import PathLike

from .exceptions import HTTPForbidden, HTTPNotFound
from .file_response import FileResponse
from .resources import PrefixResource, _quote_value, _to_raw_form, _unquote_value
from .response import Response
from .routes import AbstractRoute, ExpectHandler, ResourceRoute, UrlMappingMatchInfo

if TYPE_CHECKING:
    from .request import Request
    from .stream_response import StreamResponse

__all__ = ("StaticResource",)

# RFC 3986 pchar beyond the unreserved set, and "/" between segments.
_FILENAME_SAFE: Final = "/!$&'()*+,;=:@"
# Versions of files hashed for append_version; bounded, oldest dropped first.
_VERSION_CACHE_SIZE: Final = 1024


def _safe_parts(filename: str) -> list[str] | None:
    """The segments of a relative file name; None if it could leave the root."""
    if "\\" in filename or "\x00" in filename:
        return None
    parts = [part for part in filename.split("/") if part]
    for part in parts:
        if part in (".", "..") or os.path.splitdrive(part)[0] or os.path.isabs(part):
            return None
    return parts


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a symlink loop, a vanished entry...
        return False


class StaticResource(PrefixResource):
    """Serves the files below a directory under a URL prefix (GET and HEAD)."""

    #: The query parameter holding the file version with ``append_version``.
    VERSION_KEY: Final = "v"

    def __init__(
        self,
        prefix: str,
        directory: PathLike,
        *,
        name: str | None = None,
        expect_handler: ExpectHandler | None = None,
        chunk_size: int = 256 * 1024,
        show_index: bool = False,
        follow_symlinks: bool = False,
        append_version: bool = False,
    ) -> None:
        super().__init__(prefix, name=name)
        try:
            root = Path(directory).expanduser().resolve(strict=True)
        except FileNotFoundError as exc:
            raise ValueError(f"No directory exists at {directory!r}") from exc
        if not root.is_dir():
            raise ValueError(f"{directory!r} is not a directory")
        if not isinstance(chunk_size, int) or chunk_size <= 0:
            raise ValueError(f"chunk_size must be a positive int, got {chunk_size!r}")
        self._directory = root
        self._chunk_size = chunk_size
        self._show_index = show_index
        self._follow_symlinks = follow_symlinks
        self._append_version = append_version
        self._versions: dict[str, tuple[tuple[int, int, int], str]] = {}
        self._routes: dict[str, ResourceRoute] = {
            method: ResourceRoute(
                method, self._handle, self, expect_handler=expect_handler
            )
            for method in (hdrs.METH_GET, hdrs.METH_HEAD)
        }
        self._allowed_methods = frozenset(self._routes)

    # -- what the resource is ---------------------------------------------------

    @property
    def directory(self) -> Path:
        """The directory served (absolute, symlinks resolved)."""
        return self._directory

    def get_info(self) -> dict[str, Any]:
        """``{'directory': path, 'prefix': prefix, 'routes': {method: route}}``."""
        return {
            "directory": self._directory,
            "prefix": self._prefix,
            "routes": self._routes,
        }

    def __len__(self) -> int:
        return len(self._routes)

    def __iter__(self) -> Iterator[AbstractRoute]:
        return iter(self._routes.values())

    def __repr__(self) -> str:
        name = f"'{self.name}' " if self.name is not None else ""
        return f"<StaticResource {name}{self._prefix} -> {self._directory!r}>"

    # -- URLs ---------------------------------------------------------------------

    def url_for(  # type: ignore[override]
        self, *, filename: PathLike, append_version: bool | None = None
    ) -> URL:
        """The URL of ``filename`` below the prefix, with ``?v=<hash>`` if asked."""
        if isinstance(filename, PurePath):
            filename = filename.as_posix()
        name = os.fspath(filename).lstrip("/")
        path = _to_raw_form(self._prefix) + "/" + quote(name, safe=_FILENAME_SAFE)
        url = URL.build(path=path, encoded=True)
        if append_version is None:
            append_version = self._append_version
        if append_version:
            version = self._version_of(name)
            if version is not None:
                url = url.with_query({self.VERSION_KEY: version})
        return url

    def _version_of(self, name: str) -> str | None:
        """A hash of the file's content, None if there is no such file of ours."""
        # url_for is synchronous, so this reads in the caller's thread; the
        # hash is cached per (mtime, size, inode) so a file is read once per
        # change, and templates calling url_for cost a stat afterwards.
        try:
            path = self._locate_file(name)
            st = os.stat(path)
        except (HTTPNotFound, OSError):
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        signature = (st.st_mtime_ns, st.st_size, st.st_ino)
        cached = self._versions.get(path)
        if cached is not None and cached[0] == signature:
            return cached[1]
        digest = hashlib.sha256()
        try:
            with open(path, "rb") as file:
                while chunk := file.read(self._chunk_size):
                    digest.update(chunk)
        except OSError:
            return None
        version = base64.urlsafe_b64encode(digest.digest()).decode("ascii").rstrip("=")
        if len(self._versions) >= _VERSION_CACHE_SIZE and path not in self._versions:
            del self._versions[next(iter(self._versions))]
        self._versions[path] = (signature, version)
        return version

    # -- routing ----------------------------------------------------------------------

    async def resolve(
        self, request: Request
    ) -> tuple[UrlMappingMatchInfo | None, set[str]]:
        """Match paths under the prefix; ``filename`` is the rest, decoded."""
        rest = self._path_below(request.rel_url.path_safe)
        if rest is None:
            return None, set()
        route = self._routes.get(request.method)
        if route is None:
            return None, set(self._allowed_methods)
        return UrlMappingMatchInfo({"filename": _unquote_value(rest[1:])}, route), set()

    # -- serving ----------------------------------------------------------------------

    def _locate_file(self, filename: str) -> str:
        """The real path of ``filename`` in the directory; HTTPNotFound if it leaves."""
        parts = _safe_parts(filename)
        if parts is None:
            raise HTTPNotFound()
        path = os.path.join(self._directory, *parts)
        if self._follow_symlinks:
            return path
        real = os.path.realpath(path)
        if not Path(real).is_relative_to(self._directory):
            raise HTTPNotFound()
        return real

    def _find(self, filename: str) -> tuple[str, bool]:
        """The path to serve and whether it is a directory; raise 403 or 404."""
        path = self._locate_file(filename)
        try:
            mode = os.stat(path).st_mode
        except PermissionError:
            raise HTTPForbidden() from None
        except (OSError, ValueError):
            raise HTTPNotFound() from None
        if stat.S_ISDIR(mode):
            if not self._show_index:
                raise HTTPForbidden()
            return path, True
        if not stat.S_ISREG(mode):
            raise HTTPForbidden()
        return path, False

    async def _handle(self, request: Request) -> StreamResponse:
        filename = request.match_info["filename"]
        loop = asyncio.get_running_loop()
        path, is_dir = await loop.run_in_executor(None, self._find, filename)
        if is_dir:
            try:
                page = await loop.run_in_executor(
                    None, self._index_page, path, filename
                )
            except PermissionError:
                raise HTTPForbidden() from None
            except OSError:
                raise HTTPNotFound() from None
            # "replace": a lone surrogate in a name must not break the page.
            return Response(
                body=page.encode("utf-8", "replace"),
                content_type="text/html",
                charset="utf-8",
            )
        response = FileResponse(path, chunk_size=self._chunk_size)
        if not self._follow_symlinks:
            response._root = self._directory
        return response

    def _index_page(self, path: str, filename: str) -> str:
        """The HTML index of a directory: names escaped, links percent-encoded."""
        parts = [part for part in filename.split("/") if part]
        base = _to_raw_form(self._prefix) + "".join(
            "/" + _quote_value(part) for part in parts
        )
        with os.scandir(path) as scan:
            entries = sorted((entry.name, _is_dir(entry)) for entry in scan)
        title = html.escape(self._prefix + "/" + "/".join(parts))
        lines = [
            "<html>",
            "<head>",
            f"<title>Index of {title}</title>",
            "</head>",
            "<body>",
            f"<h1>Index of {title}</h1>",
            "<ul>",
        ]
        for name, is_dir in entries:
            # A name that is not UTF-8 (surrogate escapes) keeps its bytes in
            # the link and shows replacement characters.
            raw = name.encode("utf-8", "surrogateescape")
            shown = raw.decode("utf-8", "replace") + ("/" if is_dir else "")
            href = base + "/" + quote(raw, safe=_FILENAME_SAFE[1:])
            if is_dir:
                href += "/"
            lines.append(
                f'<li><a href="{html.escape(href)}">{html.escape(shown)}</a></li>'
            )
        lines += ["</ul>", "</body>", "</html>", ""]
        return "\n".join(lines)
