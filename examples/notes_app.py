"""A small but real aiohttp.web application: a JSON API, an upload form, static files.

Serve it with::

    uv run python -m aiohttp.web -H 127.0.0.1 -P 8080 examples.notes_app:init_app

Routes: ``GET /`` (the page), ``GET|POST /api/notes``,
``GET|DELETE /api/notes/{note_id}``, ``POST /upload`` (a multipart form with a
file), ``/static/...``.  Errors are answered as an HTML page, or as JSON under
``/api/``.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from aiohttp import web

HERE = Path(__file__).resolve().parent
NOTES = web.AppKey("notes", dict[int, dict[str, Any]])
MAX_UPLOAD = 8 * 1024 * 1024
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

routes = web.RouteTableDef()

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="/static/style.css"></head>
<body>{body}</body></html>
"""


def page(title: str, body: str, status: int = 200) -> web.Response:
    """An HTML page with the shared layout."""
    return web.Response(
        text=PAGE.format(title=html.escape(title), body=body),
        status=status,
        content_type="text/html",
    )


@routes.get("/")
async def index(request: web.Request) -> web.Response:
    """The front page: what the app does, and the upload form."""
    count = len(request.app[NOTES])
    return page(
        "aiohttp notes",
        f"""<h1>aiohttp notes</h1>
<p>{count} note(s) in the <a href="/api/notes">JSON API</a>.
<code>POST /api/notes</code> with <code>{{"text": "..."}}</code> adds one.</p>
<form action="/upload" method="post" enctype="multipart/form-data">
<p><label>Title <input name="title"></label></p>
<p><input type="file" name="file"></p>
<p><button>Upload</button></p></form>""",
    )


@routes.get("/api/notes")
async def list_notes(request: web.Request) -> web.Response:
    """All notes, as JSON."""
    return web.json_response(list(request.app[NOTES].values()))


@routes.post("/api/notes")
async def add_note(request: web.Request) -> web.Response:
    """Add a note from a JSON body ``{"text": ...}``."""
    try:
        data = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="The body is not JSON") from None
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise web.HTTPUnprocessableEntity(text='Expected {"text": "..."}')
    notes = request.app[NOTES]
    note_id = max(notes, default=0) + 1
    note = {"id": note_id, "text": text}
    notes[note_id] = note
    location = request.app.router["note"].url_for(note_id=str(note_id))
    return web.json_response(note, status=201, headers={"Location": str(location)})


@routes.get(r"/api/notes/{note_id:\d+}", name="note")
async def get_note(request: web.Request) -> web.Response:
    """One note, or 404."""
    note = request.app[NOTES].get(int(request.match_info["note_id"]))
    if note is None:
        raise web.HTTPNotFound(text="No such note")
    return web.json_response(note)


@routes.delete(r"/api/notes/{note_id:\d+}")
async def delete_note(request: web.Request) -> web.Response:
    """Delete one note."""
    if request.app[NOTES].pop(int(request.match_info["note_id"]), None) is None:
        raise web.HTTPNotFound(text="No such note")
    return web.Response(status=204)


@routes.post("/upload")
async def upload(request: web.Request) -> web.Response:
    """Take a multipart form with a title and a file; show what arrived."""
    form = await request.post()
    upload = form.get("file")
    if not isinstance(upload, web.FileField):
        raise web.HTTPBadRequest(text="The form has no file")
    digest = hashlib.sha256()
    size = 0
    while chunk := upload.file.read(65536):
        digest.update(chunk)
        size += len(chunk)
    title = str(form.get("title", ""))
    return page(
        "Uploaded",
        f"""<h1>Uploaded {html.escape(upload.filename)}</h1>
<p>Title: {html.escape(title)}</p>
<p>{size} bytes, SHA-256 <code>{digest.hexdigest()}</code></p>
<p><a href="/">Back</a></p>""",
    )


async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Render HTTP errors as JSON under /api/ and as an HTML page elsewhere."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        message = exc.text or exc.reason
        if request.path.startswith("/api/"):
            return web.json_response(
                {"error": message, "status": exc.status},
                status=exc.status,
                headers={k: v for k, v in exc.headers.items() if k == "Allow"},
            )
        body = f'<h1 class="error">{exc.status} {html.escape(exc.reason)}</h1>'
        body += f"<p>{html.escape(message)}</p><p><a href='/'>Home</a></p>"
        return page(f"{exc.status} {exc.reason}", body, status=exc.status)


def init_app(argv: Sequence[str] | None = None) -> web.Application:
    """Build the application; ``python -m aiohttp.web`` calls this."""
    app = web.Application(middlewares=[error_pages], client_max_size=MAX_UPLOAD)
    app[NOTES] = {}
    app.add_routes(routes)
    app.router.add_static("/static/", HERE / "static", name="static")
    return app


if __name__ == "__main__":
    web.run_app(init_app(), host="127.0.0.1", port=8080)
