"""Notification e-mail through a real local SMTP server (aiosmtpd): each notification is mailed
once, only to users who want e-mail, and nothing is lost while the server is down."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from sqlalchemy import select, update

from core.accounts.service import create_user
from core.db import session_scope, utcnow
from core.mail import MAIL_WITHIN, _claim, send_pending
from core.notifications import Notification, notify
from core.settings import Settings
from tests.smtp import MailSink, free_port, smtp_server


@pytest.fixture
def smtp() -> Iterator[tuple[MailSink, int]]:
    with smtp_server() as (sink, port):
        yield sink, port


def test_each_notification_is_mailed_once_to_those_who_want_mail(embedded_settings: Settings,
                                                                  smtp: tuple[MailSink, int]) -> None:
    sink, port = smtp
    settings = embedded_settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
    with session_scope(settings.effective_database_url) as session:
        wants = create_user(session, "wants@example.org", "correct horse battery")
        quiet = create_user(session, "quiet@example.org", "correct horse battery")
        quiet.email_notifications = False
        notify(session, wants.id, "collection", "3 new documents in LED drivers 专题库", collection_id=7, new=3)
        notify(session, quiet.id, "collection", "1 new document", collection_id=8, new=1)
    with session_scope(settings.effective_database_url) as session:
        assert send_pending(settings, session) == 1
        assert send_pending(settings, session) == 0
    assert len(sink.messages) == 1
    mail = sink.messages[0]
    subject = str(make_header(decode_header(mail["Subject"])))
    assert mail["To"] == "wants@example.org" and "LED drivers 专题库" in subject
    body = mail.get_payload(decode=True)
    assert isinstance(body, bytes) and b"/inbox" in body


def test_mail_waits_while_the_server_is_down(embedded_settings: Settings, smtp: tuple[MailSink, int]) -> None:
    sink, port = smtp
    with session_scope(embedded_settings.effective_database_url) as session:
        user = create_user(session, "later@example.org", "correct horse battery")
        notify(session, user.id, "alert", "Red alert: LED")
    down = embedded_settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": free_port()})
    with session_scope(down.effective_database_url) as session, pytest.raises(OSError):
        send_pending(down, session)
    up = embedded_settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
    with session_scope(up.effective_database_url) as session:
        assert send_pending(up, session) == 1
    assert [m["To"] for m in sink.messages] == ["later@example.org"]


def test_without_smtp_settings_nothing_is_sent(embedded_settings: Settings) -> None:
    with session_scope(embedded_settings.effective_database_url) as session:
        user = create_user(session, "inbox-only@example.org", "correct horse battery")
        notify(session, user.id, "report", "Report ready")
        assert send_pending(embedded_settings, session) == 0


def test_a_chinese_reader_gets_a_chinese_subject(embedded_settings: Settings, smtp: tuple[MailSink, int]) -> None:
    sink, port = smtp
    settings = embedded_settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
    with session_scope(settings.effective_database_url) as session:
        reader = create_user(session, "zh@example.org", "correct horse battery")
        reader.language = "zh"
        notify(session, reader.id, "collection.new_matches", "2 new patents match your collection 'LED 照明'",
               collection_id=7, collection_name="LED 照明", count=2, pns=["US1B2", "US2B2"])
        notify(session, reader.id, "alert", "[red] Growth", alert_id=1)  # no Chinese title: kept as written
        notify(session, reader.id, "copyright.transfer_received", "Rights in Harbour are transferred to you",
               number="CR-2026-00000001", work_title="海港日出", counterpart="张三", rights=["reproduction"],
               effective_date="2026-12-04")
    with session_scope(settings.effective_database_url) as session:
        assert send_pending(settings, session) == 3
    subjects = sorted(str(make_header(decode_header(m["Subject"]))) for m in sink.messages)
    # the site named as its Chinese header names it, not "[IP Commons]", even before a title kept in English
    assert subjects == ["【知识产权公共服务平台】2 件新文献命中您的专题库“LED 照明”",
                        "【知识产权公共服务平台】[red] Growth",
                        "【知识产权公共服务平台】张三 向您转让了“海港日出”的权利"]


def test_a_chinese_reader_gets_the_service_halls_notices_in_chinese(embedded_settings: Settings,
                                                                    smtp: tuple[MailSink, int]) -> None:
    """A citizen reading Chinese was mailed "Application SH2026000001: materials" about their own
    application; a status the table does not know keeps the title as written."""
    sink, port = smtp
    settings = embedded_settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
    with session_scope(settings.effective_database_url) as session:
        reader = create_user(session, "hall-zh@example.org", "correct horse battery")
        reader.language = "zh"
        notify(session, reader.id, "hall.materials", "Application SH2026000001: materials", number="SH2026000001",
               status="materials", comment="营业执照", due="2026-03-23T16:00:00+00:00")
        notify(session, reader.id, "hall.status", "Application SH2026000001: completed", number="SH2026000001",
               status="completed")
        notify(session, reader.id, "hall.lapsed", "Application SH2026000002 is deemed withdrawn",
               number="SH2026000002", status="withdrawn", due="2026-03-23T16:00:00+00:00")
        notify(session, reader.id, "hall.red_card", "Red card: application SH2026000003 is overdue",
               number="SH2026000003", step="handle", share=80)
        notify(session, reader.id, "hall.status", "Application SH2026000004: paused", number="SH2026000004",
               status="paused")
        notify(session, reader.id, "hall.supply_extended", "Application SH2026000005: supply the materials by "
               "2026-03-31", number="SH2026000005", status="materials", due="2026-03-31T16:00:00+00:00")
    with session_scope(settings.effective_database_url) as session:
        assert send_pending(settings, session) == 6
    subjects = sorted(str(make_header(decode_header(m["Subject"]))) for m in sink.messages)
    asked = next(m for m in sink.messages if "需要补正材料" in str(make_header(decode_header(m["Subject"]))))
    payload = asked.get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode("utf-8")
    assert "期限：2026年3月23日24时（北京时间）" in body and "16:00" not in body  # the limit as it is written
    assert subjects == sorted(["【知识产权公共服务平台】Application SH2026000004: paused",
                               "【知识产权公共服务平台】办件 SH2026000001 需要补正材料",
                               "【知识产权公共服务平台】办件 SH2026000001：已办结",
                               "【知识产权公共服务平台】办件 SH2026000002 逾期未补正，视为撤回",
                               "【知识产权公共服务平台】【红牌】办件 SH2026000003 已超期",
                               "【知识产权公共服务平台】办件 SH2026000005 的补正期限已延长"])


def test_the_subject_names_the_site_in_the_readers_language(embedded_settings: Settings,
                                                            smtp: tuple[MailSink, int]) -> None:
    """A Chinese reader's subjects opened with "[IP Commons]": the site's name as the portal's Chinese
    header writes it (the catalog's translation), in Chinese brackets; an English reader's keep it."""
    from api.i18n import translations
    from core.i18n import Language
    from core.mail import SUBJECT_PREFIXES, subject

    assert translations(Language.zh).gettext("IP Commons") in SUBJECT_PREFIXES[Language.zh]
    assert subject("您的密码已更改", Language.zh) == "【知识产权公共服务平台】您的密码已更改"
    assert subject("Your password was changed", Language.en) == "[IP Commons] Your password was changed"
    sink, port = smtp
    settings = embedded_settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
    with session_scope(settings.effective_database_url) as session:
        chosen = create_user(session, "chose-zh@example.org", "correct horse battery")
        chosen.language = "zh"
        asked = create_user(session, "asked-zh@example.org", "correct horse battery")  # no language chosen
        english = create_user(session, "en@example.org", "correct horse battery")
        english.language = "en"
        notify(session, chosen.id, "forum.reply", "New reply in 'LED'", topic_title="LED 散热")
        notify(session, asked.id, "alert", "[red] Growth", alert_id=1, lang="zh")  # the subscription's language
        notify(session, english.id, "forum.reply", "New reply in 'LED'", topic_title="LED 散热", lang="zh")
    with session_scope(settings.effective_database_url) as session:
        assert send_pending(settings, session) == 3
    subjects = {m["To"]: str(make_header(decode_header(m["Subject"]))) for m in sink.messages}
    assert subjects == {"chose-zh@example.org": "【知识产权公共服务平台】“LED 散热”有新回复",
                        "asked-zh@example.org": "【知识产权公共服务平台】[red] Growth",
                        "en@example.org": "[IP Commons] New reply in 'LED'"}


def test_a_changed_password_is_told_by_mail_even_to_those_who_want_no_mail(
        embedded_settings: Settings, smtp: tuple[MailSink, int]) -> None:
    """Changed on the account page, by a reset link or by an operator: the owner hears of it in
    their language, with what to do if it was not them, even with notification mail turned off
    (it is how a password changed by someone else comes to light). A refused change tells nobody."""
    from sqlalchemy import select

    from core.accounts import password_reset
    from core.accounts.service import change_password
    from core.audit import AuditContext, Writer
    from core.errors import PermissionDenied
    from core.notifications import PASSWORD_CHANGED, Notification

    sink, port = smtp
    settings = embedded_settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port,
                                                    "public_url": "https://ip.example/"})
    with session_scope(settings.effective_database_url) as session:
        quiet = create_user(session, "quiet@example.org", "correct horse battery")
        quiet.email_notifications = False
        reader = create_user(session, "zh@example.org", "correct horse battery")
        reader.language = "zh"
        session.commit()
        mine = Writer(session, quiet, AuditContext(actor_id=quiet.id, client_ip="test"))
        with pytest.raises(PermissionDenied):
            change_password(mine, "not the password", "a new password 456")
        session.rollback()
        assert session.scalars(select(Notification).where(Notification.kind == PASSWORD_CHANGED)).all() == []
        change_password(Writer(session, quiet, AuditContext(actor_id=quiet.id, client_ip="test")),
                        "correct horse battery", "a new password 456")
        password_reset.set_by_operator(Writer(session, None, AuditContext(client_ip="cli"), operator=True),
                                       "zh@example.org", "a new password 789")
    with session_scope(settings.effective_database_url) as session:
        assert send_pending(settings, session) == 2
    mails = {m["To"]: m for m in sink.messages}
    english, chinese = mails["quiet@example.org"], mails["zh@example.org"]
    assert str(make_header(decode_header(english["Subject"]))) == "[IP Commons] Your password was changed"
    english_body, chinese_body = (bytes(m.get_payload(decode=True)).decode() for m in (english, chinese))
    assert "https://ip.example/password/forgot" in english_body
    assert "someone else may know your password" in english_body
    assert str(make_header(decode_header(chinese["Subject"]))) == "【知识产权公共服务平台】您的密码已更改"
    assert "如非本人操作" in chinese_body and "https://ip.example/password/forgot" in chinese_body


def test_an_old_backlog_is_not_mailed_and_each_notice_is_claimed_once(embedded_settings: Settings,
                                                                        smtp: tuple[MailSink, int]) -> None:
    """A platform whose scheduler never ran (make run's worker had none) had every notice unmailed:
    switched on, it mailed months of them. Only recent ones are mailed; each is claimed before it is
    sent, so a second scheduler's run at the same moment sends none of them again."""
    sink, port = smtp
    settings = embedded_settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
    with session_scope(settings.effective_database_url) as session:
        user = create_user(session, "backlog@example.org", "correct horse battery")
        notify(session, user.id, "alert", "Red alert: LED, last spring")
        notify(session, user.id, "alert", "Red alert: LED, today")
        session.flush()
        old, new = session.scalars(select(Notification.id).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)).all()
        session.execute(update(Notification).where(Notification.id == old)
                        .values(created_at=utcnow() - MAIL_WITHIN - timedelta(hours=1)))
    with session_scope(settings.effective_database_url) as session:
        assert send_pending(settings, session) == 1
        assert _claim(session, new) is False  # mailed: claimed already
        assert session.get(Notification, old).emailed_at is None  # kept in the inbox, never mailed
    [mail] = sink.messages
    assert "today" in str(make_header(decode_header(mail["Subject"])))
