"""The web form: GET / serves the page, /static serves its assets, both under a strict CSP.

The page is plain HTML + ES modules (no build step, nothing fetched from other origins).
Every response here carries the same Content-Security-Policy so that no inline script, inline
style attribute or third-party request can run, even if a draft contained markup.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from html import escape
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse
from starlette.staticfiles import StaticFiles

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
)

web_router = APIRouter()


@web_router.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
async def index() -> FileResponse:
    """The web form (Japanese, with an English switch)."""
    return FileResponse(
        STATIC_DIR / "index.html",
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-store"},
    )


# /docs: a page built here from the OpenAPI document, with no script at all. FastAPI's Swagger UI
# loads its script and styles from a CDN, which a server without network (or a strict CSP) cannot
# allow; the full contract stays at /openapi.json for any OpenAPI tool.
DOCS_SECURITY_POLICY = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


@web_router.get("/docs", include_in_schema=False)
async def docs(request: Request) -> HTMLResponse:
    """The API's endpoints, one row each, and a link to the OpenAPI document."""
    spec = request.app.openapi()
    rows = []
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            summary = operation.get("description") or operation.get("summary") or ""
            rows.append(
                f"<tr><td><code>{escape(method.upper())}</code></td><td><code>{escape(path)}</code></td>"
                f"<td>{escape(summary.splitlines()[0] if summary else '')}</td></tr>"
            )
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Urikomi API</title>'
        '<link rel="stylesheet" href="/static/style.css"></head><body><main class="main">'
        f"<h1>{escape(spec['info']['title'])} API {escape(spec['info']['version'])}</h1>"
        '<p>The full contract (schemas, examples): <a href="/openapi.json">/openapi.json</a>.</p>'
        f"<table><thead><tr><th>method</th><th>path</th><th>what it does</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        "</main></body></html>"
    )
    return HTMLResponse(page, headers={"Content-Security-Policy": DOCS_SECURITY_POLICY, "Cache-Control": "no-store"})


class _WithHeaders:
    """Tiny ASGI wrapper: add fixed headers to every response of the wrapped app."""

    def __init__(self, app: ASGIApp, headers: list[tuple[bytes, bytes]]) -> None:
        self.app = app
        self.headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in self.headers}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = kept + self.headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def mount_static(app: FastAPI) -> None:
    """Serve app/web/static at /static with the page's CSP (assets revalidate, never go stale)."""
    static = StaticFiles(directory=STATIC_DIR)
    headers = [
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"cache-control", b"no-cache"),
    ]
    app.mount("/static", _WithHeaders(static, headers), name="static")
