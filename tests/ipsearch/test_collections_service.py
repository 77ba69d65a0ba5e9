"""ipsearch.collections.service on the embedded backend: saved queries, who sees and changes a
collection, items, tags, notes, statistics, export and the refresh after a corpus event. A refused
write changes nothing and records nothing."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.accounts.models import Membership, OrgKind, OrgRole, Role, User
from core.accounts.service import add_member, create_organisation
from core.audit import AuditContext, AuditRecord, Writer
from core.db import session_factory, utcnow
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.notifications import Notification, notify
from core.settings import BackendKind, Settings
from ipsearch.backends import get_backend
from ipsearch.collections import Collection, CollectionTag, Visibility, service
from ipsearch.collections.items import add_items
from ipsearch.collections.models import CollectionItem, CollectionVisit
from ipsearch.collections.schemas import CollectionIn, CollectionPatch, ItemsIn, NoteDeletion, NoteIn, TagIn
from ipsearch.events import latest_event_id
from ipsearch.query.parser import QuerySyntaxError
from ipsearch.results import ExportFormat
from ipsearch.service import EXPORT_COLUMNS, SearchService
from loaders.pipeline import run_load

SCREWS = {"EP1873405A2", "EP3383757B1"}  # the EP test files whose titles say "screw"
_seq = itertools.count(1)


class World:
    """A session, a search service on the embedded index, and people to act as."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.session: Session = session_factory(settings.effective_database_url)()
        self.search = SearchService(get_backend(settings, BackendKind.embedded))

    def user(self, role: Role = Role.member) -> User:
        n = next(_seq)
        user = User(email=f"c{n}@example.org", display_name=f"c{n}", password_hash="-", role=role)
        self.session.add(user)
        self.session.commit()
        return user

    def writer(self, user: User) -> Writer:
        return Writer(self.session, user, AuditContext(actor_id=user.id, client_ip="192.0.2.1"))

    def load(self, *parts: str) -> None:
        path = self.settings.patents_dir.joinpath(*parts)
        assert run_load(self.settings, [path], backend=BackendKind.embedded).failed == 0

    def audits(self) -> list[str]:
        return list(self.session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)))

    def count(self, model: type) -> int:
        return int(self.session.scalar(select(func.count()).select_from(model)) or 0)

    def refused(self, exc: type[Exception], call: Callable[[], object]) -> None:
        """``call`` raises ``exc`` and leaves no trace: nothing audited, nothing changed."""
        before = self.audits()
        with pytest.raises(exc):
            call()
        self.session.rollback()
        assert self.audits() == before


@pytest.fixture
def world(embedded_settings: Settings) -> World:
    return World(embedded_settings)


def test_a_saved_query_runs_at_once_and_remembers_the_event(world: World) -> None:
    world.load("epo")
    owner = world.user()
    out = service.create(world.writer(owner), world.search, CollectionIn(name="Screws", query="TI=screw"))
    assert out.items == len(SCREWS) and out.owner_id == owner.id and out.visibility is Visibility.private
    coll = world.session.get(Collection, out.id)
    assert coll is not None and coll.last_event_id == latest_event_id(world.session) > 0
    assert [i.pn for i in service.items(world.session, owner, world.search, out.id).items] == sorted(SCREWS)
    assert world.audits() == ["collection.create"]
    # a query that does not parse is refused before anything is written
    world.refused(QuerySyntaxError, lambda: service.create(world.writer(owner), world.search,
                                                           CollectionIn(name="bad", query="TI=(screw")))
    assert world.count(Collection) == 1


def test_a_new_saved_query_runs_at_once_and_keeps_what_was_there(world: World) -> None:
    """Editing the query adds what the new one matches now, as creating does; the old query's
    documents stay with their tags, and one the owner removed is not brought back."""
    world.load("epo")
    owner = world.user()
    out = service.create(world.writer(owner), world.search, CollectionIn(name="Screws", query="TI=screw"))
    service.add_tag(world.writer(owner), out.id, TagIn(pn="EP1873405A2", tag="clamp"))
    service.remove_items(world.writer(owner), out.id, ItemsIn(pns=["EP3383757B1"]))
    renamed = service.update(world.writer(owner), world.search, out.id, CollectionPatch(name="Screws, renamed"))
    assert renamed.items == 1  # no new query: nothing is run
    got = service.update(world.writer(owner), world.search, out.id, CollectionPatch(query="TI=(screw OR method)"))
    pns = [i.pn for i in service.items(world.session, owner, world.search, out.id).items]
    # the new query's matches first, then what was there (not the removed EP3383757B1), with its tags
    assert pns == ["EP2136607A2", "EP3441763A1", "EP1873405A2"] and got.items == 3
    assert service.items(world.session, owner, world.search, out.id).items[2].tags == ["clamp"]
    coll = world.session.get(Collection, out.id)
    assert coll is not None and coll.last_event_id == latest_event_id(world.session)
    update = world.session.scalars(select(AuditRecord).where(AuditRecord.action == "collection.update")
                                   .order_by(AuditRecord.id.desc())).first()
    assert update is not None and update.details["added"] == 2 and update.details["query"] == "TI=(screw OR method)"


