"""The search service: parse, compile for the configured backend, page, highlight, export."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
import secrets
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel, Field

from core.errors import NotFound
from core.i18n import Listed, Quoted
from ipsearch.analysis import Analyzer, get_analyzer
from ipsearch.backends import SearchBackend
from ipsearch.backends.base import StoredClaims
from ipsearch.highlight import MARKED_FIELDS, NO_MARKS, FieldMarks, Marks, highlight
from ipsearch.history import SET_REFERENCE
from ipsearch.model import normalise_pn, parse_publication_number
from ipsearch.names import harmonise_name
from ipsearch.query.ast import TEXT_FIELDS, And, Keyword, Node, Not, Or, Phrase, Term, any_keyword, leaves
from ipsearch.query.parser import parse_query, walk
from ipsearch.query.plan import Planner
from ipsearch.results import (
    FACETS,
    Cursor,
    ExportFormat,
    FacetBucket,
    Grouping,
    RawHit,
    SearchParams,
    SearchRequestError,
    SortMode,
    decode_cursor,
    encode_cursor,
    titles_of,
)
from ipsearch.similar import Likeness
from ipsearch.similar import similar as find_similar

MAX_EXPORT = 50_000
MAX_FAMILY_SHOWN = 500
MEMBERS_PER_ROW = 20  # family members listed under a family row
MAX_OWNER_NAMES = 50_000  # applicant names kept per process (then forgotten and found again)
MAX_CITED_LOOKUP = 500  # cited numbers looked up in the corpus for one document page
KINDS_PER_NUMBER = 10  # publications of one number read for a citation (A1, A2, B1, …: a handful)
EXPORT_COLUMNS = ["pn", "title", "publication_date", "filing_date", "country", "kind", "applicants", "ipc"]


class FamilyMember(BaseModel):
    pn: str
    country: str | None = None
    kind: str | None = None
    publication_date: str | None = None
    title: str | None = None
    titles: dict[str, str] = Field(default={}, exclude=True)  # by language, to title it in the reader's


# What a family member or a citing document shows (``title``: in the reader's language from ``doc.titles``).
MEMBER_FIELDS = ["country", "kind", "publication_date", "title", "doc.titles"]


def _member(row: dict[str, Any]) -> FamilyMember:
    return FamilyMember.model_validate(row | {"titles": titles_of(row)})


def _file_name(source: str | None) -> str | None:
    """The file a document was loaded from, without the server's folders: ``EP16713924NWA1.xml``,
    or ``weekly.zip!doc.xml`` for a member of an archive (the loader records the whole path)."""
    if not source:
        return source
    archive, bang, member = source.partition("!")
    return PurePath(archive).name + bang + (PurePath(member).name if bang else "")


def language_of(tag: str) -> str:
    """The language of a language tag: its first subtag (zh-CN and zh_Hans are zh)."""
    return re.split(r"[-_]", tag, maxsplit=1)[0].lower()


class ClaimMatch(BaseModel):
    """Why a hit whose title and abstract show no match is there: the first claim that matches."""

    number: int
    lang: str
    fragment: str = Field(description="HTML: the claim's text around its first match, matches in <mark>")


class Hit(BaseModel):
    pn: str
    title: str = Field(description="in the reader's language (``lang``) where the document has a title in it, "
                                   "else in English first")
    titles: dict[str, str] = Field(default={}, description="every title of the document, by language")
    synthetic: bool = Field(default=False, description="a synthetic document (demo, benchmarks), not a publication")
    score: float
    publication_date: str | None = None
    filing_date: str | None = None
    country: str | None = None
    kind: str | None = None
    doc_kind: str | None = None
    applicants: list[str] = []
    ipc: list[str] = []
    highlights: dict[str, str] = {}
    claim: ClaimMatch | None = Field(default=None, description="the first claim that matches, where the title and "
                                     "abstract show no match (search pages only)")
    found_in_body: bool = Field(default=False, description=(
        "the query searches text only and neither the title nor the abstract (nor a claim shown) "
        "holds its words: they are in the claims or the description"))
    family_id: str | None = None
    family: list[FamilyMember] = Field(default=[], description="one row per family: the family's other documents")
    likeness: Likeness | None = Field(default=None, description="in a list of similar patents: what this one has in "
                                      "common with the patent (its title marks the shared words)")


class SearchResult(BaseModel):
    total: int = Field(description="matching documents, or matching families when grouped by family")
    documents: int = Field(description="matching documents")
    group: Grouping = Grouping.document
    hits: list[Hit]
    facets: dict[str, list[FacetBucket]] = {}
    next_cursor: str | None = None
    backend: str
    took_ms: float


class ClaimNode(BaseModel):
    number: int
    dependants: list[ClaimNode] = []


class LegalSummary(BaseModel):
    """Is it in force? The derived status with its evidence, and where the expiry date comes from."""

    status: str = Field(description="pending, in_force, lapsed, expired or unknown (as of indexing)")
    since: str | None = Field(default=None, description="the date of the event that is the evidence")
    code: str | None = Field(default=None, description="the evidence event's code")
    expiry_date: str | None = None
    expiry_basis: str | None = Field(default=None, description="event: from a legal event; estimate: statutory term")


class DocumentView(BaseModel):
    pn: str
    document: dict[str, Any] = Field(description="the normalised document (see ipsearch.model.PatentDocument)")
    claim_tree: dict[str, list[ClaimNode]] = Field(description="per language: independent claims and dependants")
    family_id: str | None = Field(default=None, description="DOCDB family id, else computed (ipsearch.families)")
    family: list[FamilyMember] = Field(default=[], description="the other documents of its family in the corpus")
    cited_by: list[FamilyMember] = Field(default=[], description="documents of the corpus that cite it, newest first")
    cited_in_corpus: dict[str, str] = Field(default={}, description="its cited publications the corpus holds: each "
                                            "to the document it leads to (itself, else the latest of its number)")
    legal: LegalSummary


class SearchService:
    def __init__(self, backend: SearchBackend, analyzer: Analyzer | None = None, secret: str | None = None) -> None:
        """``secret`` signs the cursors handed out; every process serving one platform must share
        it (without one, cursors hold only within this instance: a CLI command, a task)."""
        self.backend = backend
        self.analyzer = analyzer or get_analyzer()
        self._owner_names: dict[str, str] = {}  # applicant facet key -> the name it is written with
        base = secret.encode() if secret is not None else secrets.token_bytes(32)
        self._cursor_key = hmac.new(base, b"ipcommons search cursors", hashlib.sha256).digest()

    def plan(self, q: str) -> tuple[Node, Planner]:
        if (reference := SET_REFERENCE.search(q)) is not None:  # the pages write sets out before searching
            raise SearchRequestError.said("%(ref)s names a set of a search history: sets are combined on the search "
                                          "page, logged in", ref=reference.group(0))
        node = parse_query(q)
        return node, Planner(self.analyzer, self.backend, q)

    def search(self, q: str, size: int = 20, sort: SortMode = SortMode.relevance, facets: list[str] | None = None,
               cursor: str | None = None, group: Grouping = Grouping.document, marked: bool = True,
               claims: bool = False, lang: str | None = None) -> SearchResult:
        """One page of hits for ``q``; ``marked=False`` leaves out the highlights (an export shows
        none, and marking up its pages of 500 abstracts took a quarter of their time). ``claims``
        adds, when the query searches ``CL=``, the first claim that matches to each hit whose title
        and abstract show no match: what the claims search found (one more lookup, for the pages).
        ``lang`` is the reader's language: a hit whose document has a title in it shows that one."""
        start = time.perf_counter()
        node, planner = self.plan(q)
        for name in facets or []:
            if name not in FACETS:
                raise SearchRequestError.said("unknown facet %(value)s; known: %(known)s", value=Quoted(name),
                                              known=Listed(FACETS))
        params = SearchParams(size=size, sort=sort, facets=facets or [])
        if cursor:
            at = self._cursor(cursor, q, sort, group)
            params.after, params.pit, params.shown = at.after or None, at.pit, at.shown
        marks = self.query_marks(node, planner) if marked else {}
        rows = self._family_rows if group is Grouping.family else self._document_rows
        result, more = rows(node, planner, params, marks)
        if claims and marked and _searches_claims(node):
            self._show_claims(result.hits, marks.get("cl", NO_MARKS))
        if marked and _searches_text_only(node):  # say why a row showing no match is there
            for hit in result.hits:
                hit.found_in_body = not hit.highlights and hit.claim is None
        if lang:
            self._in_language(result.hits, lang, marks)
        self._label_owners(result.facets.get("applicant", []))
        if more is not None:  # where the next page starts
            result.next_cursor = encode_cursor(Cursor(query=_digest(q), sort=sort, group=group, **more),
                                               self._cursor_key)
        result.took_ms = round((time.perf_counter() - start) * 1000, 2)
        return result

    def _label_owners(self, buckets: list[FacetBucket]) -> None:
        """Name each applicant bucket as its documents write it: the facet counts harmonised keys
        (one bucket for 'ASML Holding N.V.' and 'ASML HOLDING NV'), which read badly. Names are
        kept per process once found; a key no document writes differently is its own label."""
        known = self._owner_names  # shared by the request threads: read once, changed by whole updates
        missing = [b.value for b in buckets if b.value not in known]
        found = self._written_names(missing) if missing else {}
        for bucket in buckets:
            bucket.label = found.get(bucket.value) or known.get(bucket.value)
        if found:
            if len(known) > MAX_OWNER_NAMES:
                known.clear()
            known.update(found)

    def _written_names(self, keys: list[str]) -> dict[str, str]:
        """For each owner key, the name its documents write most often: one query over a sample of
        them all, then one per key the sample missed (a large owner can fill the sample)."""
        wanted = set(keys)
        seen: dict[str, Counter[str]] = {key: Counter() for key in keys}

        def read(node: Node, size: int) -> None:
            for row in self._lookup(node, [], size, ["owners"]):
                for name in row.get("owners") or []:
                    if (key := harmonise_name(name)) in wanted:
                        seen[key][name] += 1

        read(any_keyword("OWNER", keys), len(keys) * 10)
        for key in [k for k, names in seen.items() if not names]:
            read(Keyword("OWNER", key), 10)
        return {key: names.most_common(1)[0][0] if names else key for key, names in seen.items()}

    def _lookup(self, node: Node, sort: list[tuple[str, str]], size: int, fields: list[str]) -> list[dict[str, Any]]:
        """``top_docs`` for a query the service builds itself (families, citations, numbers, names)."""
        return self.backend.top_docs(node, Planner(self.analyzer, self.backend, ""), sort, size, fields)

    def _cursor(self, token: str, q: str, sort: SortMode, group: Grouping) -> Cursor:
        at = decode_cursor(token, self._cursor_key)
        if (at.query, at.sort, at.group) != (_digest(q), sort, group):
            raise SearchRequestError("this cursor belongs to another query, sort order or grouping")
        return at

    def _document_rows(self, node: Node, planner: Planner, params: SearchParams,
                       marks: FieldMarks) -> tuple[SearchResult, dict[str, Any] | None]:
        page = self.backend.run_search(node, planner, params)
        shown = params.shown + len(page.hits)
        more = None
        if page.hits and len(page.hits) == params.size and shown < page.total:
            more = {"shown": shown, "after": page.hits[-1].sort, "pit": page.pit}
        return SearchResult(total=page.total, documents=page.total, hits=[self._hit(h, marks) for h in page.hits],
                            facets=page.facets, backend=self.backend.kind, took_ms=0), more

    def _family_rows(self, node: Node, planner: Planner, params: SearchParams,
                     marks: FieldMarks) -> tuple[SearchResult, dict[str, Any] | None]:
        """One row per family: the best-ranked member of each, in rank order, with the others
        listed. Rows are read from the top of the ranking each time (the cursor is an offset), so a
        family never appears twice however far one pages."""
        found = self.backend.family_heads(node, planner, params)
        hits = [self._hit(h, marks) for h in found.heads]
        members = self._families([h.family_id for h in hits if h.family_id])
        for hit in hits:
            hit.family = [m for m in members.get(hit.family_id or "", []) if m.pn != hit.pn][:MEMBERS_PER_ROW]
        more = {"shown": params.shown + len(hits)} if found.more else None
        return SearchResult(total=found.families, documents=found.documents, group=Grouping.family, hits=hits,
                            facets=found.facets, backend=self.backend.kind, took_ms=0), more

    def _families(self, family_ids: list[str]) -> dict[str, list[FamilyMember]]:
        """Members of each family in the corpus, oldest publication first (one query for a page)."""
        if not family_ids:
            return {}
        rows = self._lookup(any_keyword("FAM", family_ids), [("publication_date", "asc")],
                            len(family_ids) * (MEMBERS_PER_ROW + 1), ["family_id", *MEMBER_FIELDS])
        out: dict[str, list[FamilyMember]] = {}
        for row in rows:
            out.setdefault(row["family_id"], []).append(_member(row))
        return out

    def matching_ids(self, q: str, limit: int = 1_000_000) -> set[str]:
        node, planner = self.plan(q)
        return set(self.backend.run_ids(node, planner, limit))

    def query_marks(self, node: Node, planner: Planner) -> FieldMarks:
        """What to mark in the title, the abstract and the claims: the positive words and phrases
        searched in each (``TI=`` marks the title alone, ``CL=`` the claims alone, ``PA=`` none),
        phrases as phrases."""
        negated = {id(leaf) for n in walk(node) if isinstance(n, Not) for leaf in leaves(n.item)}
        words: dict[str, set[str]] = {field: set() for field in MARKED_FIELDS}
        phrases: dict[str, set[tuple[str, ...]]] = {field: set() for field in MARKED_FIELDS}
        for leaf in leaves(node):
            if id(leaf) in negated or not isinstance(leaf, Term | Phrase):
                continue
            fields = [field for field in TEXT_FIELDS[leaf.field] if field in MARKED_FIELDS]
            if isinstance(leaf, Term) and leaf.is_wildcard:
                for field in fields:
                    words[field].update(planner.expand(leaf))
            elif len(tokens := planner.tokens(leaf)) > 1:  # searched as a phrase
                for field in fields:
                    phrases[field].add(tuple(tokens))
            else:
                for field in fields:
                    words[field].update(tokens)
        return {field: Marks(frozenset(words[field]), frozenset(phrases[field])) for field in MARKED_FIELDS}

    def _show_claims(self, hits: list[Hit], marks: Marks) -> None:
        bare = [hit for hit in hits if not hit.highlights]
        if not bare or not (marks.words or marks.phrases):
            return
        stored = self.backend.stored_claims([hit.pn for hit in bare])
        for hit in bare:
            if (found := stored.get(hit.pn)) is not None:
                hit.claim = self._first_marked_claim(found, marks)

    def _first_marked_claim(self, stored: StoredClaims, marks: Marks) -> ClaimMatch | None:
        """The first claim with a match, in the document's own language first."""
        langs = sorted(stored["claims"], key=lambda lang: lang != stored["lang"])
        for lang in langs:
            for claim in stored["claims"][lang]:
                if (fragment := highlight(claim.get("text") or "", marks, self.analyzer, True)) is not None:
                    return ClaimMatch(number=claim["number"], lang=lang, fragment=fragment)
        return None

    def _in_language(self, hits: list[Hit], lang: str, marks: FieldMarks) -> None:
        """Each hit and the family members under it titled in the reader's language where its
        document has a title in it (a Chinese reader sees a CN patent's own title, not its English
        translation), marked up again. ``lang`` is a language tag: its language alone counts."""
        lang = language_of(lang)
        for hit in hits:
            _retitle(hit.family, lang)
            title = hit.titles.get(lang)
            if not title or title == hit.title:
                continue
            hit.title = title
            hit.highlights.pop("title", None)
            if (marked := highlight(title, marks.get("ti", NO_MARKS), self.analyzer, False)) is not None:
                hit.highlights["title"] = marked

    def _hit(self, raw: RawHit, marks: FieldMarks) -> Hit:
        src = raw.source
        shown = {name: marked for name, field, fragment in (("title", "ti", False), ("abstract", "ab", True))
                 if (marked := highlight(src.get(name) or "", marks.get(field, NO_MARKS), self.analyzer,
                                         fragment)) is not None}
        # Built without validation: every value was validated when the document was indexed, and 20
        # hits checked again field by field were a tenth of the service's own time per search.
        return Hit.model_construct(
            pn=raw.pn, title=src.get("title") or "", titles=titles_of(src), score=round(raw.score, 6),
            publication_date=src.get("publication_date"), filing_date=src.get("filing_date"),
            country=src.get("country"), kind=src.get("kind"), doc_kind=src.get("doc_kind"),
            applicants=src.get("owners") or [], ipc=src.get("ipc") or [], highlights=shown, claim=None,
            found_in_body=False, family_id=src.get("family_id"), family=[], synthetic=bool(src.get("synthetic")))

    # --- documents -------------------------------------------------------------------------
    def document(self, pn: str, lang: str | None = None) -> DocumentView:
        """The full normalised document plus its claim tree (independent claims with dependants);
        its family members and the documents citing it titled in ``lang`` (as for ``search``)."""
        record = self.backend.get(normalise_pn(pn)) or self._latest_of_number(pn)
        if record is None:
            raise NotFound.said("%(pn)s is not in the corpus", pn=pn)
        doc = record["doc"] | {"source_file": _file_name(record["doc"].get("source_file"))}
        trees = {}
        for claims_lang, claims in doc.get("claims", {}).items():
            children: dict[int, list[int]] = {}
            for c in claims:
                for parent in c.get("refers_to", [])[:1]:
                    children.setdefault(parent, []).append(c["number"])
            trees[claims_lang] = [{"number": c["number"], "dependants": _descendants(c["number"], children)}
                           for c in claims if c.get("independent")]
        family, citing = self._family(record["pn"], record.get("family_id")), self._citing(record["pn_base"])
        if lang:
            _retitle(family + citing, language_of(lang))
        return DocumentView.model_validate({"pn": record["pn"], "document": doc, "claim_tree": trees,
                                             "family_id": record.get("family_id"), "family": family,
                                             "cited_by": citing,
                                             "cited_in_corpus": self._cited_in_corpus(doc.get("citations", [])),
                                             "legal": LegalSummary(
                                                 status=record.get("legal_status") or "unknown",
                                                 since=record.get("legal_status_date"),
                                                 code=record.get("legal_status_code"),
                                                 expiry_date=record.get("expiry_date"),
                                                 expiry_basis=record.get("expiry_basis"))})

    def _family(self, pn: str, family_id: str | None) -> list[FamilyMember]:
        """The other members of the family, oldest publication first."""
        if not family_id:
            return []
        rows = self._lookup(Keyword("FAM", family_id), [("publication_date", "asc")], MAX_FAMILY_SHOWN, MEMBER_FIELDS)
        return [_member(row) for row in rows if row["pn"] != pn]

    def _cited_in_corpus(self, citations: list[dict[str, Any]]) -> dict[str, str]:
        """Where each cited publication the corpus holds leads: to itself, else to the latest
        publication of its number (a citation often names another kind). One query; citations
        past MAX_CITED_LOOKUP are not looked up."""
        by_base: dict[str, list[str]] = {}
        for pn in dict.fromkeys(c["pn"] for c in citations if c.get("pn")):
            try:
                number = parse_publication_number(pn)
            except ValueError:  # shown as cited, without a link
                continue
            by_base.setdefault(number.country + number.number, []).append(pn)
        bases = list(by_base)[:MAX_CITED_LOOKUP]
        if not bases:
            return {}
        rows = self._lookup(any_keyword("PN", bases), [("publication_date", "desc")],
                            len(bases) * KINDS_PER_NUMBER, ["pn_base"])
        held = {row["pn"] for row in rows}
        latest: dict[str, str] = {}
        for row in rows:
            latest.setdefault(row["pn_base"], row["pn"])
        return {pn: pn if pn in held else latest[base] for base in bases if base in latest for pn in by_base[base]}

    def held_number(self, typed: str) -> str | None:
        """The corpus's number for a typed one (``InvalidInput`` when it is none): itself when the
        corpus holds it, else, typed without its kind (EP1000000), the latest publication of that
        number, as the patent page opens it; None when the corpus has no publication of it."""
        pn = normalise_pn(typed)
        if self.backend.get(pn) is not None:
            return pn
        return self._latest_number(pn)

    def _latest_number(self, pn: str) -> str | None:
        """A number typed without its kind (US8089085): the latest publication of that number."""
        rows = self._lookup(Keyword("PN", normalise_pn(pn)), [("publication_date", "desc")], 1, ["publication_date"])
        return str(rows[0]["pn"]) if rows else None

    def _latest_of_number(self, pn: str) -> dict[str, Any] | None:
        latest = self._latest_number(pn)
        return self.backend.get(latest) if latest is not None else None

    def _citing(self, pn_base: str) -> list[FamilyMember]:
        """Forward citations within the corpus (``CITES=``: by country and number), newest first."""
        rows = self._lookup(Keyword("CITES", pn_base), [("publication_date", "desc")], MAX_FAMILY_SHOWN,
                            MEMBER_FIELDS)
        return [_member(row) for row in rows]

    def similar(self, pn: str, size: int = 10, lang: str | None = None) -> list[Hit]:
        """Documents like ``pn``, ranked the same on both backends (``ipsearch.similar``); never ``pn``
        or its family. A document with nothing to compare (no text, classification or citations)
        has none. ``lang``: as for ``search``."""
        record = self.backend.get(normalise_pn(pn))
        if record is None:
            raise NotFound.said("%(pn)s is not in the corpus", pn=pn)
        hits = []
        for raw, likeness in find_similar(self.backend, record, size):
            marks = {"ti": Marks(words=frozenset(likeness.words))}
            hit = self._hit(raw, marks)
            hit.likeness = likeness
            if lang:
                self._in_language([hit], lang, marks)
            hits.append(hit)
        return hits

    # --- export ----------------------------------------------------------------------------
    def export(self, q: str, fmt: ExportFormat = ExportFormat.csv, limit: int = MAX_EXPORT,
               sort: SortMode = SortMode.relevance, group: Grouping = Grouping.document,
               lang: str | None = None) -> Iterator[str]:
        """Up to ``limit`` rows as CSV or JSON Lines, page by page: documents, or families (the row's
        document plus ``family_members``), titled in ``lang`` as ``search`` titles its hits. The
        query is checked now, so a bad one fails before the first byte is sent."""
        self.plan(q)
        columns = EXPORT_COLUMNS + (["family_id", "family_members"] if group is Grouping.family else [])
        hits = self._export_hits(q, min(max(limit, 1), MAX_EXPORT), sort, group, lang)
        return export_records(hits, fmt, columns)

    def _export_hits(self, q: str, limit: int, sort: SortMode, group: Grouping,
                     lang: str | None) -> Iterator[dict[str, Any]]:
        sent = 0
        cursor = None
        while sent < limit:
            page = self.search(q, size=min(500, limit - sent), sort=sort, cursor=cursor, group=group, marked=False,
                               lang=lang)
            for hit in page.hits:
                row = hit.model_dump(exclude={"highlights", "family"})
                if group is Grouping.family:
                    row["family_members"] = [m.pn for m in hit.family]
                yield row
            sent += len(page.hits)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor


