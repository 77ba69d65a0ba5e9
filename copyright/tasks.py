"""Celery tasks of the copyright registry."""

from __future__ import annotations

from celery import shared_task

from core.db import session_scope
from core.settings import get_settings


@shared_task(name="copyright.render_certificate_pdf")
def render_certificate_pdf(number: str, base_url: str) -> str:
    from copyright.pdf import render_pdf
    from copyright.registry import certificate, get_registration

    settings = get_settings()
    with session_scope() as session:
        cert = certificate(session, settings, get_registration(session, number))
    out = settings.resolved_data_dir / "certificates" / f"{number}.pdf"
    return str(render_pdf(cert, base_url, out))
