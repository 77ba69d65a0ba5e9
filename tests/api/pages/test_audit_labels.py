"""The audit trail names every action it can hold: a new ``AuditAction`` without words fails here,
not as a bare code on the console."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from api.pages.audit_labels import ACTION_LABELS, DETAIL_LABELS, OBJECT_LABELS
from core.audit import AuditAction

REPO = Path(__file__).resolve().parents[3]
PACKAGES = ("core", "ipsearch", "loaders", "analytics", "copyright", "community", "servicehall", "backup")


def test_every_action_has_words() -> None:
    assert set(ACTION_LABELS) == set(AuditAction)
    assert len(set(ACTION_LABELS.values())) == len(ACTION_LABELS)  # no two actions read alike


def test_every_object_type_written_has_words() -> None:
    """The object types the services pass to ``Writer.audit`` (a literal, or a module's OBJECT)."""
    written = set()
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            written |= set(re.findall(r"\.audit\(\s*[^,()]+,\s*\"([a-z_]+)\"", text))
            written |= set(re.findall(r"^OBJECT = \"([a-z_]+)\"", text, re.M))
    assert len(written) > 20  # the search really read the services
    assert written - set(OBJECT_LABELS) == set()


def test_every_detail_written_has_words() -> None:
    """The keyword arguments the services pass to ``Writer.audit`` (``**`` spreads aside)."""
    written = set()
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "audit":
                    written |= {k.arg for k in node.keywords if k.arg is not None}
    assert len(written) > 40
    assert written - set(DETAIL_LABELS) == set()


def test_details_read_as_words_in_the_readers_language() -> None:
    """A list of numbers reads as a list ("US1B2，US2B2", not ["US1B2", "US2B2"]), a language by its
    name (界面语言：中文, not zh); nested values stay JSON, an empty one a dash."""
    from types import SimpleNamespace

    from api.i18n import translations
    from api.pages.admin import _details
    from core.i18n import Language

    def reader(lang: Language) -> SimpleNamespace:
        return SimpleNamespace(gettext=lambda message, **values: translations(lang).gettext(message) % values
                               if values else translations(lang).gettext(message))

    details = {"pns": ["US1B2", "US2B2"], "language": "zh", "changes": {"a": [1]}, "note": "", "count": 3}
    zh = dict(_details(reader(Language.zh), details))  # type: ignore[arg-type]
    assert zh[translations(Language.zh).gettext(DETAIL_LABELS["pns"])] == "US1B2，US2B2"
    assert zh["界面语言"] == "中文"
    assert '{"a": [1]}' in zh.values() and "—" in zh.values() and "3" in zh.values()
    en = dict(_details(reader(Language.en), {"pns": ["US1B2", "US2B2"], "language": "xx"}))  # type: ignore[arg-type]
    assert en["Publication numbers"] == "US1B2, US2B2" and en["Portal language"] == "xx"
    # a service-hall event and a report's language in words (they read request_materials and zh)
    en = dict(_details(reader(Language.en), {"event": "request_materials", "lang": "zh"}))  # type: ignore[arg-type]
    assert en == {"Event": "request materials", "Report language": "Chinese"}
    zh = dict(_details(reader(Language.zh), {"event": "reject"}))  # type: ignore[arg-type]
    assert list(zh.values()) == ["驳回"]
