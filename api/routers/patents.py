"""Patent search, documents, similar patents and export."""

from __future__ import annotations

from itertools import chain, islice
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse

from api.deps import SearchServiceDep
from api.responses import json_response
from ipsearch.query.parser import MAX_QUERY_CHARS
from ipsearch.results import FACETS, ExportFormat, Grouping, SortMode
from ipsearch.service import MAX_EXPORT, DocumentView, Hit, SearchResult

router = APIRouter(prefix="/api/v1/patents", tags=["patents"])

# Length is checked by the parser (a clear 400 with the limit); the server's URL limit bounds the rest.
QueryText = Annotated[str, Query(min_length=1, description="Query language, e.g. TI=(led OR lamp) AND PD>=2015; "
                                 f"at most {MAX_QUERY_CHARS} characters")]

READER_LANGUAGE = ("the reader's language as a language tag (zh, zh-CN, en, ja ...): each hit's title in it "
                   "where the document has one")
ReaderLanguage = Annotated[str | None, Query(pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$", max_length=35,
                                             description=READER_LANGUAGE)]


@router.get("/search", response_model=SearchResult)
def search(search: SearchServiceDep, q: QueryText, size: Annotated[int, Query(ge=1, le=100)] = 20,
           sort: SortMode = SortMode.relevance,
           facets: Annotated[str, Query(max_length=200, description=f"comma-separated: {', '.join(FACETS)}")] = "",
           cursor: Annotated[str | None, Query(max_length=4096)] = None,
           group: Annotated[Grouping, Query(description="one row per document, or per family")] = Grouping.document,
           lang: ReaderLanguage = None) -> Response:
    names = [f.strip() for f in facets.split(",") if f.strip()]
    result = search.search(q, size=size, sort=sort, facets=names, cursor=cursor, group=group, lang=lang)
    return json_response(result)


@router.get("/export", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}})
def export(search: SearchServiceDep, q: QueryText, format: ExportFormat = ExportFormat.csv,
           limit: Annotated[int, Query(ge=1, le=MAX_EXPORT)] = MAX_EXPORT,
           sort: SortMode = SortMode.relevance, group: Grouping = Grouping.document) -> StreamingResponse:
    stream = search.export(q, format, limit, sort, group)
    # The first page is searched before the status line is sent: a query the backend refuses (only
    # stop words, a wildcard too broad) answers 400 as /search does, not a 200 cut short.
    first = list(islice(stream, 2))  # CSV: the header and the first row; JSON Lines: two rows
    return StreamingResponse(chain(first, stream), media_type=format.media_type,
                             headers={"Content-Disposition": f'attachment; filename="patents.{format.value}"'})


@router.get("/{pn}", response_model=DocumentView)
def document(search: SearchServiceDep, pn: str) -> DocumentView:
    return search.document(pn)


@router.get("/{pn}/similar", response_model=list[Hit])
def similar(search: SearchServiceDep, pn: str, size: Annotated[int, Query(ge=1, le=50)] = 10,
            lang: ReaderLanguage = None) -> list[Hit]:
    return search.similar(pn, size, lang)
