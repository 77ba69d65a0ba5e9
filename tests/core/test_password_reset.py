"""core.accounts.password_reset: a link by mail that sets a new password once, within its time,
for an active account only, and that says nothing about which addresses have accounts."""

from __future__ import annotations

import re
import socket
from datetime import timedelta
from email.message import EmailMessage

import jwt
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.accounts import password_reset, service
from core.accounts.admin import set_active
from core.accounts.models import Role, User
from core.accounts.passwords import verify_password
from core.accounts.schemas import RegisterIn
from core.accounts.sessions import WebSession, find_session, open_session
from core.accounts.tokens import issue_access_token
from core.audit import AuditContext, AuditRecord, Writer
from core.db import session_factory, utcnow
from core.errors import InvalidInput, TooManyRequests
from core.i18n import Language
from core.mail import send_now
from core.notifications import PASSWORD_HELP, Notification
from core.ratelimit import MemoryRateLimiter
from core.settings import Settings

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a new password 456"


@pytest.fixture
def settings(embedded_settings: Settings) -> Settings:
    return embedded_settings.model_copy(update={"smtp_host": "127.0.0.1", "public_url": "https://ip.example/"})


@pytest.fixture
def session(settings: Settings) -> Session:
    return session_factory(settings.effective_database_url)()


def _writer(session: Session, user: User | None = None) -> Writer:
    return Writer(session, user, AuditContext(actor_id=user.id if user else None, client_ip="test"))


def _user(session: Session, email: str) -> User:
    out = service.register(_writer(session), RegisterIn(email=email, password=PASSWORD))
    user = session.get(User, out.id)
    assert user is not None
    return user


def _actions(session: Session, user: User) -> list[str]:
    return list(session.scalars(select(AuditRecord.action).where(AuditRecord.object_type == "user",
                                                                 AuditRecord.object_id == str(user.id))
                                .order_by(AuditRecord.id)))


def _ask(session: Session, settings: Settings, email: str, limiter: MemoryRateLimiter | None = None,
         lang: Language = Language.en) -> str | None:
    """The link of the mail asked for ``email``, or None when no mail is to be sent."""
    mail = password_reset.ask_for_link(_writer(session), settings, limiter or MemoryRateLimiter(), "10.0.0.1", email,
                                       lang)
    if mail is None:
        return None
    found = re.search(r"https://ip\.example/password/reset#token=(\S+)", mail.get_content())
    assert found, mail.get_content()
    return found.group(1)


def test_the_link_sets_a_new_password_once_and_signs_every_browser_out(session: Session,
                                                                        settings: Settings) -> None:
    user = _user(session, "ada@example.org")
    browsers = [open_session(_writer(session, user), user.id) for _ in range(2)]
    token = _ask(session, settings, " Ada@Example.org ")
    earlier = _ask(session, settings, "ada@example.org")
    assert token and earlier
    assert password_reset.account_of(session, settings, token).id == user.id

    password_reset.set_new_password(_writer(session), settings, token, NEW_PASSWORD)
    assert verify_password(user.password_hash, NEW_PASSWORD) and not verify_password(user.password_hash, PASSWORD)
    assert all(find_session(session, cookie) is None for cookie in browsers)
    assert session.scalar(select(func.count()).select_from(WebSession)
                          .where(WebSession.user_id == user.id, WebSession.revoked_at.is_(None))) == 0
    assert _actions(session, user)[-3:] == ["user.password.reset_request", "user.password.reset_request",
                                            "user.password.reset"]
    # spent: this link, and the other one sent before the password changed
    for used in (token, earlier):
        with pytest.raises(password_reset.ResetLinkInvalid):
            password_reset.set_new_password(_writer(session), settings, used, "yet another password 789")
    session.rollback()
    assert verify_password(user.password_hash, NEW_PASSWORD)


def test_unknown_and_disabled_addresses_get_no_mail_and_the_same_answer(session: Session, settings: Settings) -> None:
    assert _ask(session, settings, "nobody@example.org") is None
    assert session.scalar(select(func.count()).select_from(AuditRecord)
                          .where(AuditRecord.action == "user.password.reset_request")) == 0
    admin = _user(session, "root@example.org")
    admin.role = Role.admin
    gone = _user(session, "gone@example.org")
    set_active(_writer(session, admin), gone.id, False)
    assert _ask(session, settings, "gone@example.org") is None
    with pytest.raises(InvalidInput):
        _ask(session, settings, "not an address")


def test_a_link_stops_working_when_it_expires_is_altered_or_is_another_token(session: Session,
                                                                             settings: Settings) -> None:
    user = _user(session, "eve@example.org")
    token = _ask(session, settings, "eve@example.org")
    assert token
    claims = jwt.decode(token, settings.jwt_secret(), algorithms=["HS256"])
    past = int((utcnow() - timedelta(minutes=1)).timestamp())
    expired = jwt.encode({**claims, "exp": past}, settings.jwt_secret(), algorithm="HS256")
    someone_else = jwt.encode({**claims, "sub": str(user.id + 1000)}, "not our secret, long enough to sign with",
                              algorithm="HS256")
    access = issue_access_token(settings, user.id)  # a valid token of another kind
    other_kind = jwt.encode({**claims, "typ": "access"}, settings.jwt_secret(), algorithm="HS256")
    for bad in (expired, someone_else, access, other_kind, token[:-4] + "AAAA", "", "not.a.token"):
        with pytest.raises(password_reset.ResetLinkInvalid):
            password_reset.account_of(session, settings, bad)
    with pytest.raises(InvalidInput, match="at least 10"):  # a short password leaves the old one working
        password_reset.set_new_password(_writer(session), settings, token, "short")
    session.rollback()
    assert verify_password(user.password_hash, PASSWORD)
    assert password_reset.account_of(session, settings, token).id == user.id


