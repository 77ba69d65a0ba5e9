"""The one place configuration is read: environment variables with the ``IPC_`` prefix.

Everything the embedded default keeps (SQLite database, embedded search index, broker,
keys, uploads) lives under ``data_dir``, so pointing ``IPC_DATA_DIR`` at an empty folder
gives a fresh, independent platform.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class BackendKind(StrEnum):
    """The search backend: Elasticsearch (production, scale-out) or the embedded SQLite FTS5 index."""

    elasticsearch = "elasticsearch"
    embedded = "embedded"

    @classmethod
    def _missing_(cls, value: object) -> BackendKind | None:
        return cls.elasticsearch if value == "es" else None  # the short name people type


class BrokerKind(StrEnum):
    redis = "redis"
    embedded = "embedded"


class RouteLimit(BaseModel):
    """How many requests of one kind a signed-in user, and one client address (all its users and
    visitors together), may make per window; ``IPC_LIMIT_SEARCH='{"per_user": 120, "per_ip": 600}'``."""

    model_config = ConfigDict(frozen=True)
    per_user: int = Field(gt=0)
    per_ip: int = Field(gt=0)
    window_seconds: int = Field(default=60, gt=0)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IPC_", env_file=None, extra="ignore")

    data_dir: Path = Field(default=Path("./var"), description="All state of the embedded default.")
    database_url: str | None = Field(default=None, description="Unset: SQLite file in data_dir.")
    elasticsearch_url: str | None = Field(default=None, description="Unset: embedded search backend.")
    broker_url: str | None = Field(default=None, description="Unset: embedded SQLite broker.")
    redis_url: str | None = Field(default=None, description="Rate limits and caches; unset: in process.")
    shared_data_dir: Path = Field(default=Path("../shared/data"), description="Real patent XML.")
    secret_key: SecretStr | None = Field(default=None, description="JWT signing; unset: kept in data_dir.")
    signing_key_passphrase: SecretStr | None = Field(default=None, description="Encrypts the platform key.")
    es_index_prefix: str = Field(default="patents", description="Alias name; the index is <alias>-v1.")
    access_token_minutes: int = 60
    login_attempts_per_minute: int = 6
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Addresses or networks of the reverse proxies in front of the app, "
        "comma-separated; X-Forwarded-For and X-Forwarded-Proto are believed only from them. Unset: from nobody.")
    # Limits on the expensive routes (api/middleware.py names them), generous for people and the demo.
    limit_search: RouteLimit = Field(default=RouteLimit(per_user=120, per_ip=600),
                                     description="Searches, similar documents, dashboards and indicators.")
    limit_export: RouteLimit = Field(default=RouteLimit(per_user=30, per_ip=120), description="CSV/JSONL exports.")
    limit_report: RouteLimit = Field(default=RouteLimit(per_user=20, per_ip=60), description="Report requests.")
    limit_upload: RouteLimit = Field(default=RouteLimit(per_user=30, per_ip=120),
                                     description="Copyright registrations, file checks and uploaded materials.")
    limit_rights: RouteLimit = Field(default=RouteLimit(per_user=30, per_ip=120, window_seconds=600),
                                     description="Licence offers and transfers: each one mails another person.")
    max_body_bytes: int = Field(default=1_048_576, description="JSON request bodies larger than this: 413.")
    max_upload_bytes: int = Field(default=512 * 1024 * 1024)
    smtp_host: str | None = Field(default=None, description="Unset: notifications stay in the inbox only.")
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    mail_from: str = Field(default="IP Commons <noreply@ipcommons.local>")
    public_url: str = Field(default="http://127.0.0.1:8000", description="Where people reach the portal (links "
                            "in e-mails and certificates).")
    copyright_log_origin: str = Field(default="ipcommons.local/copyright-log",
                                      description="The transparency log's name in its checkpoints.")
    copyright_witnesses: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="URLs of the witnesses (C2SP tlog-witness) asked to cosign each new "
        "checkpoint, comma-separated or a JSON list; unset: none.")

    @field_validator("copyright_witnesses", mode="before")
    @classmethod
    def _witness_urls(cls, value: object) -> object:
        """``http://a:7380,http://b:7380`` or ``["http://a:7380"]``; each an http(s) URL."""
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else [u for u in text.replace(",", " ").split() if u]
        if isinstance(value, list):
            for url in value:
                if not isinstance(url, str) or not url.startswith(("http://", "https://")) or len(url) > 500:
                    raise ValueError(f"a witness is an http(s) URL of at most 500 characters, not {url!r}")
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxy_networks(cls, value: object) -> object:
        """``10.0.0.5, 172.16.0.0/12``: each an IP address or network (normalised), never everyone."""
        if isinstance(value, str):
            value = [v for v in value.replace(",", " ").split() if v]
        if isinstance(value, list):
            networks = []
            for item in value:
                try:
                    network = ipaddress.ip_network(str(item).strip(), strict=False)
                except ValueError as exc:
                    raise ValueError(f"a trusted proxy is an IP address or network, not {item!r}") from exc
                if network.prefixlen == 0:
                    raise ValueError(f"{item!r} would trust every address to say who the client is")
                networks.append(str(network))
            value = networks
        return value

    # --- derived locations -------------------------------------------------------------
    @property
    def resolved_data_dir(self) -> Path:
        path = self.data_dir.expanduser().resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.resolved_data_dir / 'ipcommons.sqlite'}"

    @property
    def effective_broker_url(self) -> str:
        return self.broker_url or f"sqla+sqlite:///{self.resolved_data_dir / 'broker.sqlite'}"

    @property
    def result_backend_url(self) -> str:
        if self.broker_url and self.broker_url.startswith("redis"):
            return self.broker_url
        return f"db+sqlite:///{self.resolved_data_dir / 'results.sqlite'}"

    @property
    def embedded_index_path(self) -> Path:
        return self.resolved_data_dir / "search.sqlite"

    @property
    def search_backend_kind(self) -> BackendKind:
        return BackendKind.elasticsearch if self.elasticsearch_url else BackendKind.embedded

    @property
    def broker_kind(self) -> BrokerKind:
        return BrokerKind.redis if self.broker_url and self.broker_url.startswith("redis") else BrokerKind.embedded

    @property
    def incoming_dir(self) -> Path:
        """Where files for API-started loads are placed (besides the shared data)."""
        return self.resolved_data_dir / "incoming"

    @property
    def load_roots(self) -> list[Path]:
        """The only folders an API-started load may read."""
        return [self.shared_data_dir.resolve(), self.incoming_dir]

    @property
    def patents_dir(self) -> Path:
        return self.shared_data_dir / "patents"

    def jwt_secret(self) -> str:
        """The JWT key: the configured one, else a random one created once under data_dir."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.resolved_data_dir / "secret_key"
        if not path.exists():  # written whole, then linked in: workers starting together read one key
            draft = path.with_name(f".secret_key.{os.getpid()}")
            with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
                out.write(secrets.token_urlsafe(48))
            try:
                os.link(draft, path)  # fails if another process linked its key first: that one is kept
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def serve_at(host: str, port: int) -> Settings:
    """The settings of ``ipcommons serve``: unless IPC_PUBLIC_URL is set, links in mail (a password
    link, a certificate's QR code) point at the address served. Set in the environment, so the
    worker ``serve`` starts reads it too."""
    if "IPC_PUBLIC_URL" not in os.environ and host not in ("0.0.0.0", "::"):  # noqa: S104 - compared, not bound
        os.environ["IPC_PUBLIC_URL"] = f"http://{host}:{port}"
        get_settings.cache_clear()
    return get_settings()

