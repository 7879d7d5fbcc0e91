"""The README's demo app, served by ``python -m aiohttp.web``, with curl and httpx."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from aiohttp.test_utils import unused_port

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    port = unused_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiohttp.web",
            "-H",
            "127.0.0.1",
            "-P",
            str(port),
            "examples.notes_app:init_app",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(
                    proc.stdout.read().decode() if proc.stdout else ""
                ) from None
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.communicate(timeout=10)


def test_front_page_links_the_stylesheet(base_url: str) -> None:
    resp = httpx.get(base_url + "/")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/html")
    assert '<link rel="stylesheet" href="/static/style.css">' in resp.text
    css = httpx.get(base_url + "/static/style.css")
    assert css.status_code == 200
    assert css.headers["Content-Type"].startswith("text/css")


def test_json_api_round_trip(base_url: str) -> None:
    created = httpx.post(base_url + "/api/notes", json={"text": "buy milk"})
    assert created.status_code == 201
    note = created.json()
    assert note["text"] == "buy milk"
    location = created.headers["Location"]
    assert location == f"/api/notes/{note['id']}"
    assert httpx.get(base_url + location).json() == note
    assert note in httpx.get(base_url + "/api/notes").json()
    assert httpx.delete(base_url + location).status_code == 204
    gone = httpx.get(base_url + location)
    assert gone.status_code == 404
    assert gone.json() == {"error": "No such note", "status": 404}


def test_api_errors_are_json(base_url: str) -> None:
    bad = httpx.post(base_url + "/api/notes", content=b"{not json")
    assert bad.status_code == 400
    assert bad.json()["status"] == 400
    wrong = httpx.put(base_url + "/api/notes")
    assert wrong.status_code == 405
    assert "GET" in wrong.headers["Allow"]


def test_error_page_is_html(base_url: str) -> None:
    resp = httpx.get(base_url + "/nowhere")
    assert resp.status_code == 404
    assert '<h1 class="error">404 Not Found</h1>' in resp.text


def test_upload_form_with_httpx(base_url: str) -> None:
    data = bytes(range(256)) * 4096
    resp = httpx.post(
        base_url + "/upload",
        data={"title": "<b>mine</b>"},
        files={"file": ("blob.bin", data, "application/octet-stream")},
    )
    assert resp.status_code == 200
    assert f"{len(data)} bytes" in resp.text
    assert "&lt;b&gt;mine&lt;/b&gt;" in resp.text


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_upload_form_with_curl(base_url: str, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"hello from curl\n")
    out = subprocess.run(
        ["curl", "-sS", "-F", "title=t", "-F", f"file=@{path}", base_url + "/upload"],
        capture_output=True,
        check=True,
        timeout=20,
    ).stdout.decode()
    assert "Uploaded notes.txt" in out
    assert "16 bytes" in out