def test_mails_are_limited_per_address_whether_or_not_it_has_an_account(session: Session,
                                                                        settings: Settings) -> None:
    _user(session, "bob@example.org")
    limiter = MemoryRateLimiter()
    for address in ("bob@example.org", "ghost@example.org"):
        for _ in range(password_reset.PER_ADDRESS_PER_HOUR):
            _ask(session, settings, address, limiter)
        with pytest.raises(TooManyRequests) as refused:
            _ask(session, settings, address, limiter)
        assert refused.value.retry_after > 0


def test_the_mail_speaks_the_accounts_language(session: Session, settings: Settings) -> None:
    user = _user(session, "li@example.org")
    mail = password_reset.ask_for_link(_writer(session), settings, MemoryRateLimiter(), None, user.email, Language.zh)
    assert mail is not None and mail["Subject"] == "【知识产权公共服务平台】重设密码" and mail["To"] == "li@example.org"
    assert f"{password_reset.RESET_MINUTES} 分钟内" in mail.get_content()
    user.language = "en"
    mail = password_reset.ask_for_link(_writer(session), settings, MemoryRateLimiter(), None, user.email, Language.zh)
    assert mail is not None and mail["Subject"] == "[IP Commons] Set a new password"


def _help_notices(session: Session, admin: User) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.user_id == admin.id,
                                                           Notification.kind == PASSWORD_HELP)))


def test_without_mail_the_administrators_are_asked_once_and_told_when_a_link_is_made(session: Session,
                                                                                      settings: Settings) -> None:
    """No mail server: no mail, and each administrator's inbox says a link was asked for the account;
    asked again before they read it, no second notice. An administrator's own address asks no one
    (a handed link never opens one). Making the link settles every administrator's notice."""
    no_mail = settings.model_copy(update={"smtp_host": None})
    boss, deputy, user = (_user(session, f"{who}@example.org") for who in ("boss", "deputy", "lost"))
    boss.role = deputy.role = Role.admin
    session.commit()
    for _ in range(2):
        assert password_reset.ask_for_link(_writer(session), no_mail, MemoryRateLimiter(), None, user.email,
                                           Language.zh) is None
    notices = _help_notices(session, boss)
    assert len(notices) == 1 and len(_help_notices(session, deputy)) == 1
    assert notices[0].payload == {"email": "lost@example.org", "account_id": user.id}
    assert password_reset.ask_for_link(_writer(session), no_mail, MemoryRateLimiter(), None, deputy.email,
                                       Language.en) is None
    assert len(_help_notices(session, boss)) == 1  # none for an administrator's address
    assert _actions(session, deputy) == ["user.register", "user.password.reset_request"]  # asked: on record
    password_reset.link_for(_writer(session, boss), no_mail, user.id)
    session.expire_all()
    assert {n.payload.get("settled") for n in _help_notices(session, boss) + _help_notices(session, deputy)} == \
        {"handed"}


def test_a_link_stops_working_when_its_account_is_disabled(session: Session, settings: Settings) -> None:
    admin = _user(session, "boss@example.org")
    admin.role = Role.admin
    user = _user(session, "leaver@example.org")
    token = _ask(session, settings, user.email)
    assert token
    set_active(_writer(session, admin), user.id, False)
    with pytest.raises(password_reset.ResetLinkInvalid):
        password_reset.set_new_password(_writer(session), settings, token, NEW_PASSWORD)


def test_one_client_address_asks_for_ten_links_an_hour_at_most(session: Session, settings: Settings) -> None:
    limiter = MemoryRateLimiter()
    for i in range(password_reset.PER_CLIENT_PER_HOUR):
        _ask(session, settings, f"someone-{i}@example.org", limiter)
    with pytest.raises(TooManyRequests):
        _ask(session, settings, "someone-else@example.org", limiter)


def test_an_address_that_is_two_recipients_is_not_an_address(session: Session, settings: Settings) -> None:
    """It would go into the mail's To header: sign-up and the form refuse it alike."""
    for hostile in ("me@evil.org,victim@example.com", "me@evil.org victim@example.com", "<b>x</b>@a.org",
                    "a@b@example.org", 'victim@example.com"'):
        with pytest.raises(InvalidInput, match="not an e-mail address"):
            service.register(_writer(session), RegisterIn(email=hostile, password=PASSWORD))
        with pytest.raises(InvalidInput, match="not an e-mail address"):
            _ask(session, settings, hostile)
    assert service.normalise_email(" 张三@例子.中国 ") == "张三@例子.中国"  # letters of any script stay welcome


def test_a_mail_server_that_is_down_is_logged_not_raised(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    msg = EmailMessage()
    msg["To"], msg["Subject"] = "ada@example.org", "[IP Commons] Set a new password"
    msg.set_content("a link")
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    send_now(settings.model_copy(update={"smtp_port": port}), msg)
    assert "could not send" in caplog.text and "ada@example.org" in caplog.text