def test_a_query_of_stop_words_is_refused_on_create_and_on_update(world: World) -> None:
    """It parses, but no backend can run it: refused before anything is written, both ways."""
    world.load("epo")
    owner = world.user()
    world.refused(QuerySyntaxError, lambda: service.create(world.writer(owner), world.search,
                                                           CollectionIn(name="stop", query="the")))
    world.refused(QuerySyntaxError, lambda: service.create(world.writer(owner), world.search,
                                                           CollectionIn(name="stop", query="TI=(the OR of)")))
    assert world.count(Collection) == 0
    out = service.create(world.writer(owner), world.search, CollectionIn(name="Screws", query="TI=screw"))
    world.refused(QuerySyntaxError, lambda: service.update(world.writer(owner), world.search, out.id,
                                                           CollectionPatch(query="the")))
    assert service.get(world.session, owner, out.id).query == "TI=screw"


def test_an_organisation_collection_needs_a_membership(world: World) -> None:
    founder, stranger = world.user(), world.user()
    org = create_organisation(world.session, founder, "Lamp makers", OrgKind.association)
    world.session.commit()
    shared = CollectionIn(name="Shared", visibility=Visibility.org, org_id=org.id)
    world.refused(PermissionDenied, lambda: service.create(world.writer(stranger), world.search, shared))
    world.refused(PermissionDenied, lambda: service.create(world.writer(founder), world.search,
                                                           CollectionIn(name="No org", visibility=Visibility.org)))
    assert world.count(Collection) == 0
    assert service.create(world.writer(founder), world.search, shared).org_id == org.id
    # a private collection names no organisation its owner is not in (one that does not exist was a 500)
    for org_id in (org.id, org.id + 1000):
        world.refused(PermissionDenied, lambda: service.create(world.writer(stranger), world.search,
                                                               CollectionIn(name="Mine", org_id=org_id)))
    # nor may a private collection be shared with someone else's organisation later
    own = service.create(world.writer(stranger), world.search, CollectionIn(name="Mine"))
    world.refused(PermissionDenied, lambda: service.update(world.writer(stranger), world.search, own.id,
                                                           CollectionPatch(visibility=Visibility.org)))
    world.refused(PermissionDenied, lambda: service.update(world.writer(stranger), world.search, own.id,
                                                           CollectionPatch(org_id=org.id + 1000)))
    world.refused(PermissionDenied, lambda: service.update(world.writer(stranger), world.search, own.id,
                                                           CollectionPatch(visibility=Visibility.org, org_id=org.id)))
    assert service.get(world.session, stranger, own.id).visibility is Visibility.private
    # a private collection is shared after creation by its owner, with an organisation of theirs
    later = service.create(world.writer(founder), world.search, CollectionIn(name="Later"))
    patched = service.update(world.writer(founder), world.search, later.id,
                             CollectionPatch(visibility=Visibility.org, org_id=org.id))
    assert (patched.visibility, patched.org_id) == (Visibility.org, org.id)


def test_who_sees_and_who_changes(world: World) -> None:
    owner, member, stranger, admin = world.user(), world.user(), world.user(), world.user(Role.admin)
    org = create_organisation(world.session, owner, "Screw makers", OrgKind.sme)
    add_member(world.session, org, member.id, OrgRole.member)
    world.session.commit()
    private = service.create(world.writer(owner), world.search, CollectionIn(name="Private"))
    shared = service.create(world.writer(owner), world.search,
                            CollectionIn(name="Shared", visibility=Visibility.org, org_id=org.id))
    public = service.create(world.writer(owner), world.search, CollectionIn(name="Public",
                                                                            visibility=Visibility.public))
    for user in (None, stranger, member):
        with pytest.raises(NotFound):  # a private collection is not revealed
            service.get(world.session, user, private.id)
    assert service.get(world.session, admin, private.id).name == "Private"
    assert service.get(world.session, member, shared.id).name == "Shared"
    with pytest.raises(NotFound):
        service.get(world.session, stranger, shared.id)
    assert service.get(world.session, None, public.id).name == "Public"
    # the list: one's own, then what one's organisations share; with what each may do
    assert [(c.name, c.owned, c.editable) for c in service.collections_of(world.session, member)] == [
        ("Shared", False, True)]
    assert [(c.name, c.editable) for c in service.collections_of(world.session, owner)] == [
        ("Private", True), ("Shared", True), ("Public", True)]
    assert not service.get(world.session, stranger, public.id).editable

    # members change an organisation's collection, but only the owner changes who sees it
    renamed = service.update(world.writer(member), world.search, shared.id, CollectionPatch(name="Renamed"))
    assert renamed.name == "Renamed"
    world.refused(PermissionDenied, lambda: service.update(world.writer(member), world.search, shared.id,
                                                           CollectionPatch(visibility=Visibility.public)))
    world.refused(PermissionDenied, lambda: service.update(world.writer(stranger), world.search, public.id,
                                                           CollectionPatch(name="taken")))
    world.refused(PermissionDenied, lambda: service.delete(world.writer(member), shared.id))
    assert service.get(world.session, owner, public.id).name == "Public"
    # an explicit null leaves a required field alone
    patched = service.update(world.writer(owner), world.search, public.id,
                             CollectionPatch.model_validate({"name": None, "description": "d"}))
    assert (patched.name, patched.description) == ("Public", "d")
    service.delete(world.writer(admin), shared.id)
    assert world.session.get(Collection, shared.id) is None
    assert world.audits().count("collection.delete") == 1
    assert [c.name for c in service.collections_of(world.session, owner)] == ["Private", "Public"]


