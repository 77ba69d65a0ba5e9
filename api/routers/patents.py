"""Patent search, documents, similar patents and export."""

from __future__ import annotations

from itertools import chain, islice
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse

from api.deps import VARY, ReaderLanguage, SearchServiceDep
from api.responses import json_response
from ipsearch.query.parser import MAX_QUERY_CHARS
from ipsearch.results import FACETS, ExportFormat, Grouping, SortMode
from ipsearch.service import MAX_EXPORT, DocumentView, Hit, SearchResult

router = APIRouter(prefix="/api/v1/patents", tags=["patents"])

# Length is checked by the parser (a clear 400 with the limit); the server's URL limit bounds the rest.
QueryText = Annotated[str, Query(min_length=1, description="Query language, e.g. TI=(led OR lamp) AND PD>=2015; "
                                 f"at most {MAX_QUERY_CHARS} characters")]


@router.get("/search", summary="Search patents with the query language", response_model=SearchResult)
def search(search: SearchServiceDep, q: QueryText, size: Annotated[int, Query(ge=1, le=100)] = 20,
           sort: SortMode = SortMode.relevance,
           facets: Annotated[str, Query(max_length=200, description=f"comma-separated: {', '.join(FACETS)}")] = "",
           cursor: Annotated[str | None, Query(max_length=4096)] = None,
           group: Annotated[Grouping, Query(description="one row per document, or per family")] = Grouping.document,
           lang: ReaderLanguage = None) -> Response:
    """Words, phrases (`"light emitting diode"`), wildcards (`emit*`), proximity (`light NEAR3 diode`,
    `ADJ2`, `SAME`) and fields (`TI= AB= CL= PA= IPC= PD>=2015 CC=CN`, or their Chinese names, 名称=)
    combined with AND, OR, NOT and brackets; the README's "Query language" lists every field. Words
    are analysed as the index was (lemmas: `emitting` finds `emits`; jieba for Chinese). A query that
    cannot be read is a 400 whose `position` points at the fault.

    `size` hits per page, each with its title and abstract marked where they matched; `next_cursor`,
    sent back as `cursor` with the same query, gives the next page. `facets` adds counts per value
    (`country`, `year`, `ipc_subclass`, `applicant` …). `group=family` gives one row per family."""
    names = [f.strip() for f in facets.split(",") if f.strip()]
    result = search.search(q, size=size, sort=sort, facets=names, cursor=cursor, group=group, lang=lang)
    return json_response(result, headers=VARY)


@router.get("/export", summary="Export a search's results", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}, "application/x-ndjson": {}}}})
def export(search: SearchServiceDep, q: QueryText, format: ExportFormat = ExportFormat.csv,
           limit: Annotated[int, Query(ge=1, le=MAX_EXPORT)] = MAX_EXPORT,
           sort: SortMode = SortMode.relevance, group: Grouping = Grouping.document,
           lang: ReaderLanguage = None) -> StreamingResponse:
    """UTF-8 for programs: CSV columns named by field (pn, title, publication_date, …) and no
    byte-order mark; ``lang`` chooses the titles' language. The portal's Export (/export) is the one
    for spreadsheets: columns headed in the reader's language, with the mark Excel needs."""
    stream = search.export(q, format, limit, sort, group, lang)
    # The first page is searched before the status line is sent: a query the backend refuses (only
    # stop words, a wildcard too broad) answers 400 as /search does, not a 200 cut short.
    first = list(islice(stream, 2))  # CSV: the header and the first row; JSON Lines: two rows
    return StreamingResponse(chain(first, stream), media_type=format.media_type,
                             headers={"Content-Disposition": f'attachment; filename="patents.{format.value}"', **VARY})


@router.get("/{pn}", summary="One patent document", response_model=DocumentView)
def document(search: SearchServiceDep, pn: str, response: Response, lang: ReaderLanguage = None) -> DocumentView:
    """The whole document: bibliographic data, abstract, claims with their dependency tree,
    description, legal status with its evidence, its family members and the corpus's documents that
    cite it. `pn` is read with any punctuation (`US 7,654,321 B2`, `US7654321B2`); 404 when it is not
    in the corpus."""
    response.headers.update(VARY)
    return search.document(pn, lang)


@router.get("/{pn}/similar", summary="Patents similar to one document", response_model=list[Hit])
def similar(search: SearchServiceDep, pn: str, response: Response, size: Annotated[int, Query(ge=1, le=50)] = 10,
            lang: ReaderLanguage = None) -> list[Hit]:
    """Up to `size` documents like `pn`, ranked the same on both backends: shared words of title,
    abstract and claims (not the boilerplate description), shared classification and citations.
    Each hit's `likeness` says why. Never the document itself nor its family; a document with no
    text, classification or citations to compare has none (an empty list)."""
    response.headers.update(VARY)
    return search.similar(pn, size, lang)
