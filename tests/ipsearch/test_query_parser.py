"""The query language: every operator and field, precedence, Chinese aliases, errors with
positions, and AST -> text -> AST round trips (hypothesis)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ipsearch.query import parser
from ipsearch.query.ast import (
    DATE_FIELDS,
    TEXT_FIELDS,
    And,
    ClassCode,
    DateRange,
    Keyword,
    Node,
    Not,
    Or,
    Phrase,
    Prox,
    Same,
    Term,
    leaves,
)
from ipsearch.query.parser import (
    MAX_CHAIN,
    MAX_CLAUSES,
    MAX_DEPTH,
    MAX_QUERY_CHARS,
    QuerySyntaxError,
    canonical_field,
    parse_query,
    read_typed,
    walk,
)
from ipsearch.query.render import render

T = Term


@pytest.mark.parametrize("code,field", [
    ("TI", "TI"), ("AB", "AB"), ("CL", "CL"), ("DESC", "DESC"), ("TXT", "TXT"), ("PA", "PA"), ("IN", "IN"),
    ("AG", "AG"), ("ti", "TI"), ("名称", "TI"), ("摘要", "AB"), ("权利要求", "CL"), ("申请人", "PA"), ("发明人", "IN"),
])
def test_text_field_codes_and_aliases(code: str, field: str) -> None:
    assert parse_query(f"{code}=battery") == T("battery", field)
    assert parse_query(f"{code}:battery") == T("battery", field)


def test_identifier_fields_and_aliases() -> None:
    assert parse_query("PN=US7654321B2") == Keyword("PN", "US7654321B2")
    assert parse_query('公开号="CN 113781974 A"') == Keyword("PN", "CN113781974A")
    assert parse_query("AN=202111286633.X") == Keyword("AN", "202111286633X")
    assert parse_query("申请号=16849316.1") == Keyword("AN", "168493161")
    assert parse_query("CC=cn") == Keyword("CC", "CN")
    assert parse_query("KIND=b2") == Keyword("KIND", "B2")
    assert parse_query("KIND=grant") == Keyword("KIND", "grant")
    # a kind by its Chinese name, or by a value with an underscore (it was taken for a kind code)
    assert parse_query("KIND=实用新型") == parse_query("KIND=utility_model") == Keyword("KIND", "utility_model")
    assert parse_query("KIND=授权") == Keyword("KIND", "grant") and parse_query("KIND=u1") == Keyword("KIND", "U1")
    with pytest.raises(QuerySyntaxError, match="KIND takes a document kind .* not 'patent'"):
        parse_query("KIND=patent")  # found nothing and said nothing
    assert parse_query("LANG=DE") == Keyword("LANG", "de")


def test_classification_prefixes() -> None:
    assert parse_query("IPC=H04N21/*") == ClassCode("IPC", "H04N 21/", True)
    assert parse_query("IPC=H05B") == ClassCode("IPC", "H05B", True)
    assert parse_query("IPC=H04") == ClassCode("IPC", "H04", True)
    assert parse_query("IPC=H") == ClassCode("IPC", "H", True)
    assert parse_query("IPC=H04N21/431") == ClassCode("IPC", "H04N 21/431", False)
    assert parse_query("IPC=H04N21/4*") == ClassCode("IPC", "H04N 21/4", True)  # typed digits stay a prefix
    assert parse_query("CPC=Y02E10/*") == ClassCode("CPC", "Y02E 10/", True)
    assert parse_query("分类号=(G06F OR H04L)") == Or((ClassCode("IPC", "G06F", True), ClassCode("IPC", "H04L", True)))


def test_dates_and_ranges() -> None:
    d = dt.date
    assert parse_query("PD>=2010") == DateRange("PD", d(2010, 1, 1), None)
    assert parse_query("PD>2010") == DateRange("PD", d(2011, 1, 1), None)
    assert parse_query("PD<2015") == DateRange("PD", None, d(2014, 12, 31))
    assert parse_query("PD<=201503") == DateRange("PD", None, d(2015, 3, 31))
    assert parse_query("PD=2012") == DateRange("PD", d(2012, 1, 1), d(2012, 12, 31))
    assert parse_query("AD=2010-01-01..2015-12-31") == DateRange("AD", d(2010, 1, 1), d(2015, 12, 31))
    assert parse_query("AD=(20190101 to 20191231)") == DateRange("AD", d(2019, 1, 1), d(2019, 12, 31))
    assert parse_query("申请日=2019..") == DateRange("AD", d(2019, 1, 1), None)
    assert parse_query("公开日=..2000") == DateRange("PD", None, d(2000, 12, 31))
    assert parse_query("PRD=2016-05") == DateRange("PRD", d(2016, 5, 1), d(2016, 5, 31))


def test_family_and_legal_status_fields() -> None:
    d = dt.date
    assert parse_query("FAM=19768124") == Keyword("FAM", "19768124")
    assert parse_query("同族=cn201410000001") == Keyword("FAM", "CN201410000001")
    for typed in ("LS=inforce", "LS=in-force", "ls:IN_FORCE", "法律状态=有效"):
        assert parse_query(typed) == Keyword("LS", "in_force"), typed
    assert parse_query("LS=lapsed OR LS=expired") == Or((Keyword("LS", "lapsed"), Keyword("LS", "expired")))
    assert parse_query("LS=(pending OR unknown)") == Or((Keyword("LS", "pending"), Keyword("LS", "unknown")))
    assert parse_query("LSD=2011") == DateRange("LSD", d(2011, 1, 1), d(2011, 12, 31))
    assert parse_query("法律状态日>=2010-06") == DateRange("LSD", d(2010, 6, 1), None)
    assert parse_query("LSD=2003-02..2003-03") == DateRange("LSD", d(2003, 2, 1), d(2003, 3, 31))
    with pytest.raises(QuerySyntaxError, match="LS takes one of") as info:
        parse_query("TI=brick AND LS=alive")
    assert info.value.position == 13
    with pytest.raises(QuerySyntaxError, match="LSD takes a date"):
        parse_query("LSD=(2010 OR 2011)")


def test_boolean_operators_and_precedence() -> None:
    a, b, c = T("a1"), T("b1"), T("c1")
    assert parse_query("a1 AND b1") == And((a, b))
    assert parse_query("a1 b1") == And((a, b))  # implicit AND
    assert parse_query("a1 OR b1") == Or((a, b))
    assert parse_query("a1 NOT b1") == And((a, Not(b)))
    assert parse_query("a1 AND NOT b1") == And((a, Not(b)))
    assert parse_query("NOT a1") == Not(a)
    assert parse_query("a1 OR b1 AND c1") == Or((a, And((b, c))))  # AND binds tighter than OR
    assert parse_query("(a1 OR b1) AND c1") == And((Or((a, b)), c))
    assert parse_query("a1 OR b1 OR c1") == Or((a, b, c))
    assert parse_query("a1 AND b1 c1") == And((a, b, c))


def test_proximity_and_same() -> None:
    a, b, c = T("a1"), T("b1"), T("c1")
    assert parse_query("a1 NEAR3 b1") == Prox(a, b, 3, False)
    assert parse_query("a1 NEAR b1") == Prox(a, b, 1, False)
    assert parse_query("a1 ADJ2 b1") == Prox(a, b, 2, True)
    assert parse_query("a1 ADJ b1") == Prox(a, b, 1, True)
    assert parse_query("a1 SAME b1") == Same(a, b)
    # NEAR/ADJ bind tighter than SAME, SAME tighter than AND, AND tighter than OR
    assert parse_query("a1 NEAR2 b1 SAME c1") == Same(Prox(a, b, 2, False), c)
    assert parse_query("a1 SAME b1 AND c1") == And((Same(a, b), c))
    assert parse_query("a1 NEAR2 b1 OR c1") == Or((Prox(a, b, 2, False), c))
    assert parse_query('(a1 OR "b1 c1") NEAR5 d1') == Prox(Or((a, Phrase("b1 c1"))), T("d1"), 5, False)
    assert parse_query("TI=(a1 ADJ b1)") == Prox(T("a1", "TI"), T("b1", "TI"), 1, True)


def test_phrases_wildcards_and_suffix_fields() -> None:
    assert parse_query('"light emitting diode"') == Phrase("light emitting diode")
    assert parse_query('TI="发光 二极管"') == Phrase("发光 二极管", "TI")
    assert parse_query("emit*") == T("emit*")
    assert parse_query("colo?r") == T("colo?r")
    assert parse_query("led.ti.") == T("led", "TI")
    assert parse_query("battery.ab. AND lithium.cl.") == And((T("battery", "AB"), T("lithium", "CL")))


def test_field_group_pushes_field_to_leaves() -> None:
    q = parse_query('TI=(led OR "light emitting") AND AB=lamp')
    assert q == And((Or((T("led", "TI"), Phrase("light emitting", "TI"))), T("lamp", "AB")))


def test_owner_fields_run_and_expiry_in_both_languages() -> None:
    assert parse_query("PAC=cn") == parse_query("申请人国别=CN") == Keyword("PAC", "CN")
    assert parse_query('OWNER="Samsung Electronics Co., Ltd."') == Keyword("OWNER", "samsung electronics")
    assert parse_query("权利人=华为") == Keyword("OWNER", "华为")
    assert parse_query("RUN=12") == Keyword("RUN", "12")
    assert parse_query("EXP=2025..2027") == parse_query("届满日=2025..2027") == DateRange(
        "EXP", dt.date(2025, 1, 1), dt.date(2027, 12, 31))


def test_every_field_code_in_the_readme_parses() -> None:
    """The README's query table and the grammar cannot drift apart: each documented field code
    (the part before '=' in a `CODE=...` example) is accepted."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Query language", 1)[1].split("\n## ", 1)[0]
    examples = re.findall(r"`([^`]+)`", table)
    codes = {m.group(1) for e in examples for m in re.finditer(r"(?:^|[\s(])([A-Z]{2,5})\s*(?:=|>=|<=|<|>)", e)}
    chinese = [e for e in examples if re.fullmatch(r"[\u4e00-\u9fff ]+", e)]
    assert len(chinese) == 1
    codes |= set(chinese[0].split())
    assert {"PAC", "OWNER", "RUN", "EXP", "FAM", "LS", "LSD", "IPC", "TI"} <= codes
    for code in sorted(codes):
        value = {"IPC": "H04N", "CPC": "H04N", "LS": "inforce", "PN": "US7654321B2", "CITES": "US7654321B2",
                 "RUN": "12", "RG": "广东"}.get(canonical_field(code), "x1")
        parse_query(f"{code}={'2020' if canonical_field(code) in DATE_FIELDS else value}")


