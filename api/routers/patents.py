"""Patent search, documents, similar patents and export."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from core.errors import InvalidInput, NotFound
from ipsearch.backends import get_backend
from ipsearch.collections import normalise_pn
from ipsearch.query.parser import MAX_QUERY_CHARS, QuerySyntaxError
from ipsearch.results import FACETS, SearchRequestError
from ipsearch.service import MAX_EXPORT, Hit, SearchResult, SearchService

router = APIRouter(prefix="/api/v1/patents", tags=["patents"])

# Length is checked by the parser (a clear 400 with the limit); the server's URL limit bounds the rest.
QueryText = Annotated[str, Query(min_length=1, description="Query language, e.g. TI=(led OR lamp) AND PD>=2015; "
                                 f"at most {MAX_QUERY_CHARS} characters")]


def service(request: Request) -> SearchService:
    svc = getattr(request.app.state, "search_service", None)
    if svc is None:
        svc = request.app.state.search_service = SearchService(get_backend(request.app.state.settings))
    return svc  # type: ignore[no-any-return]


def query_problem(exc: QuerySyntaxError | SearchRequestError) -> InvalidInput:
    if isinstance(exc, QuerySyntaxError) and exc.position is not None:
        return InvalidInput(exc.message, position=exc.position)
    if isinstance(exc, QuerySyntaxError):
        return InvalidInput(exc.message)
    return InvalidInput(str(exc))


@router.get("/search", response_model=SearchResult)
def search(request: Request, q: QueryText, size: Annotated[int, Query(ge=1, le=100)] = 20,
           sort: Literal["relevance", "date", "date_asc"] = "relevance",
           facets: Annotated[str, Query(max_length=200, description=f"comma-separated: {', '.join(FACETS)}")] = "",
           cursor: Annotated[str | None, Query(max_length=4096)] = None) -> SearchResult:
    names = [f.strip() for f in facets.split(",") if f.strip()]
    try:
        return service(request).search(q, size=size, sort=sort, facets=names, cursor=cursor)
    except (QuerySyntaxError, SearchRequestError) as exc:
        raise query_problem(exc) from exc


@router.get("/export")
def export(request: Request, q: QueryText, format: Literal["csv", "jsonl"] = "csv",
           limit: Annotated[int, Query(ge=1, le=MAX_EXPORT)] = MAX_EXPORT,
           sort: Literal["relevance", "date", "date_asc"] = "relevance") -> StreamingResponse:
    svc = service(request)
    try:
        svc.plan(q)
        stream = svc.export(q, format, limit, sort)
    except QuerySyntaxError as exc:
        raise query_problem(exc) from exc
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    return StreamingResponse(stream, media_type=media,
                             headers={"Content-Disposition": f'attachment; filename="patents.{format}"'})


@router.get("/{pn}")
def document(request: Request, pn: str) -> dict[str, object]:
    doc = service(request).document(normalise_pn(pn))
    if doc is None:
        raise NotFound(f"{pn} is not in the corpus")
    return doc


@router.get("/{pn}/similar", response_model=list[Hit])
def similar(request: Request, pn: str, size: Annotated[int, Query(ge=1, le=50)] = 10) -> list[Hit]:
    svc = service(request)
    key = normalise_pn(pn)
    if svc.backend.get(key) is None:
        raise NotFound(f"{pn} is not in the corpus")
    return svc.similar(key, size)