def test_items_tags_and_notes(world: World) -> None:
    world.load("epo")
    owner, stranger = world.user(), world.user()
    cid = service.create(world.writer(owner), world.search, CollectionIn(name="Picks")).id
    added = service.add_items(world.writer(owner), world.search, cid, ItemsIn(pns=["EP 3,383,757 B1", "EP1873405A2",
                                                                                   "EP3383757B1"]))
    assert added.added == ["EP3383757B1", "EP1873405A2"]
    # a number typed without its kind is its latest publication, as the patent page opens it
    other = service.create(world.writer(owner), world.search, CollectionIn(name="By number")).id
    assert service.add_items(world.writer(owner), world.search, other, ItemsIn(pns=["EP 1873405"])).added == [
        "EP1873405A2"]
    again = service.add_items(world.writer(owner), world.search, other, ItemsIn(pns=["ep1873405"]))
    assert (again.added, again.numbers) == ([], ["EP1873405A2"])  # there already: still named as the corpus does
    assert service.corpus_number(world.search, "ep1873405") == "EP1873405A2"
    # and so do tagging and removing it
    assert service.add_tag(world.writer(owner), other, TagIn(pn="EP1873405", tag="kindless")).pn == "EP1873405A2"
    assert service.remove_items(world.writer(owner), other, ItemsIn(pns=["EP1873405"])).removed == 1
    service.delete(world.writer(owner), other)
    world.refused(InvalidInput, lambda: service.add_items(world.writer(owner), world.search, cid,
                                                          ItemsIn(pns=["garbage!"])))
    with pytest.raises(InvalidInput, match="^nothing was added: not in the corpus: US0000000B2 "):
        service.add_items(world.writer(owner), world.search, cid, ItemsIn(pns=["EP1873405A2", "US0000000B2"]))
    world.session.rollback()
    # every bad number is named, not the first one only (the others were taken for added)
    with pytest.raises(InvalidInput) as refused:
        service.add_items(world.writer(owner), world.search, cid,
                          ItemsIn(pns=["XYZ123", "EP1873405A2", "US0000000B2", "CN发明"]))
    assert (refused.value.extra["malformed"], refused.value.extra["missing"]) == (["CN发明"],
                                                                                  ["XYZ123", "US0000000B2"])
    assert "not publication numbers: CN发明; not in the corpus: XYZ123, US0000000B2 " in refused.value.detail
    world.session.rollback()
    with pytest.raises(InvalidInput, match="^nothing was added: not publication numbers: CN发明 \\(check"):
        service.add_items(world.writer(owner), world.search, cid, ItemsIn(pns=["CN发明"]))
    world.session.rollback()
    world.refused(NotFound, lambda: service.add_items(world.writer(stranger), world.search, cid,  # not revealed
                                                      ItemsIn(pns=["EP1873405A2"])))
    assert service.add_tag(world.writer(owner), cid, TagIn(pn="EP3383757B1", tag=" core ")).tag == "core"
    service.add_tag(world.writer(owner), cid, TagIn(pn="EP3383757B1", tag="core"))  # the same tag: one row
    assert world.count(CollectionTag) == 1
    world.refused(InvalidInput, lambda: service.add_tag(world.writer(owner), cid, TagIn(pn="US6836899B1",
                                                                                       tag="x")))
    world.refused(InvalidInput, lambda: service.add_tag(world.writer(owner), cid, TagIn(pn="EP3383757B1",
                                                                                       tag="   ")))
    world.refused(InvalidInput, lambda: service.add_note(world.writer(owner), cid, NoteIn(pn="US6836899B1",
                                                                                         text="not an item")))
    note = service.add_note(world.writer(owner), cid, NoteIn(pn="ep1873405a2", text="check claim 1"))
    assert (note.pn, note.text) == ("EP1873405A2", "check claim 1")
    assert [(n.id, n.author_id) for n in service.notes(world.session, owner, cid)] == [(note.id, owner.id)]

    assert service.remove_items(world.writer(owner), cid, ItemsIn(pns=["EP1873405A2"])).removed == 1
    assert service.remove_items(world.writer(owner), cid, ItemsIn(pns=["EP1873405A2"])).removed == 0
    items = service.items(world.session, owner, world.search, cid).items
    assert [(i.pn, i.tags) for i in items] == [("EP3383757B1", ["core"])]
    assert service.add_items(world.writer(owner), world.search, cid,
                             ItemsIn(pns=["EP1873405A2"])).added == ["EP1873405A2"]
    assert service.get(world.session, owner, cid).items == 2
    # the patent page asks which of my collections hold a document, with its tags and notes there
    other = service.create(world.writer(owner), world.search, CollectionIn(name="Other")).id
    service.add_items(world.writer(owner), world.search, other, ItemsIn(pns=["EP1873405A2"]))
    held = service.holding(world.session, owner, "ep 1873405 a2")
    assert [(h.collection.name, h.tags, [n.text for n in h.notes]) for h in held] == [
        ("Picks", [], ["check claim 1"]), ("Other", [], [])]
    assert [h.collection.name for h in service.holding(world.session, owner, "EP3383757B1")] == ["Picks"]
    assert service.holding(world.session, stranger, "EP1873405A2") == []


