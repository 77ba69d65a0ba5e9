"""Structural guards of the services layer: routers only translate HTTP, every JSON response is
described by a schema, and functions stay short enough to read."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from fastapi.routing import APIRoute

from api.app import API_ROUTERS, create_app
from core.settings import Settings

REPO = Path(__file__).resolve().parents[2]
APP_PACKAGES = ("core", "api", "ipsearch", "loaders", "analytics", "copyright", "community", "demo", "servicehall",
                "backup")
MAX_FUNCTION_LINES = 60


def _router_files() -> list[Path]:
    return sorted((REPO / "api" / "routers").glob("*.py"))


def _page_files() -> list[Path]:
    """Web pages translate forms and HTML the way routers translate JSON (context.py holds the
    request's lazily opened session, as api/deps.py does for routers)."""
    return [p for p in sorted((REPO / "api" / "pages").glob("*.py")) if p.name != "context.py"]


def test_routers_do_no_database_work() -> None:
    """No SQLAlchemy, no session writes, no ORM queries: a router calls one service method."""
    pattern = re.compile(r"sqlalchemy|session\.(add|execute|commit|scalars?|get|delete|flush)\b|\bselect\(")
    offenders = [f"{path.name}:{n}: {line.strip()}" for path in _router_files() + _page_files()
                 for n, line in enumerate(path.read_text().splitlines(), 1) if pattern.search(line)]
    assert offenders == []


def test_no_router_imports_another_router_or_reads_app_state() -> None:
    offenders = []
    for path in _router_files() + _page_files():
        text = path.read_text()
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("api.routers"):
                offenders.append(f"{path.name} imports {node.module}")
        if "app.state" in text or "get_platform(" in text:
            offenders.append(f"{path.name} reaches into app.state instead of a typed dependency")
    assert offenders == []


def test_every_json_route_declares_its_response_schema(embedded_settings: Settings) -> None:
    schema = create_app(embedded_settings).openapi()
    missing = []
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            for status, response in op.get("responses", {}).items():
                if not status.startswith("2") or status == "204":
                    continue
                content = response.get("content", {})
                json_body = content.get("application/json")
                if json_body is not None and not json_body.get("schema"):
                    missing.append(f"{method.upper()} {path} {status}")
    assert missing == []


def test_every_route_is_documented_in_openapi_with_a_schema_or_a_media_type(embedded_settings: Settings) -> None:
    """A route that returns a file or a stream names its media type instead of an empty JSON schema."""
    create_app(embedded_settings)
    bare = []
    routes = [route for router in API_ROUTERS for route in router.routes]  # app.routes holds router wrappers
    assert len(routes) > 80  # the walk really sees the API's routes
    for route in routes:
        if isinstance(route, APIRoute) and route.include_in_schema and route.status_code != 204:
            if route.response_model is None and route.response_class.__name__ == "JSONResponse" \
                    and not route.responses:
                bare.append(f"{sorted(route.methods)} {route.path}")
    assert bare == []


# The operations a newcomer to the API meets first: each says more in /docs than its summary line.
FIRST_MET = [("get", "/healthz"), ("post", "/api/v1/auth/register"), ("post", "/api/v1/auth/token"),
             ("post", "/api/v1/auth/api-keys"), ("get", "/api/v1/patents/search"), ("get", "/api/v1/patents/{pn}"),
             ("get", "/api/v1/patents/{pn}/similar"), ("get", "/api/v1/patents/export"),
             ("post", "/api/v1/collections"), ("get", "/api/v1/collections/{cid}/export"), ("post", "/api/v1/loads")]


def test_the_operations_a_newcomer_meets_first_are_described(embedded_settings: Settings) -> None:
    paths = create_app(embedded_settings).openapi()["paths"]
    thin = [f"{method.upper()} {path}" for method, path in FIRST_MET
            if len(paths[path][method].get("description", "")) < 80]
    assert thin == []


def test_no_function_in_the_application_is_longer_than_60_lines() -> None:
    long = []
    for package in APP_PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    lines = (node.end_lineno or node.lineno) - node.lineno + 1
                    if lines > MAX_FUNCTION_LINES:
                        long.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []
