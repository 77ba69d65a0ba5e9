"""Celery tasks of the copyright registry."""

from __future__ import annotations

from pathlib import Path

from celery import shared_task

from core.db import session_scope
from core.settings import Settings, get_settings

# Raised when the printed certificate's layout or wording changes: files of an older one are not served.
PDF_LAYOUT = 2  # 2: Chinese first


def pdf_path(settings: Settings, number: str, status: str) -> Path:
    """Where the worker puts a registration's PDF certificate (and the API looks for it), named by
    the status it prints and its layout: a registration disputed or revoked after its PDF was made
    gets a new one, not a file still saying 已登记."""
    return settings.resolved_data_dir / "certificates" / f"{number}.{status}.v{PDF_LAYOUT}.pdf"


@shared_task(name="copyright.render_certificate_pdf")
def render_certificate_pdf(number: str) -> str:
    """Render with the QR code pointing at the public record page under ``IPC_PUBLIC_URL``."""
    from copyright.pdf import render_pdf
    from copyright.registry import certificate, get_registration

    settings = get_settings()
    with session_scope() as session:
        cert = certificate(session, settings, get_registration(session, number))
    made = render_pdf(cert, settings.public_url, pdf_path(settings, number, cert["status"]))
    for older in made.parent.glob(f"{number}.*pdf"):  # earlier statuses and layouts, and the first N.pdf
        if older != made:
            older.unlink(missing_ok=True)
    return str(made)