def test_statistics_and_export_use_the_search_export_format_with_tags_and_notes(world: World) -> None:
    world.load("epo")
    owner, stranger = world.user(), world.user()
    cid = service.create(world.writer(owner), world.search, CollectionIn(name="Screws", query="TI=screw")).id
    coll = world.session.get(Collection, cid)
    assert coll is not None
    add_items(world.session, coll, ["US6836899B1"])  # as if the document had left the corpus since
    world.session.commit()
    service.add_tag(world.writer(owner), cid, TagIn(pn="EP1873405A2", tag="核心"))
    service.add_tag(world.writer(owner), cid, TagIn(pn="EP1873405A2", tag="wood"))
    service.add_note(world.writer(owner), cid, NoteIn(pn="EP1873405A2", text='claim 1, "thread"; see fig. 2'))
    listed = {i.pn: (i.in_corpus, bool(i.title)) for i in service.items(world.session, owner, world.search, cid).items}
    page = service.items(world.session, owner, world.search, cid, start=1, limit=1)
    # one page; the latest added first (US6836899B1), then the query's first matches by number
    assert page.total == 3 and [i.pn for i in page.items] == ["EP1873405A2"]
    one = service.item(world.session, owner, world.search, cid, "ep1873405a2")
    assert one is not None and one.title and one.in_corpus
    assert service.item(world.session, owner, world.search, cid, "EP0000001A1") is None
    assert listed == {"EP1873405A2": (True, True), "EP3383757B1": (True, True), "US6836899B1": (False, False)}
    stats = service.statistics(world.session, owner, world.search, cid)
    assert stats.documents == 3 and sum(stats.by_year.values()) == 2
    assert stats.by_year == {"2008": 1, "2021": 1} | {str(y): 0 for y in range(2009, 2021)}  # no gaps on the axis
    assert list(stats.by_year) == sorted(stats.by_year)
    owners = {name for pn in SCREWS for name in (world.search.backend.get(pn) or {}).get("owners", [])}
    assert stats.by_applicant and set(stats.by_applicant) <= owners  # names as printed, not harmonised keys

    rows = list(csv.reader(io.StringIO("".join(service.export(world.session, owner, world.search, cid)))))
    assert rows[0] == [*EXPORT_COLUMNS, "tags", "notes"]
    assert [r[0] for r in rows[1:]] == [*sorted(SCREWS), "US6836899B1"]
    assert rows[-1][1:] == [""] * (len(rows[0]) - 1)
    screw = dict(zip(rows[0], rows[1], strict=True))
    assert screw["title"] == "Chipboard screw" and screw["country"] == "EP" and screw["ipc"].startswith("F16B")
    assert (screw["tags"], screw["notes"]) == ("核心; wood", 'claim 1, "thread"; see fig. 2')
    in_german = list(csv.reader(io.StringIO("".join(service.export(world.session, owner, world.search, cid,
                                                                   lang="de-AT")))))
    assert in_german[1][1] == "Spanplattenschraube" and in_german[1:][-1] == rows[-1]  # its own German title
    german = service.items(world.session, owner, world.search, cid, lang="de").items
    titles = {i.pn: i.title for i in german}
    assert titles["EP1873405A2"] == "Spanplattenschraube" and titles["US6836899B1"] is None
    one_in_german = service.item(world.session, owner, world.search, cid, "EP1873405A2", lang="de")
    assert one_in_german is not None and one_in_german.title == "Spanplattenschraube"
    lines = "".join(service.export(world.session, owner, world.search, cid, ExportFormat.jsonl)).splitlines()
    assert [json.loads(line)["pn"] for line in lines] == [r[0] for r in rows[1:]]
    first = json.loads(lines[0])
    assert set(first) == set(rows[0]) and first["tags"] == ["核心", "wood"]
    with pytest.raises(NotFound):  # refused when asked, before any byte is produced
        service.export(world.session, stranger, world.search, cid)
    with pytest.raises(NotFound):
        service.statistics(world.session, None, world.search, cid)


def test_new_matches_after_a_load_are_notified_once(world: World) -> None:
    world.load("epo")
    owner = world.user()
    cid = service.create(world.writer(owner), world.search, CollectionIn(name="Lamps", query="TI=lamp")).id
    assert service.get(world.session, owner, cid).items == 0
    world.load("uspto", "ipg110104.small.xml")  # design patent "Lamp" USD630349S1
    url = world.settings.effective_database_url
    assert service.refresh_saved_queries(world.search, url) == {"collections": 1, "new_matches": 1}
    assert service.refresh_saved_queries(world.search, url) == {"collections": 0, "new_matches": 0}
    world.session.expire_all()
    notes = list(world.session.scalars(select(Notification).where(Notification.user_id == owner.id)))
    assert len(notes) == 1 and notes[0].payload["pns"] == ["USD630349S1"]
    assert [i.pn for i in service.items(world.session, owner, world.search, cid).items] == ["USD630349S1"]


