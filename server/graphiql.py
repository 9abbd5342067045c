"""GraphiQL served from Guichet itself (development only): the page, its vendored assets under
`/static/graphiql/` and the favicon. Nothing is fetched from a CDN, so the IDE works offline;
`static/graphiql/VERSIONS` records what is vendored."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"

# Scripts, styles and queries come from this origin only; the bootstrap is a static file, so
# no inline script. GraphiQL's fonts are `data:` URIs inside its stylesheet. `style-src`
# keeps 'unsafe-inline': GraphiQL's dialogs (Radix, react-remove-scroll) insert <style>
# elements at run time, which a nonce-less policy would block.
GRAPHIQL_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


@cache
def _page() -> str:
    return (STATIC / "graphiql.html").read_text(encoding="utf-8")


def graphiql_page() -> HTMLResponse:
    return HTMLResponse(
        _page(), headers={"Content-Security-Policy": GRAPHIQL_CSP, "Cache-Control": "no-cache"}
    )


async def favicon(_request: Request) -> Response:
    return Response(
        (STATIC / "favicon.svg").read_bytes(),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def static_routes(ide: bool) -> list[BaseRoute]:
    """The favicon always; GraphiQL's assets only where the IDE is on (not in production)."""
    routes: list[BaseRoute] = [Route("/favicon.ico", favicon)]
    if ide:
        assets = StaticFiles(directory=STATIC / "graphiql")
        routes.append(Mount("/static/graphiql", app=assets, name="graphiql-assets"))
    return routes
