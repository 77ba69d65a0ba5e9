"""The public catalogue of registered works (作品检索) and the registry's statistics, in Chinese
and English.

The catalogue translates its query string into one call of ``copyright.catalogue.search_works``:
filters by title, author, type, registration dates and status, newest first, a page at a time,
with counts per type and status. Each number links to the work's public record; files are never
offered (a work registered with its file links to its certificate, a hash-only work to nothing).
A value the form would not send (an unknown type, a date that is not one, a negative start)
answers 422 with the form again and the fields named.

The statistics page draws ``copyright.service.stats`` as charts (``app.js``, ECharts) with
tables holding the same numbers, which are what a reader without the charts gets.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from api.i18n import N_
from api.pages.context import Page, PageDep
from api.pages.errors import error_home
from copyright import catalogue, service
from copyright.models import WORK_TYPE_LABELS, RegistrationStatus, WorkType
from copyright.schemas import MAX_START, PUBLIC_STATUSES, WorksPage, WorksQuery
from core.i18n import Language, Listed

# an error on the copyright pages leads back to the register: a registration that does not exist is
# looked for again there, not in the patent search
TO_THE_REGISTER = Depends(error_home("/copyright/works", N_("Search the registered works")))
router = APIRouter(include_in_schema=False, dependencies=[TO_THE_REGISTER])
PER_PAGE = 20
Param = Annotated[str, Query(max_length=500)]

# a status is named by its own value, translated ("registered" 已登记): "Registered" is a column heading
STATUS_NAMES = {status.value: status.value for status in RegistrationStatus}
LICENCE_NAMES = {"exclusive": N_("Exclusive licence"), "non_exclusive": N_("Non-exclusive licence"),
                 "creative_commons": N_("Creative Commons licence")}
# the catalogue's query-string names, in the order of the form, with what the form calls them
FIELD_NAMES = {"title": N_("Title"), "author": N_("Author"), "type": N_("Work type"),
               "from": N_("Registered from"), "to": N_("Registered until"), "status": N_("Status")}


def type_names(lang: Language) -> dict[str, str]:
    """Work type -> its name in the reader's language, in the order of the law's list."""
    return {kind.value: WORK_TYPE_LABELS[kind][1 if lang is Language.zh else 0] for kind in WorkType}


# --- the catalogue -------------------------------------------------------------------------------

def _link(filters: dict[str, str], **changes: str | int) -> str:
    """The catalogue with ``filters`` changed by ``changes`` (an empty value drops the filter)."""
    merged = {**filters, **{k: str(v) for k, v in changes.items()}}
    kept = {k: v for k, v in merged.items() if v and not (k == "start" and v == "0")}
    return "/copyright/works" + (f"?{urlencode(kept)}" if kept else "")


def _refusal(page: Page, exc: ValidationError) -> str:
    """Which fields of the form hold a value that does not fit, in the reader's language."""
    named = {str(e["loc"][0]) for e in exc.errors() if e["loc"]} & set(FIELD_NAMES)
    fields = [page.gettext(label) for key, label in FIELD_NAMES.items() if key in named]
    return page.gettext("Check these fields and search again: %(fields)s",
                        fields=Listed(fields).in_language(page.lang) or page.gettext(FIELD_NAMES["title"]))


def _pager(filters: dict[str, str], found: WorksPage) -> dict[str, str | None]:
    previous = max(found.start - found.limit, 0) if found.start > 0 else None
    following = found.start + found.limit if found.start + found.limit < found.total else None
    return {"previous": None if previous is None else _link(filters, start=previous),
            "next": None if following is None else _link(filters, start=following),
            "first": _link(filters, start=0)}


def _position(start: str) -> dict[str, int]:
    """The list's position from the address, brought within the list's reach: a hand-edited -1 or 99999
    opens the first page or the last (``search_works``), as a collection does, and anything else the
    first; the form has no such field to name in a refusal (it said "Page", the works gone)."""
    typed = start.strip()
    return {"start": min(max(int(typed), 0), MAX_START)} if re.fullmatch(r"-?[0-9]{1,12}", typed) else {}


@router.get("/copyright/works", response_class=HTMLResponse)
def works_page(page: PageDep, title: Param = "", author: Param = "",
               work_type: Annotated[str, Query(alias="type", max_length=500)] = "",
               registered_from: Annotated[str, Query(alias="from", max_length=500)] = "",
               registered_to: Annotated[str, Query(alias="to", max_length=500)] = "", status: Param = "",
               start: Param = "") -> HTMLResponse:
    """Blank fields (a submitted form sends every field) are no filter."""
    typed = {"title": title, "author": author, "type": work_type, "from": registered_from, "to": registered_to,
             "status": status}
    filters = {k: v.strip() for k, v in typed.items() if v.strip()}
    context: dict[str, Any] = {"form": typed, "types": type_names(page.lang), "statuses": STATUS_NAMES,
                               "public_statuses": [s.value for s in PUBLIC_STATUSES], "found": None, "error": None,
                               "filtered": bool(filters)}
    try:
        query = WorksQuery.model_validate(filters | _position(start) | {"limit": PER_PAGE})
    except ValidationError as exc:
        return page.render("copyright_works.html", 422, **context | {"error": _refusal(page, exc)})
    found = catalogue.search_works(page.session, query, last_page_if_past=True)
    type_links = {kind: _link(filters, type=kind, start=0) for kind in found.facets.work_type}
    status_links = {value: _link(filters, status=value, start=0) for value in found.facets.status}
    return page.render("copyright_works.html", **context | {
        "found": found, "pager": _pager(filters, found), "type_links": type_links, "status_links": status_links,
        "clear_type": _link(filters, type="", start=0), "clear_status": _link(filters, status="", start=0)})


# --- statistics ----------------------------------------------------------------------------------

@router.get("/copyright/stats", response_class=HTMLResponse)
def stats_page(page: PageDep) -> HTMLResponse:
    """Four charts, each with a table of the same numbers: (label, count) pairs in the reader's
    language. The month chart is a time axis (``data-chart-axis="time"``: vertical bars in order);
    the others are horizontal bars, largest first."""
    stats = service.stats(page.session)
    names = type_names(page.lang)
    by_type = sorted(((names[k], n) for k, n in stats.by_work_type.items()), key=lambda p: (-p[1], p[0]))
    by_status = sorted(((page.gettext(STATUS_NAMES[k]), n) for k, n in stats.by_status.items()),
                       key=lambda p: -p[1])
    by_licence = [(page.gettext(LICENCE_NAMES[k]), n) for k, n in stats.by_licence_type.model_dump().items()]
    charts = {"by_work_type": by_type, "by_month": list(stats.by_month.items()), "by_status": by_status,
              "by_licence_type": by_licence if any(n for _, n in by_licence) else []}
    return page.render("copyright_stats.html", charts=charts, registrations=sum(stats.by_status.values()),
                       licences=sum(n for _, n in by_licence))
