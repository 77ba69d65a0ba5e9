"""The shell around every part of the portal: sections that later pages fill in, and the API
documentation served from the app's own files (no CDN: it works offline)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

from api.pages.context import PageDep

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


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="IP Commons API",
                               swagger_js_url="/static/vendor/swagger-ui-bundle.js",
                               swagger_css_url="/static/vendor/swagger-ui.css",
                               swagger_favicon_url="/static/favicon.svg")


@router.get("/redoc", response_class=HTMLResponse)
def redoc() -> HTMLResponse:
    return get_redoc_html(openapi_url="/openapi.json", title="IP Commons API",
                          redoc_js_url="/static/vendor/redoc.standalone.js", redoc_favicon_url="/static/favicon.svg",
                          with_google_fonts=False)
