"""The CLI: doctor prints the service table; users create-admin works and is audited."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from core.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=REPO, env=env, text=True,
                          capture_output=True, timeout=120)


def test_doctor_prints_each_service(prod_settings: Settings) -> None:
    env = {**os.environ, "IPC_DATA_DIR": str(prod_settings.resolved_data_dir), "COLUMNS": "200"}
    r = _cli(["doctor"], env)
    assert r.returncode == 0, r.stdout + r.stderr
    for word in ("database", "postgresql", "search", "elasticsearch 8.", "broker", "redis"):
        assert word in r.stdout, word


def test_doctor_fails_when_a_service_is_down(tmp_path: Path) -> None:
    env = {**os.environ, "IPC_DATA_DIR": str(tmp_path), "IPC_ELASTICSEARCH_URL": "http://127.0.0.1:1",
           "IPC_DATABASE_URL": "", "COLUMNS": "200"}
    env.pop("IPC_DATABASE_URL")
    r = _cli(["doctor"], env)
    assert r.returncode == 1
    assert "no" in r.stdout and "search" in r.stdout


def test_create_admin(embedded_settings: Settings) -> None:
    from core.accounts.models import Role, User
    from core.audit import AuditRecord
    from core.db import session_scope

    env = {k: v for k, v in os.environ.items() if not k.startswith("IPC_")}
    env.update(IPC_DATA_DIR=str(embedded_settings.resolved_data_dir), IPC_ADMIN_PASSWORD="a long admin password")
    r = _cli(["users", "create-admin", "root@example.org"], env)
    assert r.returncode == 0, r.stdout + r.stderr
    with session_scope(embedded_settings.effective_database_url) as session:
        user = session.scalar(select(User).where(User.email == "root@example.org"))
        assert user is not None and user.role == Role.admin
        assert session.scalar(select(AuditRecord.action).where(AuditRecord.object_id == str(user.id))) == (
            "user.create_admin")
    bad = _cli(["users", "create-admin", "not-an-email"], env)
    assert bad.returncode == 2 and "not an e-mail" in (bad.stdout + bad.stderr)