@pytest.mark.parametrize("query,symbols", [
    ("IPC=H01L 33/50", ["H01L 33/50"]),
    ("ipc=h01l 33/50 AND led", ["H01L 33/50"]),
    ("分类号=H01L 33/50", ["H01L 33/50"]),
    ("CPC = H04N 21/431", ["H04N 21/431"]),
    ("IPC=(H01L 33/50 OR H01L 33/*)", ["H01L 33/50", "H01L 33/"]),
])
def test_class_symbols_typed_with_their_space(query: str, symbols: list[str]) -> None:
    codes = [n.code for n in walk(parse_query(query)) if isinstance(n, ClassCode)]
    assert codes == symbols
    assert parse_query(query) == parse_query(query.replace("1L 3", "1L3").replace("4N 2", "4N2"))


def test_a_spaced_symbol_moves_no_error_position() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query("IPC=H01L 33/50 AND (led")
    assert info.value.position == 19


def test_two_chinese_characters_are_stem_enough_for_a_wildcard() -> None:
    """A Chinese applicant is searched by its first two characters (三星*, 华为*): each carries a
    word's worth; two Latin letters are still too few."""
    assert parse_query("申请人=三星*") == T("三星*", "PA")
    assert parse_query("TI=a三*") == T("a三*", "TI")


