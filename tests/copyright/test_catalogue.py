"""The public catalogue of works on SQLite and PostgreSQL: only logged registrations (never under
review, never refused at review), filters by title, author, type, dates and status, Chinese
titles and authors, ``%`` and ``_`` taken literally, newest first, bounded pages, facet counts,
and no file offered for a hash-only work.

PostgreSQL's test database is shared by the session, so every test names its works with a token
of its own and searches within it."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid

import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy import update
from sqlalchemy.orm import Session

from copyright import catalogue, service
from copyright.models import Registration, RegistrationStatus, WorkType
from copyright.registry import ContentHash, WorkIn
from copyright.schemas import DecisionIn, DisputeIn, RegisterIn, ResolveIn, WorksQuery
from core.accounts.models import Role, User
from core.accounts.service import create_user
from core.audit import AuditContext, Writer
from core.settings import Settings
from tests.conftest import TEST_SIGNING_PASSPHRASE


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest) -> Settings:
    """Both databases (``session`` comes from the package's conftest, on these settings)."""
    if request.param == "sqlite":
        base: Settings = request.getfixturevalue("embedded_settings")
        return base.model_copy(update={"signing_key_passphrase": SecretStr(TEST_SIGNING_PASSPHRASE)})
    prod: Settings = request.getfixturevalue("prod_settings")
    return prod


@pytest.fixture
def token() -> str:
    """Words no other test's works hold (PostgreSQL's database is shared by the session)."""
    return f"tok{uuid.uuid4().hex[:8]}"


def person(session: Session, name: str = "", role: Role = Role.member) -> User:
    user = create_user(session, f"p-{uuid.uuid4().hex[:8]}@example.org", "a long password 123", role=role)
    if name:
        user.display_name = name
    session.commit()
    return user


def writer(session: Session, user: User) -> Writer:
    return Writer(session, user, AuditContext(actor_id=user.id, client_ip="test"))


def register(session: Session, settings: Settings, owner: User, title: str, work_type: WorkType = WorkType.written,
             authors: tuple[str, ...] = (), content: bytes | None = None, hash_only: bool = True) -> str:
    data = content if content is not None else uuid.uuid4().bytes
    work = WorkIn(title=title, work_type=work_type, authors=list(authors))
    if hash_only:
        body = RegisterIn(work=work, content=ContentHash(sha256=hashlib.sha256(data).hexdigest(), size=len(data)))
        return service.register_hash(writer(session, owner), settings, body).number
    return service.register_stream(writer(session, owner), settings, work, io.BytesIO(data)).number


def search(session: Session, **fields: object) -> list[str]:
    return [w.number for w in catalogue.search_works(session, WorksQuery.model_validate(fields)).items]


def registered_on(session: Session, number: str, day: dt.date) -> None:
    when = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    session.execute(update(Registration).where(Registration.number == number).values(registered_at=when))
    session.commit()


def test_only_logged_registrations_are_public(session: Session, settings: Settings, token: str) -> None:
    owner, rival = person(session), person(session)
    moderator = person(session, role=Role.moderator)
    shared = uuid.uuid4().bytes
    listed = register(session, settings, owner, f"{token} original", content=shared)
    pending = register(session, settings, rival, f"{token} copy under review", content=shared)
    # each copy by another person: one person's second copy is refused outright, not held
    refused = register(session, settings, person(session), f"{token} copy refused", content=shared)
    service.review(writer(session, moderator), settings, refused, DecisionIn(approve=False, note="a copy"))
    approved = register(session, settings, person(session), f"{token} copy approved", content=shared)
    service.review(writer(session, moderator), settings, approved, DecisionIn(approve=True, note="a new edition"))
    disputed = register(session, settings, owner, f"{token} disputed")
    service.file_dispute(writer(session, rival), disputed, DisputeIn(reason="I wrote this one in 2019"))
    revoked = register(session, settings, owner, f"{token} revoked")
    dispute = service.file_dispute(writer(session, rival), revoked, DisputeIn(reason="I wrote this one in 2018"))
    service.resolve_dispute(writer(session, moderator), dispute.id, ResolveIn(upheld=True, resolution="copied"))
    assert service.registration(session, refused).status is RegistrationStatus.revoked
    assert service.registration(session, pending).status is RegistrationStatus.under_review

    found = catalogue.search_works(session, WorksQuery(title=token))
    assert {w.number for w in found.items} == {listed, approved, disputed, revoked}
    assert found.total == 4 and found.facets.status == {"registered": 2, "disputed": 1, "revoked": 1}
    assert search(session, title=token, status="revoked") == [revoked]
    assert search(session, title=token, status="disputed") == [disputed]
    with pytest.raises(ValidationError, match="public"):
        WorksQuery(status=RegistrationStatus.under_review)


def test_newest_first_with_each_result_public_fields(session: Session, settings: Settings, token: str) -> None:
    owner = person(session, "Studio 青山")
    hashed = register(session, settings, owner, f"{token} sketch", WorkType.fine_art, ("Wang Fang",))
    uploaded = register(session, settings, owner, f"{token} song", WorkType.music, ("Li Hua", "Zhang Wei"),
                        hash_only=False)
    registered_on(session, hashed, dt.date(2024, 3, 1))
    registered_on(session, uploaded, dt.date(2025, 7, 9))
    found = catalogue.search_works(session, WorksQuery(title=token))
    assert [w.number for w in found.items] == [uploaded, hashed]
    song, sketch = found.items
    assert (song.title, song.work_type, song.authors, song.owner, song.status, song.hash_only) == (
        f"{token} song", WorkType.music, ["Li Hua", "Zhang Wei"], "Studio 青山", RegistrationStatus.registered, False)
    assert song.registered_at == dt.datetime(2025, 7, 9, 12, tzinfo=dt.UTC)
    assert song.certificate_url == f"/api/v1/copyright/registrations/{uploaded}/certificate"
    assert sketch.hash_only and sketch.certificate_url is None  # a hash-only work offers nothing
    dumped = found.model_dump_json()
    assert "sha256" not in dumped and "stored_path" not in dumped and "@example.org" not in dumped


def test_filters_combine_with_counts_per_type_and_status(session: Session, settings: Settings, token: str) -> None:
    owner = person(session)
    poem = register(session, settings, owner, f"{token} Spring Poem", WorkType.written, ("Du Fu",))
    photo = register(session, settings, owner, f"{token} harbour", WorkType.photographic, ("Wang Fang",))
    app = register(session, settings, owner, f"{token} ledger app", WorkType.software, ("Wang Fang", "Li Hua"))
    for number, day in ((poem, dt.date(2024, 1, 31)), (photo, dt.date(2024, 2, 1)), (app, dt.date(2024, 2, 29))):
        registered_on(session, number, day)

    assert search(session, title=f"{token} SPRING poem") == [poem]  # any case
    assert search(session, title=token, author="wang") == [app, photo]  # any author of the list
    assert search(session, title=token, author="li hua") == [app]
    assert search(session, title=token, type="photographic") == [photo]
    assert search(session, title=token, **{"from": "2024-02-01"}) == [app, photo]
    assert search(session, title=token, to="2024-02-01") == [photo, poem]  # the whole last day
    assert search(session, title=token, **{"from": "2024-02-01", "to": "2024-02-01"}) == [photo]
    assert search(session, title=token, **{"from": "2024-03-01"}) == []
    by_type = catalogue.search_works(session, WorksQuery.model_validate({"title": token, "type": "software"}))
    # the type facet counts every type under the other filters; the status facet counts the page's
    assert by_type.facets.work_type == {"photographic": 1, "software": 1, "written": 1}
    assert by_type.facets.status == {"registered": 1}
    with pytest.raises(ValidationError, match="before the start"):
        WorksQuery.model_validate({"from": "2024-02-02", "to": "2024-02-01"})


def test_chinese_titles_and_authors(session: Session, settings: Settings, token: str) -> None:
    owner = person(session)
    poem = register(session, settings, owner, f"{token} 春江花月夜", WorkType.written, ("张若虚",))
    map_ = register(session, settings, owner, f"{token} 长江流域地图", WorkType.graphic, ("测绘院 第三组",))
    assert search(session, title=f"{token} 春江花月") == [poem]
    assert poem in search(session, title="花月夜")  # a substring of Chinese characters alone
    assert search(session, title=token, author="若虚") == [poem]
    assert search(session, title=f"{token} 长江") == [map_]
    assert search(session, title=token, author="第三组") == [map_]
    assert search(session, title=token, author="张三") == []


@pytest.mark.parametrize("typed", ["%", "_", "\\", "100%", "a_b", "%_%", "\\%", "'; DROP TABLE works; --"])
def test_like_characters_are_literal(session: Session, settings: Settings, token: str, typed: str) -> None:
    owner = person(session)
    plain = register(session, settings, owner, f"{token} plain words", authors=("Plain Author",))
    holder = register(session, settings, owner, f"{token} holds {typed} here", authors=(f"Au {typed} thor",))
    assert search(session, title=token) == [holder, plain]
    assert search(session, title=f"{token} holds {typed}") == [holder]
    assert search(session, title=token, author=typed) == [holder]
    assert search(session, title=f"{token} {typed}") == []  # not a wildcard between the words


def test_pages_are_bounded(session: Session, settings: Settings, token: str) -> None:
    owner = person(session)
    numbers = [register(session, settings, owner, f"{token} work {i}") for i in range(7)]
    for i, number in enumerate(numbers):
        registered_on(session, number, dt.date(2024, 1, 1) + dt.timedelta(days=i))
    newest_first = numbers[::-1]
    assert search(session, title=token, limit=3) == newest_first[:3]
    assert search(session, title=token, start=3, limit=3) == newest_first[3:6]
    page = catalogue.search_works(session, WorksQuery(title=token, start=6, limit=3))
    assert [w.number for w in page.items] == newest_first[6:] and (page.total, page.start, page.limit) == (7, 6, 3)
    beyond = catalogue.search_works(session, WorksQuery(title=token, start=50))
    assert beyond.items == [] and beyond.total == 7
    for bad in ({"start": -1}, {"start": 10_001}, {"limit": 0}, {"limit": 101}, {"start": "x"},
                {"type": "bogus"}, {"from": "notadate"}, {"title": "x" * 201}, {"title": "a\x00b"},
                {"author": "\x00"}):
        with pytest.raises(ValidationError):
            WorksQuery.model_validate(bad)


def test_blank_filters_are_no_filters(session: Session, settings: Settings, token: str) -> None:
    number = register(session, settings, person(session), f"{token} anything")
    assert WorksQuery.model_validate({"title": "   ", "author": ""}) == WorksQuery()
    assert search(session, title=f"  {token}  ") == [number]
