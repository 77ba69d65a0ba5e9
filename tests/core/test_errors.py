"""One error family: every error the application defines derives from ``IPCommonsError``, carries
no HTTP status, and is mapped once to a problem status (API) and an exit code (CLI)."""

from __future__ import annotations

import ast
import importlib
import json
import pickle
import re
from pathlib import Path

from api.cli.errors import exit_code_of
from api.problems import status_of
from core.errors import Conflict, InvalidInput, IPCommonsError, NotFound, TooManyRequests, Unavailable
from core.i18n import Language, Listed, Named, Quoted, Term

REPO = Path(__file__).resolve().parents[2]
APP_PACKAGES = ("core", "api", "ipsearch", "loaders", "analytics", "copyright", "community", "servicehall", "backup")


def _defined_exceptions() -> list[type[BaseException]]:
    found: list[type[BaseException]] = []
    for package in APP_PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            module = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
            classes = [n.name for n in ast.parse(path.read_text()).body if isinstance(n, ast.ClassDef)]
            if not classes:
                continue
            loaded = importlib.import_module(module)
            found += [c for name in classes if isinstance(c := getattr(loaded, name), type)
                      and issubclass(c, BaseException)]
    return found


def test_every_application_error_is_in_the_family() -> None:
    errors = _defined_exceptions()
    assert len(errors) >= 15  # the walk really found the error classes
    outside = [f"{e.__module__}.{e.__qualname__}" for e in errors if not issubclass(e, IPCommonsError)]
    assert outside == []


_DRAWN = re.compile(r"^(?P<indent>[ │]*)[├└]── (?P<name>\w+)\s*(?:\((?P<module>[\w.]+)\))?\s*(?P<also>\w+:)?")


def _drawing() -> list[tuple[str, str | None, str | None, str | None]]:
    """(class, drawn parent, module named, second base named) for each line of ``core.errors``' tree."""
    import core.errors

    lines = (core.errors.__doc__ or "").splitlines()
    drawn: list[tuple[str, str | None, str | None, str | None]] = []
    parents: dict[int, str] = {0: "IPCommonsError"}
    for line in lines:
        if (found := _DRAWN.match(line.removeprefix("    "))) is None:
            continue
        depth = len(found["indent"]) // 4 + 1
        parents[depth] = found["name"]
        drawn.append((found["name"], parents[depth - 1], found["module"], (found["also"] or "").rstrip(":") or None))
    return drawn


def test_the_tree_in_core_errors_draws_every_error_where_it_is() -> None:
    """The docstring's tree is the family's one drawing: every public error class, under its
    parent, with its module; a class added, moved or removed without redrawing fails here."""
    defined = {e.__name__: e for e in _defined_exceptions() if not e.__name__.startswith("_")}
    drawn = _drawing()
    assert sorted(name for name, *_ in drawn) == sorted(set(defined) - {"IPCommonsError"})
    homes: dict[str | None, str] = {"IPCommonsError": "core.errors"}
    for name, parent, module, also in drawn:
        error = defined[name]
        bases = {b.__name__ for b in error.__bases__}
        assert parent in bases, (name, parent, bases)
        assert also is None or also in bases, (name, also, bases)
        homes[name] = module or homes[parent]  # a subclass drawn without a module lives with its parent
        assert error.__module__ == homes[name], (name, error.__module__, homes[name])


def test_errors_carry_no_http_status() -> None:
    for error in _defined_exceptions():
        assert not {"status", "status_code", "title"} & set(vars(error)), error


def test_each_error_maps_to_one_status_and_one_exit_code() -> None:
    for error in _defined_exceptions():
        status, title = status_of(error.__new__(error))  # type: ignore[arg-type]
        assert 400 <= status < 600 and title
        assert exit_code_of(error.__new__(error)) is not None  # type: ignore[arg-type]
    assert status_of(InvalidInput("x")) == (400, "Invalid input")
    assert status_of(NotFound("x"))[0] == 404 and status_of(Unavailable("x"))[0] == 503
    assert status_of(TooManyRequests("x", retry_after=3))[0] == 429