def test_what_a_refresh_brought_stands_first_and_is_marked(world: World) -> None:
    """Items were listed by number, a refresh's new matches mixed among the rest with nothing to
    tell them apart: now the latest added come first, and a later match says so."""
    world.load("epo")
    owner = world.user()
    cid = service.create(world.writer(owner), world.search, CollectionIn(name="Screws and lamps",
                                                                         query="TI=screw OR TI=lamp")).id
    hour_ago = utcnow() - timedelta(hours=1)  # made an hour before the next load
    world.session.execute(update(Collection).where(Collection.id == cid).values(created_at=hour_ago))
    world.session.execute(update(CollectionItem).where(CollectionItem.collection_id == cid).values(added_at=hour_ago))
    world.session.commit()
    world.load("uspto", "ipg110104.small.xml")  # design patent "Lamp" USD630349S1
    assert service.refresh_saved_queries(world.search, world.settings.effective_database_url)["new_matches"] == 1
    world.session.expire_all()
    listed = service.items(world.session, owner, world.search, cid).items
    assert [(i.pn, i.found_later) for i in listed] == [("USD630349S1", True)] + [(pn, False) for pn in sorted(SCREWS)]
    assert listed[0].added_at is not None and listed[0].added_at > hour_ago == listed[1].added_at
    # not a later match: a new query's matches as it is saved, and a document taken out and put back by hand
    service.update(world.writer(owner), world.search, cid, CollectionPatch(query="TI=(screw OR lamp OR method)"))
    service.remove_items(world.writer(owner), cid, ItemsIn(pns=["USD630349S1"]))
    service.add_items(world.writer(owner), world.search, cid, ItemsIn(pns=["USD630349S1"]))
    marked = {i.pn: i.found_later for i in service.items(world.session, owner, world.search, cid).items}
    assert len(marked) > 3 and not any(marked.values()), marked  # the method patents joined too


def test_a_saved_query_that_no_longer_parses_is_skipped(world: World) -> None:
    world.load("epo")
    owner = world.user()
    cid = service.create(world.writer(owner), world.search, CollectionIn(name="Old", query="TI=screw")).id
    coll = world.session.get(Collection, cid)
    assert coll is not None
    coll.query, coll.last_event_id = "TI=(screw", 0  # as if the language had changed since
    world.session.commit()
    url = world.settings.effective_database_url
    assert service.refresh_saved_queries(world.search, url) == {"collections": 0, "new_matches": 0}
    world.session.expire_all()
    assert world.session.get(Collection, cid).last_event_id == latest_event_id(world.session)  # type: ignore[union-attr]


def test_export_keeps_spreadsheet_formulas_as_text(world: World) -> None:
    """Tags and notes are written by members; in the CSV (opened in Excel) a cell that starts like a
    formula is prefixed with an apostrophe. JSON Lines keeps the text as written."""
    world.load("epo")
    owner = world.user()
    cid = service.create(world.writer(owner), world.search, CollectionIn(name="Screws", query="TI=screw")).id
    hostile = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1)"]
    for tag in hostile:
        service.add_tag(world.writer(owner), cid, TagIn(pn="EP1873405A2", tag=tag))
    service.add_note(world.writer(owner), cid, NoteIn(pn="EP1873405A2", text="=1+1"))
    rows = list(csv.reader(io.StringIO("".join(service.export(world.session, owner, world.search, cid)))))
    row = dict(zip(rows[0], next(r for r in rows if r[0] == "EP1873405A2"), strict=True))
    assert row["tags"].startswith("'=HYPERLINK") and row["notes"] == "'=1+1"
    lines = "".join(service.export(world.session, owner, world.search, cid, ExportFormat.jsonl)).splitlines()
    first = next(json.loads(line) for line in lines if json.loads(line)["pn"] == "EP1873405A2")
    assert first["tags"] == hostile and first["notes"] == ["=1+1"]


def test_a_blank_note_is_refused(world: World) -> None:
    world.load("epo")
    owner = world.user()
    cid = service.create(world.writer(owner), world.search, CollectionIn(name="Screws", query="TI=screw")).id
    world.refused(InvalidInput, lambda: service.add_note(world.writer(owner), cid, NoteIn(pn="EP1873405A2",
                                                                                         text=" \n\t ")))


