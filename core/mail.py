"""E-mail through the configured SMTP server: notifications, and password links.

Notifications are written to the inbox first (the durable record); ``send_pending`` then mails
each one not yet mailed to users who want e-mail, and marks it, so a mail server that is down
delays mail but loses none, and a notification is mailed once. A password link is secret and
short-lived, so it never waits in the inbox: ``send_now`` sends it at once or logs the failure.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from email.message import EmailMessage

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from core.accounts.models import User
from core.db import utcnow
from core.i18n import SHOWN_ZONE, Language, written_day
from core.notifications import PASSWORD_CHANGED, PASSWORD_HELP, ROLE_CHANGED, SECURITY_KINDS, Notification
from core.settings import Settings

log = logging.getLogger(__name__)
BATCH = 200


# Titles in Chinese for the kinds a Chinese reader gets most, filled from the payload; other kinds
# (and payloads that lack a value) keep the title the notification was written with.
# Alerts (kind "alert") are looked up by their rule: "alert.<rule>".
ZH_TITLES = {PASSWORD_CHANGED: "您的密码已更改", PASSWORD_HELP: "有人为 {email} 申请设置新密码的链接",
             "collection.new_matches": "{count} 件新文献命中您的专题库“{collection_name}”",
             "alert.foreign_growth": "【{severity_zh}预警】国外申请人 {owner}：近{months}个月公开{n}件，"
                                     "较上期增长{growth}%",
             "alert.competitor_new_subclass": "【{severity_zh}预警】关注的竞争对手 {owner} 进入 {subclass}"
                                              "（{n}件公开）",
             "alert.concentration_band": "【{severity_zh}预警】申请人集中度由{before}（HHI {previous_hhi}）变为{after}"
                                         "（HHI {hhi}）",
             "alert.product_keywords": "【{severity_zh}预警】新专利 {pn} 的权利要求含有您的{n}个产品关键词：{keywords}",
             "copyright.licence_offer": "{counterpart} 向您提出“{work_title}”的许可要约",
             "copyright.licence_accepted": "{counterpart} 接受了您对“{work_title}”的许可",
             "copyright.licence_declined": "{counterpart} 拒绝了您对“{work_title}”的许可",
             "copyright.licence_withdrawn": "{counterpart} 撤回了向您提出的“{work_title}”许可要约",
             "copyright.transfer_received": "{counterpart} 向您转让了“{work_title}”的权利",
             "copyright.licence_granted": "{counterpart} 授予您“{work_title}”的许可，已记入公开日志",
             "copyright.disputed": "{counterpart} 对您的作品“{work_title}”的登记提出了争议",
             "forum.reply": "“{topic_title}”有新回复",
             "forum.quote": "您在“{topic_title}”中被引用",
             "forum.mention": "有人在“{topic_title}”中提到了您",
             "forum.post_hidden": "版主隐藏了您在“{topic_title}”中的第 {post_number} 楼帖子",
             "forum.post_restored": "版主恢复显示了您在“{topic_title}”中的第 {post_number} 楼帖子",
             "forum.post_deleted": "版主删除了您在“{topic_title}”中的第 {post_number} 楼帖子",
             "forum.topic_hidden": "版主隐藏了您的主题“{topic_title}”",
             "forum.topic_restored": "版主恢复显示了您的主题“{topic_title}”",
             "forum.topic_deleted": "版主删除了您的主题“{topic_title}”",
             ROLE_CHANGED: "您在平台上的角色已变更",
             "agency.claim_approved": "您对代理机构“{agency_name}”的认领已通过",
             "agency.claim_rejected": "您对代理机构“{agency_name}”的认领未获通过",
             "copyright.duplicate_held": "后来的登记（{held}）作为您的作品“{work_title}”的重复登记转入审查",
             "hall.new_application": "新办件 {number}",
             "hall.status": "办件 {number}：{status_zh}",
             "hall.materials": "办件 {number} 需要补正材料",
             "hall.lapsed": "办件 {number} 逾期未补正，视为撤回",
             "hall.supply_extended": "办件 {number} 的补正期限已延长",
             "hall.assigned": "办件 {number} 已分派给您",
             "hall.yellow_card": "【黄牌】办件 {number} 已用去本环节时限的{share}%",
             "hall.red_card": "【红牌】办件 {number} 已超期",
             "hall.rescheduled": "办件 {number} 的承诺办结时间已按{year}年节假日安排重新计算"}
# the HHI bands as the pages, the reports (analytics.i18n) and the catalog name them
ZH_WORDS = {"red": "红色", "yellow": "黄色", "unconcentrated": "非集中", "moderately concentrated": "中度集中",
            "highly concentrated": "高度集中"}
# the service hall's statuses as the portal's catalog names them (a status the table lacks leaves the
# title as written)
ZH_STATUSES = {"submitted": "待受理", "materials": "待补正", "handling": "承办中", "reviewing": "审核中",
               "approving": "待批准", "completed": "已办结", "rejected": "驳回", "withdrawn": "已撤回"}


# What a subject opens with: the site's name as the portal's header writes it in the reader's
# language (the catalog's "IP Commons"), in the brackets each language marks a sender with.
SUBJECT_PREFIXES = {Language.en: "[IP Commons] ", Language.zh: "【知识产权公共服务平台】"}


def subject(title: str, lang: Language) -> str:
    """A mail's subject: the site's name in ``lang``, then ``title`` (which is in that language)."""
    return SUBJECT_PREFIXES[lang] + title


# What to do next, for the kinds that need more than a title (English, Chinese).
ADVICE = {PASSWORD_CHANGED: (
    "If this was not you, someone else may know your password: set a new one at {site}/password/forgot "
    "at once, and tell the site's administrator.",
    "如非本人操作，您的密码可能已泄露：请立即在 {site}/password/forgot 重设密码，并告知网站管理员。")}


def _reads_chinese(user: User, note: Notification) -> bool:
    return (user.language or str(note.payload.get("lang") or "")).startswith("zh")


def _title(user: User, note: Notification) -> str:
    """In the user's language or, when they chose none, the language the notification asks for
    (an alert: its subscription's)."""
    if not _reads_chinese(user, note):
        return note.title
    template = ZH_TITLES.get(f"{note.kind}.{note.payload.get('rule')}") or ZH_TITLES.get(note.kind)
    values = dict(note.payload)
    for key in ("before", "after"):  # concentration bands
        values[key] = ZH_WORDS.get(str(values.get(key)), values.get(key))
    values["severity_zh"] = ZH_WORDS.get(str(note.payload.get("severity")), "")
    if (status := ZH_STATUSES.get(str(note.payload.get("status")))) is not None:
        values["status_zh"] = status
    try:
        return template.format(**values) if template else note.title
    except KeyError:
        return note.title


def _message(settings: Settings, user: User, note: Notification) -> EmailMessage:
    title = _title(user, note)
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = user.email
    msg["Subject"] = subject(title, Language.zh if _reads_chinese(user, note) else Language.en)
    site = settings.public_url.rstrip("/")
    link = site + "/inbox"
    zh = _reads_chinese(user, note)
    body = [title, "", *(_due_line(v, zh) if k == "due" else f"{k}: {v}" for k, v in sorted(note.payload.items())
                         if not isinstance(v, list | dict))]
    if (advice := ADVICE.get(note.kind)) is not None:
        body += ["", advice[1 if zh else 0].format(site=site)]
    msg.set_content("\n".join(body + ["", f"Inbox / 消息: {link}"]))
    return msg


def _due_line(value: object, zh: bool) -> str:
    """A time limit (``due``, ISO 8601) as people write one: its last day, 24:00 Beijing time (it is
    stored as the next day's 00:00), not "2026-03-23T16:00:00+00:00", read as 16:00."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return f"due: {value}"
    local = moment.astimezone(SHOWN_ZONE)
    if local.time() != time():
        return f"截止时间：{local:%Y-%m-%d %H:%M}（北京时间）" if zh else f"Due: {local:%Y-%m-%d %H:%M} Beijing time"
    day = written_day(local.date() - timedelta(days=1), Language.zh if zh else Language.en)
    return f"期限：{day}24时（北京时间）" if zh else f"Due: {day}, 24:00 Beijing time"


@contextmanager
def _connected(settings: Settings) -> Iterator[smtplib.SMTP]:
    """A connection to the configured SMTP server, with STARTTLS and login when configured."""
    assert settings.smtp_host, "callers check that mail is configured"
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:  # the server's certificate checked: a password link must not travel to a stranger
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user and settings.smtp_password:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        yield smtp


def send_now(settings: Settings, msg: EmailMessage) -> None:
    """Send one mail that must not wait in the inbox (a password link): a failure is logged, and
    the person asks again."""
    try:
        with _connected(settings) as smtp:
            smtp.send_message(msg, to_addrs=[str(msg["To"])])
    except (OSError, smtplib.SMTPException):
        log.exception("could not send %r to %s", msg["Subject"], msg["To"])


def enabled(settings: Settings) -> bool:
    """Whether this site sends mail (an SMTP host is set; an empty one is none)."""
    return bool(settings.smtp_host)


def reaches(settings: Settings, user: User | None) -> bool:
    """Whether the user's notices are mailed too: the site sends mail and the user takes it. A page
    promises e-mail only then."""
    return enabled(settings) and user is not None and user.email_notifications


# Notices older than this are not mailed: a mail about a step days ago is noise, and a platform whose
# mail was off, or whose scheduler never ran, must not empty its whole backlog into inboxes when it starts.
MAIL_WITHIN = timedelta(days=2)


def send_pending(settings: Settings, session: Session) -> int:
    """Mail the recent notifications not mailed yet (to users who want mail; security notices to
    everyone); return how many were sent. Each is claimed before it is sent, so two schedulers
    running at once (a second worker started with beat) never mail one twice."""
    if not enabled(settings):
        return 0
    rows = session.execute(select(Notification, User).join(User, User.id == Notification.user_id)
                           .where(Notification.emailed_at.is_(None), Notification.created_at >= utcnow() - MAIL_WITHIN,
                                  or_(User.email_notifications.is_(True), Notification.kind.in_(SECURITY_KINDS)))
                           .order_by(Notification.id).limit(BATCH)).all()
    if not rows:
        return 0
    sent = 0
    with _connected(settings) as smtp:
        for note, user in rows:
            if not _claim(session, note.id):
                continue  # another run took it
            try:
                smtp.send_message(_message(settings, user, note), to_addrs=[user.email])
            except Exception:
                session.execute(update(Notification).where(Notification.id == note.id).values(emailed_at=None))
                session.commit()  # unclaimed: the next run tries it again
                raise
            sent += 1
    return sent


def _claim(session: Session, note_id: int) -> bool:
    """Mark a notification mailed before mailing it, if no one else has: each mail once."""
    claimed = session.execute(update(Notification).where(Notification.id == note_id, Notification.emailed_at.is_(None))
                              .values(emailed_at=utcnow()).execution_options(synchronize_session=False))
    session.commit()
    return bool(getattr(claimed, "rowcount", 0))