def test_query_errors_keep_their_position_for_the_problem_document() -> None:
    from ipsearch.query.parser import QuerySyntaxError, parse_query

    try:
        parse_query("TI=(led")
    except QuerySyntaxError as exc:
        assert isinstance(exc, InvalidInput) and "position" in exc.extra and exc.position == exc.extra["position"]
    else:
        raise AssertionError("an unclosed parenthesis parses")


def test_an_error_with_values_is_translated_then_filled() -> None:
    error = InvalidInput.said("no search set %(sets)s in your history", sets="#9")
    assert error.detail == "no search set #9 in your history"
    table = {"no search set %(sets)s in your history": "您的检索历史中没有检索式 %(sets)s"}
    assert error.in_words(lambda text: table.get(text, text)) == "您的检索历史中没有检索式 #9"
    plain = NotFound("collection 3 not found")
    assert plain.in_words(str.upper) == "COLLECTION 3 NOT FOUND"


def test_names_and_terms_are_said_in_the_readers_language() -> None:
    """A name stored in both languages shows the reader's; a code from the catalogs its word."""
    error = Conflict.said("%(field)s of %(number)s is %(status)s", field=Named(zh="说明", en="Details"),
                          number="SH1", status=Term("completed"))
    assert error.detail == "Details of SH1 is completed"  # the plain text stays English
    table = {"%(field)s of %(number)s is %(status)s": "%(number)s 的%(field)s为%(status)s", "completed": "已办结"}
    assert error.in_words(lambda text: table.get(text, text), Language.zh) == "SH1 的说明为已办结"
    assert error.in_words(lambda text: text, Language.en) == "Details of SH1 is completed"
    code = Conflict.said("%(number)s is %(status)s", number="CR-1", status=Term("under_review"))
    assert code.detail == "CR-1 is under review"  # the API's words, not the code
    assert code.in_words(lambda text: {"under_review": "审查中"}.get(text, text), Language.zh) == "CR-1 is 审查中"


def test_what_a_person_typed_is_quoted_as_the_readers_language_quotes() -> None:
    """'Atlantis' in English, “火星” in Chinese; control characters stay escaped in both."""
    error = InvalidInput.said("unknown region %(name)s", name=Quoted("火星"))
    assert error.detail == "unknown region '火星'"  # the plain text (the API's detail) stays English
    table = {"unknown region %(name)s": "未知地区%(name)s"}
    assert error.in_words(lambda text: table.get(text, text), Language.zh) == "未知地区“火星”"
    assert error.in_words(lambda text: text, Language.en) == "unknown region '火星'"
    hostile = InvalidInput.said("unknown region %(name)s", name=Quoted("it's\n<b>"))
    assert hostile.detail == 'unknown region "it\'s\\n<b>"'  # escaped as repr escapes it; HTML is the page's to escape
    assert hostile.in_words(lambda text: table.get(text, text), Language.zh) == "未知地区“it's\\n<b>”"


def test_values_named_together_are_listed_as_the_readers_language_lists() -> None:
    """"US1, US2" on an English page and in the API, US1、US2 on a Chinese one (it read "请使用
    digital-tv, led, … 之一"); a refusal carried to a worker and back (pickled) keeps its list."""
    error = InvalidInput.said("not in the corpus: %(pns)s", pns=Listed(["US1", "<b>US2</b>", "EP3"]))
    assert error.detail == "not in the corpus: US1, <b>US2</b>, EP3"
    table = {"not in the corpus: %(pns)s": "语料库中没有：%(pns)s"}
    assert error.in_words(lambda text: table.get(text, text), Language.zh) == "语料库中没有：US1、<b>US2</b>、EP3"
    assert error.in_words(lambda text: text, Language.en) == "not in the corpus: US1, <b>US2</b>, EP3"
    carried = pickle.loads(pickle.dumps(error.params["pns"]))
    assert isinstance(carried, Listed) and carried.items == ("US1", "<b>US2</b>", "EP3")
    assert carried == "US1, <b>US2</b>, EP3" and json.dumps({"pns": carried}) == '{"pns": "US1, <b>US2</b>, EP3"}'
    assert Listed([]).in_language(Language.zh) == "" and Listed(n for n in (1, 2)).items == ("1", "2")