def test_tags_and_notes_are_removed_by_those_who_may(world: World) -> None:
    """A tag comes off a document; a note is deleted by its author, the owner or an admin, not by
    another member; every removal is audited and a refused one changes nothing."""
    world.load("epo")
    owner, member, stranger, admin = world.user(), world.user(), world.user(), world.user(Role.admin)
    org = create_organisation(world.session, owner, "Screw makers", OrgKind.sme)
    add_member(world.session, org, member.id, OrgRole.member)
    world.session.commit()
    cid = service.create(world.writer(owner), world.search, CollectionIn(
        name="Shared", query="TI=screw", visibility=Visibility.org, org_id=org.id)).id
    service.add_tag(world.writer(member), cid, TagIn(pn="EP1873405A2", tag="typo"))
    service.add_tag(world.writer(member), cid, TagIn(pn="EP1873405A2", tag="core"))
    assert service.remove_tag(world.writer(member), cid, TagIn(pn="ep1873405a2", tag=" typo ")).removed == 1
    assert service.remove_tag(world.writer(member), cid, TagIn(pn="EP1873405A2", tag="typo")).removed == 0
    items = {i.pn: i.tags for i in service.items(world.session, owner, world.search, cid).items}
    assert items["EP1873405A2"] == ["core"]
    world.refused(NotFound, lambda: service.remove_tag(world.writer(stranger), cid, TagIn(pn="EP1873405A2",
                                                                                          tag="core")))

    mine = service.add_note(world.writer(owner), cid, NoteIn(pn="EP1873405A2", text="owner's note")).id
    theirs = service.add_note(world.writer(member), cid, NoteIn(pn="EP1873405A2", text="member's note")).id
    world.refused(PermissionDenied, lambda: service.delete_note(world.writer(member), cid, mine))
    assert service.delete_note(world.writer(member), cid, theirs) is NoteDeletion.deleted  # the author
    assert service.delete_note(world.writer(admin), cid, mine) is NoteDeletion.deleted  # an admin
    assert service.notes(world.session, owner, cid) == []
    assert world.audits().count("collection.untag") == 2 and world.audits().count("collection.note.delete") == 2
    # deleted already (another tab), or never a note of this collection: said so, nothing changed or audited
    audited = world.audits()
    other = service.create(world.writer(stranger), world.search, CollectionIn(name="Theirs", query="TI=screw")).id
    elsewhere = service.add_note(world.writer(stranger), other, NoteIn(pn="EP1873405A2", text="theirs")).id
    for note in (theirs, 999_999, elsewhere):
        assert service.delete_note(world.writer(member), cid, note) is NoteDeletion.already_gone
    assert world.audits() == [*audited, "collection.create", "collection.note"]
    assert [n.id for n in service.notes(world.session, stranger, other)] == [elsewhere]
    # in a collection the caller may not change, refused before any note is looked for
    for note in (elsewhere, 999_999):
        world.refused(NotFound, lambda note=note: service.delete_note(world.writer(member), other, note))


def test_an_owner_who_left_the_organisation_can_make_the_collection_private(world: World) -> None:
    founder, owner = world.user(), world.user()
    org = create_organisation(world.session, founder, "Lamp makers", OrgKind.association)
    add_member(world.session, org, owner.id, OrgRole.member)
    world.session.commit()
    shared = service.create(world.writer(owner), world.search,
                            CollectionIn(name="Shared", visibility=Visibility.org, org_id=org.id))
    for membership in world.session.scalars(select(Membership).where(Membership.user_id == owner.id)):
        world.session.delete(membership)
    world.session.commit()
    private = service.update(world.writer(owner), world.search, shared.id,
                             CollectionPatch(visibility=Visibility.private))
    assert (private.visibility, private.org_id) == (Visibility.private, None)


def test_a_list_of_collections_takes_the_same_few_queries_whatever_its_length(world: World) -> None:
    """Sizes and what the reader may do come in one query each, not one per collection (a page of
    50 public collections made 50 counts); the sizes are still each collection's own."""
    from sqlalchemy import event

    owner, reader = world.user(), world.user()
    org = create_organisation(world.session, reader, "Readers", OrgKind.sme)
    world.session.commit()

    def queries(call: Callable[[], object]) -> int:
        made: list[str] = []

        def listener(conn: object, cursor: object, statement: str, *rest: object) -> None:
            made.append(statement)

        bind = world.session.get_bind()
        event.listen(bind, "before_cursor_execute", listener)
        try:
            call()
        finally:
            event.remove(bind, "before_cursor_execute", listener)
        return len(made)

    def listings() -> tuple[int, int]:
        world.session.expire_all()
        return (queries(lambda: service.public_collections(world.session, reader)),
                queries(lambda: service.collections_of(world.session, reader)))

    def make(n: int) -> None:
        for i in range(n):
            coll = Collection(owner_id=owner.id, name=f"c{i}", visibility=Visibility.public)
            mine = Collection(owner_id=reader.id, name=f"m{i}", visibility=Visibility.org, org_id=org.id)
            world.session.add_all([coll, mine])
            world.session.flush()
            add_items(world.session, coll, sorted(SCREWS)[: i % 3])
        world.session.commit()

    make(2)
    few = listings()
    make(12)
    assert listings() == few
    sizes = {c.name: c.items for c in service.public_collections(world.session, reader)}
    assert sizes["c0"] == 0 and sizes["c1"] == 1 and sizes["c2"] == 2 and sizes["c5"] == 2
    assert {c.owner_name for c in service.public_collections(world.session, reader)} == {owner.display_name}
    assert all(c.editable and c.owned for c in service.collections_of(world.session, reader))


