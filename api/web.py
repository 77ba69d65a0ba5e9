"""Server-rendered pages for people: search with facets and paging, and a document view."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.deps import SearchServiceDep
from ipsearch.query.parser import QuerySyntaxError
from ipsearch.results import SearchRequestError, SortMode

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
FACETS = ["ipc_subclass", "applicant", "country", "year", "kind"]


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, search: SearchServiceDep, q: str = "", sort: SortMode = SortMode.relevance,
                cursor: str | None = None) -> HTMLResponse:
    context: dict[str, object] = {"q": q, "sort": sort.value, "result": None, "error": None}
    if q.strip():
        try:
            context["result"] = search.search(q, size=20, sort=sort, facets=FACETS, cursor=cursor)
        except QuerySyntaxError as exc:
            context["error"] = f"{exc.message}\n{exc.pointer()}"
        except SearchRequestError as exc:
            context["error"] = str(exc)
    return templates.TemplateResponse(request, "search.html", context,
                                      status_code=400 if context["error"] else 200)


@router.get("/patent/{pn}", response_class=HTMLResponse)
def patent_page(request: Request, search: SearchServiceDep, pn: str) -> HTMLResponse:
    view = search.document(pn)
    return templates.TemplateResponse(request, "patent.html", {"pn": view.pn, "doc": view.model_dump()})