def test_chinese_query() -> None:
    q = parse_query("申请人=华为 AND 名称=(通信 OR 基站) AND 申请日>=2015")
    assert q == And((T("华为", "PA"), Or((T("通信", "TI"), T("基站", "TI"))),
                     DateRange("AD", dt.date(2015, 1, 1), None)))


@pytest.mark.parametrize("query,position,message", [
    ("(led AND lamp", 0, "never closed"),
    ("led AND lamp)", 12, "no matching"),
    ('"light emitting', 0, "never closed"),
    ("a* lamp", 0, "at least 3 letters"),
    ("lamp AND ab*", 9, "at least 3 letters"),
    ("PA=三*", 3, "or two Chinese characters"),
    ("led AND", 7, "word or phrase is expected"),
    ("OR led", 0, "needs a word"),
    ("AND led", 0, "needs a word"),
    ("led OR OR lamp", 7, "needs a word"),
    ("TI>lamp", 2, "takes '='"),
    ("PD>=20x0", 4, "not a date"),  # at the date, not at its field
    ("PD=2019-13-40", 3, "not a valid date"),
    ("led AND AD=2015..20x9", 17, "not a date"),  # at the end of the range that is wrong
    ("PD=2010..201", 9, "not a date"),  # not at the '201' that begins '2010'
    ("AD=(2019 to 201)", 12, "not a date"),  # the 'to' form: at its second date
    ("PD>9999-12-31", 3, "no date comes after"),  # was a 500: the bounds were computed for every operator
    ("PD<0001-01-01", 3, "no date comes before"),
    ("AD=2019..2018", 3, "the range ends before it starts"),  # matched nothing, silently
    ("AD=(2019 to 2018)", 4, "the range ends before it starts"),
    ("IPC=Q12", 0, "not an IPC symbol"),
    ("led NEAR500 lamp", 4, "between 1 and 99"),
    ("led NEAR1000 lamp", 4, "between 1 and 99"),  # not the word NEAR1000
    ("led ADJ99999999999 lamp", 4, "between 1 and 99"),
    ("TI=( )", 5, "expected before this ')'"),  # an empty group, not a ')' without a '('
    ("()", 1, "expected before this ')'"),
    ("(a1 OR )", 7, "expected before this ')'"),
    ('"a(b" )', 6, "no matching"),  # a bracket inside a phrase opens no group
    ("(a1 AND b1) NEAR2 c1", 12, "works on words"),
    ("led\x00lamp", 3, "control character"),
    ("led\x1blamp", 3, "control character"),
    ("", 0, "empty"),
    ("=led", 0, "must follow a field code"),
])
def test_bad_queries_are_rejected_with_positions(query: str, position: int, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(query)
    assert message in info.value.message
    assert info.value.position == position


def test_mixed_fields_in_proximity_rejected() -> None:
    with pytest.raises(QuerySyntaxError, match="same text field"):
        parse_query("PA=samsung NEAR2 TI=display")


@pytest.fixture
def no_transform(monkeypatch: pytest.MonkeyPatch) -> None:
    """The (recursive) transformer is what a hostile tree would overflow: here it must not run."""
    def refuse(self: object, tree: object) -> None:
        raise AssertionError("the parse tree was transformed")
    monkeypatch.setattr(parser._ToAst, "transform", refuse)


@pytest.mark.parametrize("hostile", ["x" * 100_000, " OR ".join(["led"] * 5000), "a" * (MAX_QUERY_CHARS + 1)])
def test_an_overlong_query_is_refused_before_it_is_parsed(monkeypatch: pytest.MonkeyPatch, hostile: str) -> None:
    def refuse() -> None:
        raise AssertionError("the grammar ran")
    monkeypatch.setattr(parser, "_lark", refuse)
    with pytest.raises(QuerySyntaxError, match="longer than"):
        parse_query(hostile)


@pytest.mark.usefixtures("no_transform")
@pytest.mark.parametrize("hostile", ["(" * 1999, "a OR " * (MAX_CLAUSES // 2) + "(" * 1000])
def test_unclosed_parentheses_are_refused_by_the_grammar(hostile: str) -> None:
    with pytest.raises(QuerySyntaxError, match="is never closed"):
        parse_query(hostile)


def _depth(node: Node) -> int:
    """Operators nested in one another (a run of the same AND or OR was merged by the parser)."""
    if isinstance(node, And | Or):
        return 1 + max(_depth(i) for i in node.items)
    if isinstance(node, Not):
        return 1 + _depth(node.item)
    if isinstance(node, Prox | Same):
        return 1 + max(_depth(node.left), _depth(node.right))
    return 0


@pytest.mark.parametrize("q", [
    "NOT " * MAX_DEPTH + "led",
    "led AND (lamp OR (" * (MAX_DEPTH // 2) + "x" + "))" * (MAX_DEPTH // 2),
    "led AND NOT (" * (MAX_DEPTH // 2) + "x" + ")" * (MAX_DEPTH // 2),
    "a AND b AND (c AND (d AND e)) AND TI=(f AND g) OR h OR (i OR j)",  # runs of one operator count once
    "(" * 500 + "led" + ")" * 500,  # parentheses alone nest nothing
    " NEAR3 ".join(["led"] * MAX_CHAIN),
    "(a NEAR b) SAME (c NEAR d NEAR e) SAME (f ADJ g) NEAR (h NEAR i) NEAR j",
    "(a OR b OR c OR d OR e) NEAR5 (f OR g OR h OR i OR j OR k OR l)",  # OR-groups are one link each
    " OR ".join(f"w{i}" for i in range(MAX_CLAUSES)),
])
def test_queries_within_the_limits_parse(q: str) -> None:
    assert _depth(parse_query(q)) <= MAX_DEPTH


@pytest.mark.parametrize("q,message,position", [
    ("NOT " * (MAX_DEPTH + 1) + "led", f"nested more than {MAX_DEPTH} deep", 4 * MAX_DEPTH),
    ("NOT " * 499 + "x", f"nested more than {MAX_DEPTH} deep", 4 * MAX_DEPTH),
    ("NOT (led OR " * 7 + "x" + ")" * 7, f"nested more than {MAX_DEPTH} deep", None),
    ("led AND (lamp OR (" * 30 + "x" + "))" * 30, f"nested more than {MAX_DEPTH} deep", None),
    (" NEAR3 ".join(["x"] * (MAX_CHAIN + 1)), f"more than {MAX_CHAIN} words or groups", 8 * (MAX_CHAIN - 1) + 2),
    (" NEAR3 ".join(["x"] * 250), f"more than {MAX_CHAIN} words or groups", None),
    ("TI=(a NEAR b NEAR c NEAR d NEAR e) NEAR TI=(f NEAR g NEAR h NEAR i NEAR j NEAR k)",
     f"more than {MAX_CHAIN} words or groups", 74),  # a field code does not end a chain
    ("(a NEAR b) SAME (c NEAR d NEAR e) SAME (f ADJ g) NEAR (h NEAR i) NEAR j NEAR k",
     f"more than {MAX_CHAIN} words or groups", 72),
    ("a " * 999 + "a", f"at most {MAX_CLAUSES} words and phrases", 0),
    ("a OR " * 399 + "a", f"at most {MAX_CLAUSES} words and phrases", 0),
])
@pytest.mark.usefixtures("no_transform")
def test_queries_over_the_limits_are_refused_saying_the_limit(q: str, message: str, position: int | None) -> None:
    """Before the parse tree is transformed: neither a deep tree nor a long run overflows the stack."""
    with pytest.raises(QuerySyntaxError, match=message) as info:
        parse_query(q)
    if position is not None:
        assert info.value.position == position


# --- round trips -----------------------------------------------------------------------------

WORDS = st.sampled_from(["led", "lamp", "diode", "battery", "sensor", "显示", "通信", "emit*", "batter?"])
TEXT_CODES = st.sampled_from(sorted(TEXT_FIELDS))


def leaf() -> st.SearchStrategy[Node]:
    term = st.builds(Term, WORDS, TEXT_CODES)
    phrase = st.builds(Phrase, st.sampled_from(["light emitting", "base station", "发光 二极管"]), TEXT_CODES)
    dates = st.builds(DateRange, st.sampled_from(["PD", "AD", "PRD", "LSD"]),
                      st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1))),
                      st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)))).filter(
        lambda r: (r.gte is not None or r.lte is not None)
        and (r.gte is None or r.lte is None or r.gte <= r.lte))  # a range that ends before it starts is refused
    classes = st.sampled_from([ClassCode("IPC", "H04N", True), ClassCode("IPC", "H04N 21/", True),
                               ClassCode("CPC", "Y02E 10/50", False), ClassCode("IPC", "H04N 21/431", True)])
    keywords = st.sampled_from([Keyword("PN", "US7654321B2"), Keyword("CC", "CN"), Keyword("KIND", "grant"),
                                Keyword("LANG", "de"), Keyword("AN", "202111286633X"),
                                Keyword("FAM", "19768124"), Keyword("FAM", "CN201410000001"),
                                Keyword("LS", "in_force"), Keyword("LS", "lapsed")])
    return st.one_of(term, phrase, dates, classes, keywords)


