"""Forgotten passwords: a link by e-mail that sets a new one.

The link carries a signed token (a JWT, as access tokens are) naming the account. It expires
after ``RESET_MINUTES`` and is bound to the password it replaces, so setting a new password spends
it and every other link sent before. Nothing is stored: the token is its own record. The form
answers every address alike, so it never says whether an address has an account; limits per
client address and per e-mail address keep it from mailing someone over and over. A site that
sends no mail asks its administrators instead, who make the link in the console (``link_for``) and
hand it over themselves.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import urlencode

import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import mail
from core.accounts.models import Role, User
from core.accounts.service import get_user, normalise_email, replace_password
from core.audit import AuditAction, Writer
from core.db import utcnow
from core.errors import InvalidInput, NotFound, PermissionDenied, TooManyRequests
from core.i18n import Language
from core.notifications import PASSWORD_HELP, notify, settle, waiting
from core.ratelimit import RateLimiter
from core.settings import Settings

RESET_MINUTES = 30
TOKEN_TYPE = "password-reset"  # noqa: S105 - the JWT's type claim, not a secret
HANDED = "admin"  # the ``by`` claim of a link an administrator made to hand over (link_for)
PER_ADDRESS_PER_HOUR = 3  # mails to one e-mail address
PER_CLIENT_PER_HOUR = 10  # requests from one client address


class ResetLinkInvalid(InvalidInput):
    """The link is malformed, expired, or was spent by a password set since it was sent."""

    def __init__(self) -> None:
        super().__init__("this link to set a new password has expired or was used already; ask for a new one")


def _bound_to(user: User) -> str:
    """A digest of the stored password hash: a token carrying it is spent once the password changes."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def _token(settings: Settings, user: User, handed: bool = False) -> str:
    """``handed``: made in the console for an administrator to hand over (claim ``by``), a link that
    must never open an administrator's account, even one promoted since it was made."""
    now = utcnow()
    claims = {"sub": str(user.id), "typ": TOKEN_TYPE, "pwd": _bound_to(user), "iat": int(now.timestamp()),
              "exp": int((now + timedelta(minutes=RESET_MINUTES)).timestamp())} | ({"by": HANDED} if handed else {})
    return jwt.encode(claims, settings.jwt_secret(), algorithm="HS256")


def _link(settings: Settings, token: str) -> str:
    """The token after "#": browsers never send that part, so it stays out of access logs, proxies'
    logs and Referer headers (the page's script puts it in the form)."""
    return f"{settings.public_url.rstrip('/')}/password/reset#{urlencode({'token': token})}"


def _mail(settings: Settings, user: User, link: str, lang: Language) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = user.email
    if lang is Language.zh:
        msg["Subject"] = mail.subject("重设密码", lang)
        text = [f"{user.display_name}，您好：", "", f"请在 {RESET_MINUTES} 分钟内打开下面的链接，设置新密码：",
                link, "", "链接只能使用一次。如果您没有申请重设密码，请忽略这封邮件，您的密码不会改变。"]
    else:
        msg["Subject"] = mail.subject("Set a new password", lang)
        text = [f"Hello {user.display_name},", "",
                f"Open this link within {RESET_MINUTES} minutes to set a new password:", link, "",
                "The link works once. If you did not ask for it, ignore this mail: your password stays as it is."]
    msg.set_content("\n".join(text))
    return msg


def ask_for_link(w: Writer, settings: Settings, limiter: RateLimiter, client_ip: str | None, email: str,
                 lang: Language) -> EmailMessage | None:
    """Someone asks for a link to set a new password for ``email``'s account: the mail with the link,
    to be sent by the caller, or None when no active account uses the address (the caller says the
    same either way). A site that sends no mail asks its administrators instead (``_ask_administrators``)
    and returns None."""
    user = _asked_for(w, limiter, client_ip, email)
    if user is not None and not mail.enabled(settings):
        _ask_administrators(w, user)
    elif user is not None:
        w.audit(AuditAction.user_password_reset_request, "user", user.id)
        w.commit()
        return _mail(settings, user, _link(settings, _token(settings, user)), Language(user.language or lang))
    return None


def _ask_administrators(w: Writer, user: User) -> None:
    """Each active administrator is told in their inbox that a link was asked for ``user``: they make
    it in the console (``link_for``) and hand it to the holder themselves. Anyone may ask for any
    address, so the notice says so; one unanswered notice per account and administrator (asking again
    adds none), settled when a link is made. An administrator's own account is handed no link
    (``link_for``): the request is audited and asks no one (the page says how they get back in)."""
    asked = "nobody" if user.role is Role.admin else "administrators"
    admins = [] if user.role is Role.admin else list(
        w.session.scalars(select(User.id).where(User.role == Role.admin, User.is_active.is_(True))))
    for admin_id in admins:
        if not waiting(w.session, admin_id, PASSWORD_HELP, account_id=user.id):
            notify(w.session, admin_id, PASSWORD_HELP, f"a link to set a new password was asked for {user.email}",
                   email=user.email, account_id=user.id)
    w.audit(AuditAction.user_password_reset_request, "user", user.id, asked=asked)
    w.commit()