def test_an_undo_puts_a_removed_document_back_exactly_as_it_was(world: World) -> None:
    """A removal keeps the item (excluded), its tags and its notes; the undo brings it back with
    how and when it first came. Removed, it is nowhere: not counted, listed, exported, in the
    statistics, the notes or the patent page's panel, and a refresh does not bring it back."""
    world.load("epo")
    owner = world.user()
    cid = service.create(world.writer(owner), world.search, CollectionIn(name="Screws", query="TI=screw")).id
    found = utcnow() - timedelta(days=30)  # as if a refresh had found it a month ago
    world.session.execute(update(CollectionItem).where(CollectionItem.collection_id == cid,
                                                       CollectionItem.pn == "EP1873405A2")
                          .values(source="refresh", added_at=found))
    world.session.commit()
    service.add_tag(world.writer(owner), cid, TagIn(pn="EP1873405A2", tag="clamp"))
    service.add_note(world.writer(owner), cid, NoteIn(pn="EP1873405A2", text="claim 1"))
    before = service.item(world.session, owner, world.search, cid, "EP1873405A2")

    assert service.remove_items(world.writer(owner), cid, ItemsIn(pns=["EP1873405A2"])).removed == 1
    assert service.get(world.session, owner, cid).items == 1
    assert [i.pn for i in service.items(world.session, owner, world.search, cid).items] == ["EP3383757B1"]
    assert service.item(world.session, owner, world.search, cid, "EP1873405A2") is None
    assert service.statistics(world.session, owner, world.search, cid).documents == 1
    assert "EP1873405A2" not in "".join(service.export(world.session, owner, world.search, cid))
    assert service.notes(world.session, owner, cid) == []  # kept for the undo, not shown
    assert service.holding(world.session, owner, "EP1873405A2") == []
    coll = world.session.get(Collection, cid)
    assert coll is not None
    coll.last_event_id = 0  # the next refresh runs the saved query again: what was removed stays out
    world.session.commit()
    service.refresh_saved_queries(world.search, world.settings.effective_database_url)
    world.session.expire_all()
    assert service.get(world.session, owner, cid).items == 1

    assert service.restore_items(world.writer(owner), cid, ItemsIn(pns=["ep1873405a2"])).restored == ["EP1873405A2"]
    after = service.item(world.session, owner, world.search, cid, "EP1873405A2")
    assert after is not None and after == before  # its tags, its date, how it came (found later)
    assert after.tags == ["clamp"] and after.found_later and after.added_at == found
    assert [n.text for n in service.notes(world.session, owner, cid)] == ["claim 1"]
    assert service.statistics(world.session, owner, world.search, cid).documents == 2
    assert [h.tags for h in service.holding(world.session, owner, "EP1873405A2")] == [["clamp"]]
    restore = world.session.scalars(select(AuditRecord).where(AuditRecord.action == "collection.items.restore")).one()
    assert (restore.object_id, restore.details, restore.actor_id) == (str(cid), {"pns": ["EP1873405A2"]}, owner.id)
    # sent twice: the second finds it back already and changes nothing, nor records anything
    assert service.restore_items(world.writer(owner), cid, ItemsIn(pns=["EP1873405A2"])).restored == []
    assert world.audits().count("collection.items.restore") == 1
    assert service.item(world.session, owner, world.search, cid, "EP1873405A2") == before


def test_an_undo_is_refused_to_strangers_and_for_what_was_never_in_the_collection(world: World) -> None:
    world.load("epo")
    owner, stranger = world.user(), world.user()
    cid = service.create(world.writer(owner), world.search, CollectionIn(name="Screws", query="TI=screw")).id
    service.remove_items(world.writer(owner), cid, ItemsIn(pns=["EP1873405A2"]))
    world.refused(NotFound, lambda: service.restore_items(world.writer(stranger), cid,
                                                          ItemsIn(pns=["EP1873405A2"])))
    service.update(world.writer(owner), world.search, cid, CollectionPatch(visibility=Visibility.public))
    world.refused(PermissionDenied, lambda: service.restore_items(world.writer(stranger), cid,
                                                                  ItemsIn(pns=["EP1873405A2"])))
    assert service.removed_item(world.session, stranger, cid, "EP1873405A2") is None  # no undo offered
    assert service.removed_item(world.session, owner, cid, "EP1873405A2") == "EP1873405A2"
    assert service.removed_item(world.session, owner, cid, "EP3383757B1") is None  # in the collection
    assert service.removed_item(world.session, owner, cid, "not a number") is None
    with pytest.raises(InvalidInput, match="never in the collection: US6836899B1"):
        service.restore_items(world.writer(owner), cid, ItemsIn(pns=["EP1873405A2", "US6836899B1"]))
    world.session.rollback()
    assert service.get(world.session, owner, cid).items == 1  # refused whole: nothing put back
    assert world.audits().count("collection.items.restore") == 0


def _refreshed(world: World, owner: User, name: str, org: int | None = None) -> int:
    """A collection of screws and lamps an hour old, whose refresh found the lamp USD630349S1 40
    minutes ago."""
    visibility = Visibility.org if org else Visibility.private
    cid = service.create(world.writer(owner), world.search, CollectionIn(
        name=name, query="TI=screw OR TI=lamp", visibility=visibility, org_id=org)).id
    hour_ago = utcnow() - timedelta(hours=1)
    world.session.execute(update(CollectionItem).where(CollectionItem.collection_id == cid).values(added_at=hour_ago))
    world.session.commit()
    world.load("uspto", "ipg110104.small.xml")  # design patent "Lamp" USD630349S1
    assert service.refresh_saved_queries(world.search, world.settings.effective_database_url)["new_matches"] == 1
    world.session.execute(update(CollectionItem).where(CollectionItem.collection_id == cid,
                                                       CollectionItem.pn == "USD630349S1")
                          .values(added_at=utcnow() - timedelta(minutes=40)))
    world.session.commit()
    world.session.expire_all()
    return cid