def _prox(field: str) -> st.SearchStrategy[Node]:
    side = st.one_of(st.builds(Term, WORDS, st.just(field)),
                     st.builds(Phrase, st.sampled_from(["light emitting", "base station"]), st.just(field)))
    return st.one_of(st.builds(Prox, side, side, st.integers(1, 99), st.booleans()), st.builds(Same, side, side))


def trees() -> st.SearchStrategy[Node]:
    base = st.one_of(leaf(), TEXT_CODES.flatmap(_prox))
    return st.recursive(base, lambda kids: st.one_of(
        st.builds(lambda xs: And(tuple(xs)), st.lists(kids, min_size=2, max_size=3)),
        st.builds(lambda xs: Or(tuple(xs)), st.lists(kids, min_size=2, max_size=3)),
        st.builds(Not, kids)), max_leaves=8)


def _canonical(node: Node) -> Node:
    """Flatten nested And/Or the way the parser does."""
    if isinstance(node, And | Or):
        items: list[Node] = []
        for item in (_canonical(i) for i in node.items):
            items.extend(item.items if type(item) is type(node) else (item,))  # type: ignore[union-attr]
        return type(node)(tuple(items))
    if isinstance(node, Not):
        return Not(_canonical(node.item))
    return node


@given(trees())
@settings(max_examples=300, deadline=None)
def test_round_trip_ast_text_ast(tree: Node) -> None:
    tree = _canonical(tree)
    assume(_depth(tree) <= MAX_DEPTH)
    assert parse_query(render(tree)) == tree