def _asked_for(w: Writer, limiter: RateLimiter, client_ip: str | None, email: str) -> User | None:
    """The active account a request for a link names, within the limits per client and per address
    (counted whether or not an account uses it); None for no such account."""
    address = normalise_email(email)
    decision = limiter.hit({f"reset:{client_ip or 'unknown'}": PER_CLIENT_PER_HOUR,
                            f"reset-mail:{address}": PER_ADDRESS_PER_HOUR}, 3600)
    if not decision.allowed:
        raise TooManyRequests("too many requests for a new password; wait an hour and retry",
                              retry_after=decision.retry_after)
    user = w.session.scalar(select(User).where(User.email == address))
    return user if user is not None and user.is_active else None


def account_of(session: Session, settings: Settings, token: str, for_update: bool = False) -> User:
    """The account a reset link is for, if the link still works; ``for_update`` locks its row
    (PostgreSQL), so two tabs sending one link cannot both set a password."""
    try:
        claims = jwt.decode(token, settings.jwt_secret(), algorithms=["HS256"],
                            options={"require": ["exp", "sub", "typ", "pwd"]})
        user_id = int(claims["sub"])
    except (jwt.PyJWTError, TypeError, ValueError) as exc:
        raise ResetLinkInvalid() from exc
    user = session.get(User, user_id, with_for_update=True if for_update else None, populate_existing=for_update)
    if claims["typ"] != TOKEN_TYPE or user is None or not user.is_active or claims["pwd"] != _bound_to(user):
        raise ResetLinkInvalid()
    if claims.get("by") == HANDED and user.role is Role.admin:  # its member promoted since (or demoted, then back)
        raise ResetLinkInvalid()
    return user


def check_link(session: Session, settings: Settings, token: str) -> None:
    """Whether a reset link still works, before its form is filled in (ResetLinkInvalid if not):
    a spent link opened again says so at once, not after a new password is typed."""
    account_of(session, settings, token)
    session.rollback()  # nothing read is kept


def set_new_password(w: Writer, settings: Settings, token: str, new: str) -> User:
    """Set the password a reset link is for."""
    user = account_of(w.session, settings, token, for_update=True)
    w.ctx.actor_id = user.id
    _replace(w, user, new, by="link")
    return user


@dataclass(frozen=True)
class HandedLink:
    """A link to set a new password that an administrator hands over: whose it is, and for how long it works."""

    email: str
    link: str
    minutes: int = RESET_MINUTES


def link_for(w: Writer, settings: Settings, user_id: int) -> HandedLink:
    """A link for ``user_id``'s account to set a new password, made by an administrator for someone
    who lost theirs where no mail reaches them (a site that sends none): "ask an administrator" led
    nowhere but the command line. It is the mailed link, given by a channel the two trust: it works
    once, for RESET_MINUTES, and a password set since spends it. Audited, as a mailed one is. Not
    for another administrator: whoever opens the link acts as that account (an administrator's
    password is set from their own account page or from the command line)."""
    w.require_admin()
    user = get_user(w.session, user_id)
    if user.role is Role.admin:
        raise PermissionDenied("an administrator's password is not set by a link from the console: they change "
                               "it on their account page, or the operator sets it from the command line")
    if not user.is_active:
        raise InvalidInput("a deactivated account cannot set a password: reactivate it first")
    w.audit(AuditAction.user_password_reset_request, "user", user.id, by="admin")
    for admin_id in w.session.scalars(select(User.id).where(User.role == Role.admin)):  # asked: answered now
        settle(w.session, admin_id, PASSWORD_HELP, "handed", account_id=user.id)
    w.commit()
    return HandedLink(email=user.email, link=_link(settings, _token(settings, user, handed=True)))


def set_by_operator(w: Writer, email: str, new: str) -> User:
    """Set an account's password from the command line (``ipcommons users set-password``): the
    way back in on a site that sends no e-mail. The console's operator (or an administrator) only."""
    w.require_admin()
    user = w.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound.said("no account uses the e-mail %(email)s", email=email)
    _replace(w, user, new, by="operator")
    return user


def _replace(w: Writer, user: User, new: str, by: str) -> None:
    """The new password, and every browser of the account signed out. API keys stay valid
    (integrations keep running); the form and the account page list them, to revoke any one does
    not recognise."""
    replace_password(w, user, new, AuditAction.user_password_reset, by=by)