PROSE_FIELDS = frozenset({"TI", "AB", "CL", "DESC", "TXT"})  # the written text; PA, IN, AG are names


def _searches_text_only(node: Node) -> bool:
    """Every word of the query is searched in the text (no applicant, class or date): a hit whose
    title and abstract show none of them has them in its claims or description."""
    found = leaves(node)
    return _searches_something(node) and all(isinstance(leaf, Term | Phrase) and leaf.field in PROSE_FIELDS
                                               for leaf in found)


def _searches_something(node: Node) -> bool:
    """A word the documents must (or may) hold, not only words they must not."""
    if isinstance(node, Not):
        return False
    if isinstance(node, And | Or):
        return any(_searches_something(i) for i in node.items)
    return True


def _retitle(members: list[FamilyMember], lang: str) -> None:
    """Family members or citing documents titled in ``lang`` where they have a title in it."""
    for member in members:
        member.title = member.titles.get(lang) or member.title


def _searches_claims(node: Node) -> bool:
    """The query names the claims (``CL=``): the one case a page looks its hits' claims up. A word
    searched everywhere is mostly found in the description when the title and abstract lack it, and
    reading the claims of every such hit cost a page 1–4 ms to show one now and then."""
    return any(isinstance(leaf, Term | Phrase) and leaf.field == "CL" for leaf in leaves(node))


def _descendants(number: int, children: dict[int, list[int]]) -> list[dict[str, Any]]:
    return [{"number": c, "dependants": _descendants(c, children)} for c in children.get(number, [])]


# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """A CSV cell: lists joined by "; ", and text a spreadsheet would run as a formula (a tag such
    as ``=HYPERLINK(...)``) prefixed with an apostrophe, which Excel and LibreOffice show as text."""
    text = "; ".join(str(v) for v in value) if isinstance(value, list) else "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_row(values: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow(values)
    return buf.getvalue()


def export_records(records: Iterable[dict[str, Any]], fmt: ExportFormat,
                   columns: list[str] = EXPORT_COLUMNS) -> Iterator[str]:
    """The one export writer (search results, collections): CSV with a header of ``columns``,
    lists joined by "; ", or one JSON object per line."""
    if fmt is ExportFormat.csv:
        yield _csv_row(columns)
    for row in records:
        if fmt is ExportFormat.csv:
            yield _csv_row([_cell(row.get(c)) for c in columns])
        else:
            yield json.dumps(row, ensure_ascii=False) + "\n"


def _digest(q: str) -> str:
    return hashlib.sha256(q.encode()).hexdigest()[:32]