@pytest.mark.parametrize("typed,shown", [
    ("PD>=2015", "PD>=2015"), ("PD<2015", "PD<=2014"), ("PD=2015", "PD=2015"), ("AD=2015..2019", "AD=2015..2019"),
    ("PD>=2015-03-02", "PD>=2015-03-02"), ("AD=2010-01-01..2015-06-30", "AD=2010..2015-06-30"), ("PD=..", "PD=..")])
def test_a_date_range_is_shown_as_people_write_it(typed: str, shown: str) -> None:
    """The no-results help named "PD>=2015" as "PD=2015-01-01..", which nobody typed."""
    assert render(parse_query(typed)) == shown and parse_query(shown) == parse_query(typed)


def test_the_caret_counts_wide_characters_as_two_columns() -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query("名称=(电池 OR 锂离子")
    query_line, caret_line = info.value.pointer().split("\n")
    assert info.value.position == 3 and caret_line == " " * 5 + "^"  # 名称: 4 columns, "=": 1, then the "("


@pytest.mark.parametrize(("typed", "pn"), [
    ("US7473443B2", "US7473443B2"), ("ep 1000000", "EP1000000"), (" cn113781974a ", "CN113781974A"),
    ("US 7,654,321 B2", "US7654321B2"), ("WO2020123456A1", "WO2020123456A1"),
])
def test_a_publication_number_typed_alone_is_looked_up(typed: str, pn: str) -> None:
    assert parse_query(typed) == Keyword("PN", pn) == parse_query(f"PN={pn}")


