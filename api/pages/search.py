"""The search workbench: query box and guided builder, facets that add and remove filters, sort,
previous and next pages, numbered search history with combination, help when nothing matched,
export, and the patent page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.i18n import N_
from api.pages.context import CheckedPageDep, Page, PageDep
from api.pages.downloads import dated, download
from api.pages.field_help import FIELD_HELP, OPERATOR_HELP
from api.pages.patent import render_patent
from core.errors import InvalidInput
from ipsearch import history
from ipsearch.query.parser import MAX_QUERY_CHARS, QuerySyntaxError
from ipsearch.query.render import narrowed
from ipsearch.results import ExportFormat, FacetBucket, Grouping, SortMode
from ipsearch.service import MAX_EXPORT, SearchResult
from ipsearch.suggest import ZeroResultHelp, widening, zero_result_help

router = APIRouter(include_in_schema=False)
FACETS = ["ipc_subclass", "applicant", "country", "year", "kind"]
# facet -> how a value becomes a query clause
FACET_CLAUSE = {"ipc_subclass": "IPC={}", "applicant": 'OWNER="{}"', "country": "CC={}", "year": "PD={}",
                "kind": "KIND={}"}
# a facet's heading: "applicant" lists each document's owners (its assignees, else its applicants),
# which a patent page names apart ("Applicant Shi, Wei", "Assignee Bridgelux, Inc.")
FACET_TITLES = {"ipc_subclass": N_("ipc_subclass"), "applicant": N_("Applicant/assignee"), "country": N_("country"),
                "year": N_("year"), "kind": N_("kind")}
FACET_SHOWN = 8  # values a facet shows at once; the rest it lists folded under "more"
PAGE_SIZE = 20
Filters = Annotated[list[str], Query(max_length=20)]


@dataclass(frozen=True)
class FacetList:
    """What a facet shows: its first values, and the rest folded away."""

    shown: list[FacetBucket]
    more: list[FacetBucket]
    more_chosen: bool  # a folded value is one of the search's filters: the fold opens


def facet_lists(facets: dict[str, list[FacetBucket]], filters: list[str]) -> dict[str, FacetList]:
    """Each facet's values in the backend's order (the largest first; years newest first, so the
    eight shown are the latest) with those past the eighth folded."""
    out: dict[str, FacetList] = {}
    for name, buckets in facets.items():
        if buckets:
            more = buckets[FACET_SHOWN:]
            chosen = any(FACET_CLAUSE[name].format(b.value) in filters for b in more)
            out[name] = FacetList(shown=buckets[:FACET_SHOWN], more=more, more_chosen=chosen)
    return out


# Far above the query language's own limit (MAX_QUERY_CHARS), so an over-long query pasted in the
# box is refused by the parser, which says how long a query may be; this bounds only the address.
PAGE_QUERY_CHARS = 16 * MAX_QUERY_CHARS


def _expand_sets(page: Page, q: str) -> str:
    if not history.is_combination(q):
        return q
    if page.user is None:
        raise InvalidInput("log in to combine the sets of your search history")
    return history.expand(page.session, page.user, q)


def _search(page: Page, q: str, filters: list[str], sort: SortMode, cursor: str | None,
            group: Grouping) -> dict[str, object]:
    search = page.platform.search
    typed = _expand_sets(page, q)
    query = narrowed(typed, filters)
    result: SearchResult = search.search(query, size=PAGE_SIZE, sort=sort, facets=FACETS, cursor=cursor, group=group,
                                         claims=True, lang=page.lang.value)
    help_: ZeroResultHelp | None = zero_result_help(search, query) if result.total == 0 else None
    # a first page that found something, with a part that has equivalents: offer them too
    widen = widening(search, typed, filters, result.documents) if result.total and cursor is None and typed else None
    current = None
    if page.user is not None and cursor is None:
        current = history.record(page.writer(), query, result.documents)
    return {"result": result, "facets": facet_lists(result.facets, filters), "help": help_, "widen": widen,
            "current_set": current, "query": query}


@router.get("/search", response_model=None)
def search_address(request: Request) -> RedirectResponse:
    """The address people guess for searching (/search?q=led met a 404): the search page, same query."""
    query = request.url.query
    return RedirectResponse("/" + (f"?{query}" if query else ""), status_code=308)


@router.get("/", response_class=HTMLResponse)
def search_page(page: PageDep, q: Annotated[str, Query(max_length=PAGE_QUERY_CHARS)] = "", f: Filters = [],  # noqa: B006
                sort: SortMode = SortMode.relevance, cursor: Annotated[str | None, Query(max_length=4096)] = None,
                trail: Annotated[str, Query(max_length=40000)] = "", group: Grouping = Grouping.document,
                welcome: Annotated[str, Query(max_length=10)] = "") -> HTMLResponse:
    """``welcome=1``: just signed up (a new account landed here with no word that it was made); any
    other value is no welcome, not a refusal of the home page."""
    context: dict[str, object] = {"q": q, "filters": f, "sort": sort.value, "trail": trail, "cursor": cursor,
                                  "group": group.value, "facet_clause": FACET_CLAUSE,
                                  "facet_titles": FACET_TITLES, "max_export": MAX_EXPORT, "result": None,
                                  "field_help": FIELD_HELP, "operator_help": OPERATOR_HELP,
                                  "error": None, "welcome": welcome == "1" and page.user is not None}
    if q.strip() or f:
        try:
            context.update(_search(page, q, f, sort, cursor, group))
        except QuerySyntaxError as exc:
            context["error"] = "\n".join(part for part in (page.explain(exc), exc.pointer()) if part)
        except InvalidInput as exc:
            context["error"] = page.explain(exc)
    if page.user is not None:
        context["sets"] = history.history(page.session, page.user)
    return page.render("search.html", 400 if context["error"] else 200, **context)


@router.post("/history/clear", response_model=None)
def clear_history(page: CheckedPageDep) -> Response:
    history.clear(page.writer())
    return page.redirect("/")


@router.get("/export", response_model=None)
def export(page: PageDep, q: Annotated[str, Query(min_length=1, max_length=PAGE_QUERY_CHARS)], f: Filters = [],  # noqa: B006
           format: ExportFormat = ExportFormat.csv, sort: SortMode = SortMode.relevance,
           limit: Annotated[int, Query(ge=1, le=MAX_EXPORT)] = 1000, group: Grouping = Grouping.document,
           ) -> Response:
    """CSV with a byte-order mark (so Excel reads Chinese) or JSON Lines, with a file name; one row
    per document or per family, as the results were shown, titled in the page's language."""
    query = narrowed(_expand_sets(page, q), f)
    rows = page.platform.search.export(query, format, limit, sort, group, page.lang.value)
    return download(rows, format, dated("ipcommons"), page.gettext)


@router.get("/patent/{pn}", response_class=HTMLResponse)
def patent_page(page: PageDep, pn: str, added: Annotated[int | None, Query(ge=1)] = None,
                created: Annotated[int, Query(ge=0, le=1)] = 0,
                note_gone: Annotated[int | None, Query(ge=1)] = None) -> HTMLResponse:
    """``added``: the collection the document was just added to, said beside it (a number only);
    ``created=1``: that collection was just made with it; ``note_gone``: the collection whose note
    its panel deleted had been deleted already."""
    return render_patent(page, pn, added=added, created=bool(created), note_gone=note_gone)


@router.post("/search/combine", response_model=None)
def combine(page: CheckedPageDep, expression: Annotated[str, Form(max_length=PAGE_QUERY_CHARS)] = "") -> Response:
    """``#1 AND #3 NOT #2`` from the history panel: searched like a typed query, so the search page
    says what does not fit (a set not in the history, one too long for the query language); nothing
    typed is the search page as it was (each was a whole page of 422)."""
    return page.redirect("/?" + urlencode({"q": expression.strip()}) if expression.strip() else "/#history")
