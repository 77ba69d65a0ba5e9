"""Settings: one place, IPC_ prefix, every embedded state file under IPC_DATA_DIR."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import Settings

REPO = Path(__file__).resolve().parents[2]


def test_env_prefix_and_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("IPC_DATABASE_URL", "IPC_ELASTICSEARCH_URL", "IPC_BROKER_URL", "IPC_REDIS_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("IPC_DATA_DIR", str(tmp_path / "fresh"))
    s = Settings()
    root = str((tmp_path / "fresh").resolve())
    assert s.search_backend_kind == "embedded" and s.broker_kind == "embedded"
    for location in (s.effective_database_url, s.effective_broker_url, s.result_backend_url,
                     str(s.embedded_index_path)):
        assert root in location, location
    secret = s.jwt_secret()
    assert (tmp_path / "fresh" / "secret_key").read_text().strip() == secret
    assert Settings().jwt_secret() == secret  # stable across restarts


def test_nothing_else_reads_the_environment() -> None:
    """Only core/settings.py reads environment variables."""
    repo = Path(__file__).resolve().parents[2]
    offenders = []
    for package in ("core", "api", "ipsearch", "loaders", "analytics", "copyright", "community", "servicehall",
                    "backup"):
        for path in (repo / package).rglob("*.py"):
            if path.name == "settings.py" and path.parent.name == "core":
                continue
            text = path.read_text()
            if "os.environ" in text or "os.getenv" in text:
                offenders.append(str(path.relative_to(repo)))
    assert offenders == []


def test_dependencies_point_one_way() -> None:
    """api -> features -> core; loaders -> ipsearch; nothing imports api; core imports no feature."""
    import ast

    repo = Path(__file__).resolve().parents[2]
    features = {"ipsearch", "loaders", "analytics", "copyright", "community", "servicehall"}
    problems = []
    for package in ("core", "ipsearch", "loaders", "analytics", "copyright", "community", "demo", "servicehall"):
        for path in (repo / package).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    if top == "api" or (package == "core" and top in features) or (
                        package == "ipsearch" and top == "loaders"):
                        problems.append(f"{path.relative_to(repo)} imports {name}")
    assert problems == []


def test_processes_starting_together_read_one_secret(tmp_path: Path) -> None:
    """Workers of one server sign cursors and tokens with the key they read at start: eight
    processes creating it at once all read the same one, kept private, with no draft left over."""
    code = ("import sys; from core.settings import Settings; "
            "print(Settings(data_dir=sys.argv[1], database_url=None).jwt_secret())")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], cwd=REPO, stdout=subprocess.PIPE,
                              text=True) for _ in range(8)]
    keys = {proc.communicate(timeout=120)[0].strip() for proc in procs}
    assert len(keys) == 1 and len(keys.pop()) > 40
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
