"""E-mail for notifications, through the configured SMTP server.

Notifications are written to the inbox first (the durable record); ``send_pending`` then mails
each one not yet mailed to users who want e-mail, and marks it, so a mail server that is down
delays mail but loses none, and a notification is mailed once.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.accounts.models import User
from core.db import utcnow
from core.notifications import Notification
from core.settings import Settings

log = logging.getLogger(__name__)
BATCH = 200


# Titles in Chinese for the kinds a Chinese reader gets most, filled from the payload; other kinds
# (and payloads that lack a value) keep the title the notification was written with.
ZH_TITLES = {"collection.new_matches": "{count} 件新文献命中您的专题库“{collection_name}”"}


def _title(user: User, note: Notification) -> str:
    template = ZH_TITLES.get(note.kind) if (user.language or "").startswith("zh") else None
    try:
        return template.format(**note.payload) if template else note.title
    except KeyError:
        return note.title


def _message(settings: Settings, user: User, note: Notification) -> EmailMessage:
    title = _title(user, note)
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = user.email
    msg["Subject"] = f"[IP Commons] {title}"
    link = settings.public_url.rstrip("/") + "/inbox"
    body = [title, "", *(f"{k}: {v}" for k, v in sorted(note.payload.items()) if not isinstance(v, list | dict))]
    msg.set_content("\n".join(body + ["", f"Inbox / 消息: {link}"]))
    return msg


def send_pending(settings: Settings, session: Session) -> int:
    """Mail the notifications not mailed yet; return how many were sent."""
    if not settings.smtp_host:
        return 0
    rows = session.execute(select(Notification, User).join(User, User.id == Notification.user_id)
                           .where(Notification.emailed_at.is_(None), User.email_notifications.is_(True))
                           .order_by(Notification.id).limit(BATCH)).all()
    if not rows:
        return 0
    sent = 0
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user and settings.smtp_password:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        for note, user in rows:
            smtp.send_message(_message(settings, user, note))
            note.emailed_at = utcnow()
            session.commit()  # each mail once, even if the next one fails
            sent += 1
    return sent
