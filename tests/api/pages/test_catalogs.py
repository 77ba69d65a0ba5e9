"""The message catalogs are complete: every string the pages show has a Chinese translation, and
the English catalog compiles (English text is the message id)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from api.i18n import translations
from core.i18n import Language

REPO = Path(__file__).resolve().parents[3]
METHODS = [("api/pages/**.py", "python"), ("api/i18n.py", "python"), ("api/templates/**.html", "jinja2")]


def _page_messages() -> set[str]:
    keywords = DEFAULT_KEYWORDS | {"N_": None}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(REPO), METHODS, keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_page_message_is_translated_to_chinese() -> None:
    messages = _page_messages()
    assert len(messages) > 100  # the extraction really read the templates
    catalog = read_po((REPO / "api/locale/zh/LC_MESSAGES/messages.po").open(encoding="utf-8"))
    untranslated = sorted(m for m in messages if not (catalog.get(m) and catalog.get(m).string))
    assert untranslated == [], "run pybabel extract/update and translate (README: Portal)"


def test_compiled_catalogs_translate() -> None:
    assert translations(Language.zh).gettext("Patent search") == "专利检索"
    assert translations(Language.en).gettext("ipc_subclass") == "IPC subclass"
    assert translations(Language.zh).gettext("%(n)s results") % {"n": "1,234"} == "共 1,234 条结果"