@pytest.mark.parametrize("typed", ["US2020", "H04N21", "US7473443B2 OR led", "led US7473443B2", "ABC1234567"])
def test_words_that_are_not_a_number_alone_stay_words(typed: str) -> None:
    assert not isinstance(parse_query(typed), Keyword)


@pytest.mark.parametrize("typed,meant", [
    ("TI＝lamp", "TI=lamp"),  # full-width forms, as a Chinese input method types them
    ("ｌａｍｐ ＯＲ light", "lamp OR light"),
    ("ＴＩ＝（lamp ＯＲ light）", "TI=(lamp OR light)"),
    ("light\u3000diode", "light diode"),  # the ideographic space, and a no-break space
    ("light\u00a0diode", "light diode"),
    ("“light emitting diode”", '"light emitting diode"'),  # curly quotes around a phrase
    ("ＵＳ７４７３４４３Ｂ２", "US7473443B2"),
    ("PD＞＝2015", "PD>=2015"),
    ("＂base station＂", '"base station"'),
    ("「発光ダイオード」 AND TI=『照明 装置』", '"発光ダイオード" AND TI="照明 装置"'),  # corner brackets quote
])
def test_what_an_input_method_types_is_read_as_what_it_stands_for(typed: str, meant: str) -> None:
    assert parse_query(typed) == parse_query(meant)


