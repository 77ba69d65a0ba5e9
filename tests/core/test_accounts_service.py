"""core.accounts.service: the audited account operations the API, pages and CLI share."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.accounts import service
from core.accounts.models import OrgKind, OrgRole, Role, User
from core.accounts.schemas import ApiKeyIn, MemberIn, OrgIn, RegisterIn, RoleIn
from core.audit import AuditContext, AuditRecord, Writer
from core.db import session_factory
from core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied, TooManyRequests
from core.ratelimit import MemoryRateLimiter
from core.settings import Settings

PASSWORD = "correct horse battery"


@pytest.fixture
def session(embedded_settings: Settings) -> Session:
    return session_factory(embedded_settings.effective_database_url)()


def _writer(session: Session, user: User | None = None) -> Writer:
    return Writer(session, user, AuditContext(actor_id=user.id if user else None, client_ip="test"))


def _audit_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditRecord)) or 0)


def _user(session: Session, email: str) -> User:
    out = service.register(_writer(session), RegisterIn(email=email, password=PASSWORD))
    user = session.get(User, out.id)
    assert user is not None
    return user


def test_register_is_audited_and_duplicates_refused(session: Session) -> None:
    out = service.register(_writer(session), RegisterIn(email=" Ada@Example.org ", password=PASSWORD))
    assert out.email == "ada@example.org" and out.role is Role.member
    assert session.scalar(select(AuditRecord.action).where(AuditRecord.object_id == str(out.id))) == "user.register"
    before = _audit_count(session)
    with pytest.raises(Conflict):
        service.register(_writer(session), RegisterIn(email="ada@example.org", password=PASSWORD))
    with pytest.raises(InvalidInput):
        service.register(_writer(session), RegisterIn(email="not-an-email", password=PASSWORD))
    session.rollback()
    assert _audit_count(session) == before


def test_login_checks_the_password_and_limits_failed_attempts(session: Session, embedded_settings: Settings) -> None:
    _user(session, "bob@example.org")
    limiter = MemoryRateLimiter()
    limit = embedded_settings.login_attempts_per_minute
    # An office's staff behind one address: logins that succeed are not counted, however many.
    for _ in range(limit + 2):
        token = service.login(session, embedded_settings, limiter, "10.0.0.1", "bob@example.org", PASSWORD)
        assert token.access_token and token.expires_in == embedded_settings.access_token_minutes * 60
    for _ in range(limit):
        with pytest.raises(NotAuthenticated):
            service.login(session, embedded_settings, limiter, "10.0.0.1", "bob@example.org", "wrong password!")
    with pytest.raises(TooManyRequests) as refused:  # even the right password, while failures are over the limit
        service.login(session, embedded_settings, limiter, "10.0.0.1", "bob@example.org", PASSWORD)
    assert refused.value.retry_after > 0
    # another address is not limited by the first one's failures
    assert service.login(session, embedded_settings, limiter, "10.0.0.2", "bob@example.org", PASSWORD).access_token


def test_api_keys_are_shown_once_and_revoked_only_by_their_owner(session: Session) -> None:
    owner, other = _user(session, "owner@example.org"), _user(session, "other@example.org")
    created = service.issue_api_key(_writer(session, owner), ApiKeyIn(name="ci"))
    assert created.secret.startswith("ipc_") and created.prefix in created.secret
    listed = service.api_keys_of(session, owner)
    assert [k.id for k in listed] == [created.id] and not hasattr(listed[0], "secret")
    with pytest.raises(NotFound):
        service.revoke_key(_writer(session, other), created.id)
    session.rollback()
    assert service.api_keys_of(session, owner)[0].revoked_at is None
    assert service.revoke_key(_writer(session, owner), created.id).revoked_at is not None
    assert service.user_for_api_key(session, created.secret) is None


def test_organisation_members_and_roles(session: Session) -> None:
    founder, newcomer, outsider = (_user(session, f"{n}@example.org") for n in ("founder", "new", "outsider"))
    org = service.found_organisation(_writer(session, founder), OrgIn(name="LED Association", kind=OrgKind.association))
    assert [o.id for o in service.organisations_of(session, founder)] == [org.id]
    with pytest.raises(PermissionDenied):
        service.add_org_member(_writer(session, outsider), org.id, MemberIn(user_id=newcomer.id))
    session.rollback()
    added = service.add_org_member(_writer(session, founder), org.id, MemberIn(user_id=newcomer.id))
    assert added.role is OrgRole.member and [o.id for o in service.organisations_of(session, newcomer)] == [org.id]
    with pytest.raises(Conflict):
        service.add_org_member(_writer(session, founder), org.id, MemberIn(user_id=newcomer.id))
    session.rollback()
    with pytest.raises(PermissionDenied):  # only platform admins change platform roles
        service.change_role(_writer(session, founder), newcomer.id, RoleIn(role=Role.moderator))
    session.rollback()
    with pytest.raises(NotAuthenticated):  # no account is not the operator
        service.ensure_admin(_writer(session), "root@example.org", PASSWORD)
    with pytest.raises(PermissionDenied):
        service.ensure_admin(_writer(session, founder), "root@example.org", PASSWORD)
    session.rollback()
    admin = service.ensure_admin(Writer(session, None, AuditContext(client_ip="cli"), operator=True),
                                 "root@example.org", PASSWORD)
    promoted = service.change_role(_writer(session, admin), newcomer.id, RoleIn(role=Role.moderator))
    assert promoted.role is Role.moderator
    service.change_role(_writer(session, admin), newcomer.id, RoleIn(role=Role.moderator))  # no change: no notice
    told = [(n.kind, n.payload) for n in service.inbox(session, newcomer)]
    assert told == [("account.role_changed", {"role": "moderator", "was": "member"})]
    with pytest.raises(InvalidInput, match="your own role"):  # one click locked the only admin out
        service.change_role(_writer(session, admin), admin.id, RoleIn(role=Role.member))
    session.rollback()
    assert session.get(User, admin.id).role is Role.admin  # type: ignore[union-attr]


def test_production_hashes_use_rfc_9106_parameters_and_cheaper_test_hashes_still_verify() -> None:
    import subprocess
    import sys

    from argon2 import profiles

    from core.accounts import passwords

    # a process that is not this test session hashes as a server or the CLI does: RFC 9106's second
    # recommended option, argon2id with 64 MiB, 3 passes, 4 lanes
    real = subprocess.run([sys.executable, "-c", "from core.accounts import passwords; "
                           f"print(passwords.hash_password({PASSWORD!r}))"],
                          capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    assert real.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    # this process hashes with the cheapest set (tests/conftest.py), and still verifies real hashes
    assert passwords.verify_password(real, PASSWORD) and not passwords.verify_password(real, PASSWORD + "x")
    assert passwords.hash_password(PASSWORD).startswith(f"$argon2id$v=19$m={profiles.CHEAPEST.memory_cost},")
    assert passwords.needs_rehash(real)  # a login here rewrites it with this process's parameters


@pytest.mark.parametrize("password", ["1234567890", "password12", "qwertyuiop", "aaaaaaaaaaaa", "abcdefghij",
                                      "admin12345", "😀😀😀😀😀😀😀😀😀😀", "{email}", "{email}!",
                                      "woaini1314", "5201314520", "zhangwei1234", "wangfang1988", "nihao123456"])
def test_a_password_easy_to_guess_is_refused_and_nothing_is_written(session: Session, password: str) -> None:
    """Ten characters were the one rule, so "1234567890" and "password12" made accounts (a tour's):
    a listed common password, a keyboard row, a sequence, a repeat or the account's own e-mail is
    refused, at sign-up and when the password changes, with nothing written. So are the pinyin
    phrases, names and lucky numbers Chinese passwords are made of (zxcvbn's lists are English:
    "woaini1314", 我爱你一生一世, and "zhangwei1234" passed)."""
    email = f"wenhua.zhang.{uuid.uuid4().hex[:6]}@example.org"
    before = _audit_count(session)
    with pytest.raises(InvalidInput, match="easy to guess"):
        service.register(_writer(session), RegisterIn(email=email, password=password.format(email=email)))
    session.rollback()
    other = f"u-{uuid.uuid4().hex[:8]}@example.org"
    user = _user(session, other)
    with pytest.raises(InvalidInput, match="easy to guess"):
        service.change_password(_writer(session, user), PASSWORD, password.format(email=other))
    session.rollback()
    assert _audit_count(session) == before + 1  # the second account's registration alone
    assert session.scalar(select(func.count()).select_from(User).where(User.email == email)) == 0
    assert service.authenticate(session, other, PASSWORD) is not None  # its password unchanged


LONG = ("the slow ferry crosses the Huangpu at dawn, 19 lanterns swaying; " * 4)[:256]


@pytest.mark.parametrize("password", ["correct horse battery", "woaini-北京-2024!", "e5QBtWhWQPydOIk0", LONG])
def test_a_password_hard_to_guess_is_taken_to_its_full_length(session: Session, password: str) -> None:
    """A long password is judged by its first 72 characters (zxcvbn refuses more), never refused for
    its length up to 256; the whole of it is the password."""
    email = f"h-{uuid.uuid4().hex[:8]}@example.org"
    service.register(_writer(session), RegisterIn(email=email, password=password))
    assert service.authenticate(session, email, password) is not None
    assert len(password) < 72 or service.authenticate(session, email, password[:72]) is None