def _new(world: World, user: User | None, cid: int) -> list[str]:
    """The documents marked new to ``user``; the count the page says at its top agrees, on every page."""
    listed = service.items(world.session, user, world.search, cid)
    new = [i.pn for i in listed.items if i.new_to_you]
    assert listed.new_matches == service.new_matches(world.session, user, cid) == len(new)
    past_the_end = service.items(world.session, user, world.search, cid, start=len(listed.items), limit=1)
    assert past_the_end.new_matches == len(new)
    return new


def test_a_refresh_find_is_new_to_each_reader_until_their_next_visit(world: World) -> None:
    """"New" is per reader: what a refresh found since the visit before their current one (a visit
    is page views less than half an hour apart). Opening the collection reads its notices of new documents."""
    world.load("epo")
    member, owner = world.user(), world.user()
    org = create_organisation(world.session, owner, "Lamp makers", OrgKind.sme)
    add_member(world.session, org, member.id, OrgRole.member)
    world.session.commit()
    cid = _refreshed(world, owner, "Screws and lamps", org.id)
    assert _new(world, owner, cid) == _new(world, member, cid) == ["USD630349S1"]  # neither has looked yet
    (notice,) = world.session.scalars(select(Notification).where(Notification.user_id == owner.id))

    service.opened(world.writer(owner), cid)
    world.session.refresh(notice)
    assert notice.read_at is not None  # they see what it told, marked new
    assert world.audits()[-1] == "notification.read"
    assert _new(world, owner, cid) == ["USD630349S1"]  # the visit that begins now still shows it
    service.opened(world.writer(owner), cid)  # a reload: the same visit
    assert _new(world, owner, cid) == ["USD630349S1"]
    visits = world.session.scalars(select(CollectionVisit).where(CollectionVisit.collection_id == cid)).all()
    assert [(v.user_id, v.seen_before) for v in visits] == [(owner.id, None)]

    seen = utcnow() - timedelta(minutes=31)  # the last view, after the refresh 40 minutes ago
    world.session.execute(update(CollectionVisit).where(CollectionVisit.user_id == owner.id).values(last_seen_at=seen))
    world.session.commit()
    audited = len(world.audits())
    service.opened(world.writer(owner), cid)  # the next visit: no longer new to the owner
    assert _new(world, owner, cid) == [] and len(world.audits()) == audited  # a visit itself is not audited
    assert [i.found_later for i in service.items(world.session, owner, world.search, cid).items][0]
    assert _new(world, member, cid) == ["USD630349S1"]  # the member has not looked yet
    service.opened(world.writer(member), cid)
    assert _new(world, member, cid) == ["USD630349S1"]


def test_a_find_seen_during_a_visit_is_not_new_on_the_next_and_a_visit_lasts_while_viewed(world: World) -> None:
    """A visit ends at its last view, not half an hour after it began: what a refresh found while
    the reader was looking, and they saw, is not new on their next visit; views less than half an
    hour apart are one visit, however long it lasts."""
    owner = world.user()
    cid = _refreshed(world, owner, "Lamps")  # the refresh found the lamp 40 minutes ago
    world.session.add(CollectionVisit(collection_id=cid, user_id=owner.id, seen_before=utcnow() - timedelta(hours=2),
                                      last_seen_at=utcnow() - timedelta(minutes=20)))  # looking, after the find
    world.session.commit()
    service.opened(world.writer(owner), cid)  # 20 minutes on: the same visit, the lamp still new
    assert _new(world, owner, cid) == ["USD630349S1"]
    world.session.execute(update(CollectionVisit).where(CollectionVisit.user_id == owner.id)
                          .values(last_seen_at=utcnow() - timedelta(minutes=35)))  # its last view, after the find
    world.session.commit()
    service.opened(world.writer(owner), cid)  # the next visit
    assert _new(world, owner, cid) == []


def test_opening_a_collection_reads_only_its_own_notices_and_only_for_its_readers(world: World) -> None:
    world.load("epo")
    stranger, owner = world.user(), world.user()
    cid = _refreshed(world, owner, "Screws and lamps")
    other = service.create(world.writer(owner), world.search, CollectionIn(name="Other")).id
    notify(world.session, owner.id, "collection.new_matches", "1 new", collection_id=other, count=1)
    notify(world.session, owner.id, "account.role_changed", "Your role is now member", role="member")
    world.session.commit()
    world.refused(NotFound, lambda: service.opened(world.writer(stranger), cid))
    service.opened(world.writer(owner), cid)
    unread = world.session.scalars(select(Notification).where(Notification.user_id == owner.id,
                                                              Notification.read_at.is_(None))).all()
    assert sorted(n.kind for n in unread) == ["account.role_changed", "collection.new_matches"]
    assert [n.payload["collection_id"] for n in unread if n.kind == "collection.new_matches"] == [other]
    service.update(world.writer(owner), world.search, cid, CollectionPatch(visibility=Visibility.public))
    service.opened(world.writer(stranger), cid)  # a public collection's reader has their own visits
    assert _new(world, stranger, cid) == ["USD630349S1"]
    assert _new(world, None, cid) == []  # signed out: nothing is new to them