def test_an_error_in_typed_forms_points_at_what_was_typed() -> None:
    typed = "ＴＩ＝（lamp ＯＲ）"
    with pytest.raises(QuerySyntaxError) as raised:
        parse_query(typed)
    assert raised.value.position == typed.index("）")


@pytest.mark.parametrize("typed,at", [("「light emitting diode", 0), ("lamp AND “light emitting", 9),
                                      ("TI=（lamp OR light", 3)])
def test_a_typed_opener_never_closed_is_said_so(typed: str, at: int) -> None:
    with pytest.raises(QuerySyntaxError, match="never closed") as caught:
        parse_query(typed)
    assert caught.value.position == at


# the text's own punctuation: a company name's brackets, a colon, a question mark, quotes inside a word
@pytest.mark.parametrize("text", ["PA=腾讯科技（深圳）有限公司", "一种方法：检测电池", "如何提高电池寿命？",
                                  "一种“智能”灯", "a＂b", "一种「智能」灯"])
def test_punctuation_inside_chinese_text_is_not_query_syntax(text: str) -> None:
    assert read_typed(text) == text
    assert isinstance(parse_query(text), Term)


@pytest.mark.parametrize("query", ["PD>=0001-01-01", "PD=9999", "PD<=9999-12-31", "PD>=9999-12-31"])
def test_the_first_and_last_dates_are_dates(query: str) -> None:
    """Each was a 500 (OverflowError): the day after the last date was computed whatever the operator."""
    assert isinstance(parse_query(query), DateRange)


@pytest.mark.parametrize(("typed", "words"), [("LED，散热器", ["LED", "散热器"]),
                                              ("LED、散热；透镜", ["LED", "散热", "透镜"]),
                                              ("TI=(灯具，透镜)", ["灯具", "透镜"])])
def test_chinese_commas_between_words_separate_them(typed: str, words: list[str]) -> None:
    """"LED，散热器" was one phrase ("led 散热器") that matched nothing: a Chinese writer separates
    terms with ， 、 ； where a Latin one types a space. Every position still points at what was typed."""
    assert len(read_typed(typed)) == len(typed)
    assert [leaf.text for leaf in leaves(parse_query(typed))] == words


def test_a_chinese_comma_inside_quotes_is_the_phrases_own() -> None:
    assert parse_query("“发光，二极管” 灯") == And((Phrase("发光，二极管"), Term("灯")))
    # inside the text's own quotes or brackets too, where they are part of a word
    assert parse_query("一种“智能，节能”灯") == Term("一种“智能，节能”灯")
    assert parse_query("PA=某某（深圳，南山）公司") == Term("某某（深圳，南山）公司", "PA")
