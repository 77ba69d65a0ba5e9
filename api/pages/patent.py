"""The patent page: the document, its similar patents, and its collections panel. Rendered by the
search pages' route and again, with a refusal beside a collection's form, by the collection
pages' tag and note writes sent from it."""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse

from api.i18n import N_
from api.pages.context import Page
from api.pages.messages import LEGAL_EVENT_CODES, LEGAL_EVENT_KINDS, LEGAL_EVIDENCE, SOURCE_FORMATS
from ipsearch.collections import service
from ipsearch.similar import CitationLink, ClassLevel

# Why a similar patent is listed, in words (ipsearch.similar.Likeness)
LIKENESS_CLASS = {ClassLevel.group: N_("same group %(code)s"), ClassLevel.subclass: N_("same subclass %(code)s"),
                  ClassLevel.locarno_subclass: N_("same Locarno subclass %(code)s"),
                  ClassLevel.locarno_class: N_("same Locarno class %(code)s"),
                  ClassLevel.us_class: N_("same US class %(code)s"), ClassLevel.ipc_class: N_("same class %(code)s"),
                  ClassLevel.section: N_("same section %(code)s")}
LIKENESS_CITATION = {CitationLink.cites: N_("cites this patent"), CitationLink.cited: N_("cited by this patent")}


def render_patent(page: Page, pn: str, status_code: int = 200, added: int | None = None, created: bool = False,
                  refused: dict[str, Any] | None = None, note_gone: int | None = None) -> HTMLResponse:
    """The patent page; ``refused``: a tag or note its collections panel sent that was refused
    (``collection``, ``error``, ``typed``), said beside that collection's form, what was typed kept."""
    search = page.platform.search
    view = search.document(pn, page.lang.value)
    similar = search.similar(view.pn, 6, lang=page.lang.value)
    return page.render("patent.html", status_code, pn=view.pn, doc=view.model_dump(), similar=similar,
                       likeness_class=LIKENESS_CLASS, likeness_citation=LIKENESS_CITATION,
                       source_formats=SOURCE_FORMATS, event_kinds=LEGAL_EVENT_KINDS, event_codes=LEGAL_EVENT_CODES,
                       evidence_words=LEGAL_EVIDENCE,
                       added=added, created=created, refused=refused or {}, note_gone=note_gone,
                       **patent_panel(page, view.pn))


def patent_panel(page: Page, pn: str) -> dict[str, Any]:
    """The collections I may add ``pn`` to and, for those holding it, its tags and notes there."""
    if page.user is None:
        return {"my_collections": None, "holding": []}
    holding = service.holding(page.session, page.user, pn)
    held = {h.collection.id for h in holding}
    mine = [c for c in service.collections_of(page.session, page.user) if c.editable and c.id not in held]
    return {"my_collections": mine, "holding": holding}
