"""The shell around every part of the portal: sections that later pages fill in, and the API
documentation served from the app's own files (no CDN: it works offline), with a page for each
problem type the API answers with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse

from api.i18n import N_
from api.middleware import REDOC_CSP
from api.pages.context import PageDep
from api.problems import PROBLEM_TYPES
from core.errors import NotFound

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Section:
    title: str
    intro: str
    api_tags: tuple[str, ...]


SECTIONS: dict[str, Section] = {  # parts whose pages are still to come (collections, copyright: their own modules)
}


def _register_section(key: str) -> None:
    @router.get(f"/{key}", response_class=HTMLResponse, name=f"section-{key}")
    def show(page: PageDep) -> HTMLResponse:
        return page.render("section.html", section=SECTIONS[key])


for _key in SECTIONS:
    _register_section(_key)


# FastAPI's own docs pages start Swagger UI with an inline script, which the Content-Security-Policy
# refuses: these start it from /static/swagger-init.js.
_DOCS_HEAD = ('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
              '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
              '<title>IP Commons API</title>\n<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">\n')
SWAGGER_UI_HTML = (_DOCS_HEAD + '<link rel="stylesheet" href="/static/vendor/swagger-ui.css">\n</head>\n<body>\n'
                   '<div id="swagger-ui"></div>\n<script src="/static/vendor/swagger-ui-bundle.js"></script>\n'
                   '<script src="/static/swagger-init.js"></script>\n</body>\n</html>\n')
REDOC_HTML = (_DOCS_HEAD + '</head>\n<body style="margin: 0">\n<redoc spec-url="/openapi.json"></redoc>\n'
              '<script src="/static/vendor/redoc.standalone.js"></script>\n</body>\n</html>\n')


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui() -> HTMLResponse:
    return HTMLResponse(SWAGGER_UI_HTML)


@router.get("/redoc", response_class=HTMLResponse)
def redoc() -> HTMLResponse:
    return HTMLResponse(REDOC_HTML, headers={"Content-Security-Policy": REDOC_CSP})


@router.get("/problems", response_class=HTMLResponse)
def problem_types(page: PageDep) -> HTMLResponse:
    return page.render("problems.html", types=PROBLEM_TYPES, shown=None)


@router.get("/problems/{slug}", response_class=HTMLResponse)
def problem_type(page: PageDep, slug: Annotated[str, Path(max_length=40)]) -> HTMLResponse:
    """What a problem document's ``type`` leads to: what the problem means and what to change."""
    if slug not in PROBLEM_TYPES:
        raise NotFound(N_("no such problem type: every one is listed at /problems"))
    return page.render("problems.html", types=PROBLEM_TYPES, shown=slug)
