"""Server-rendered pages for people: search with facets and paging, and a document view."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.routers.patents import service
from core.errors import NotFound
from ipsearch.collections import normalise_pn
from ipsearch.query.parser import QuerySyntaxError
from ipsearch.results import SearchRequestError

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
FACETS = ["ipc_subclass", "applicant", "country", "year", "kind"]


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, q: str = "", sort: Literal["relevance", "date", "date_asc"] = "relevance",
                cursor: str | None = None) -> HTMLResponse:
    context: dict[str, object] = {"q": q, "sort": sort, "result": None, "error": None}
    if q.strip():
        try:
            context["result"] = service(request).search(q, size=20, sort=sort, facets=FACETS, cursor=cursor)
        except QuerySyntaxError as exc:
            context["error"] = f"{exc.message}\n{exc.pointer()}"
        except SearchRequestError as exc:
            context["error"] = str(exc)
    return templates.TemplateResponse(request, "search.html", context,
                                      status_code=400 if context["error"] else 200)


@router.get("/patent/{pn}", response_class=HTMLResponse)
def patent_page(request: Request, pn: str) -> HTMLResponse:
    key = normalise_pn(pn)
    doc = service(request).document(key)
    if doc is None:
        raise NotFound(f"{pn} is not in the corpus")
    return templates.TemplateResponse(request, "patent.html", {"pn": key, "doc": doc})
