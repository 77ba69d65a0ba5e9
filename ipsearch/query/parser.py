"""Parse the query language (lark, LALR) into the AST, with limits and readable errors."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from core.errors import InvalidInput
from core.i18n import Quoted
from ipsearch.analysis import FULL_WIDTH
from ipsearch.model import DocKind, LegalStatus
from ipsearch.query.ast import (
    ALIASES,
    CLASS_FIELDS,
    DATE_FIELDS,
    KEYWORD_FIELDS,
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
    field_names,
    leaves,
)

MAX_QUERY_CHARS = 2000
MAX_CLAUSES = 200  # words and phrases in one query
MIN_WILDCARD_STEM = 3  # letters before a wildcard; a Chinese, Japanese or Korean character counts two (三星*, 삼성*)
_WIDE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
MAX_PROXIMITY = 99
# Operators nested inside one another (AND, OR, NOT, NEAR/ADJ, SAME; a run of the same AND or OR
# counts once, parentheses alone count nothing). Both backends give out past 24 ("a AND (b OR (c
# AND ...": SQLite's parser stack; Elasticsearch's indices.query.bool.max_nested_depth, 30 with the
# compiler's own bools), and a scope's query is nested in a report's: half of that.
MAX_DEPTH = 12
# Words or groups joined into one NEAR/ADJ/SAME chain ("a NEAR3 b NEAR3 c" is 3): each link nests
# the span query (Elasticsearch) and the FTS5 candidate expression (SQLite) one level deeper.
MAX_CHAIN = 10

# What a Chinese or Japanese input method types for the query's own characters is read as them, one
# for one (so every error position still points at what was typed), where it can only mean them:
# full-width letters and digits (ＴＩ, ＯＲ, ｌａｍｐ) and Unicode spaces (the ideographic space)
# always; ＝ ： ＜ ＞ right after a field code; （ ） and “ ” ＂ ＂ as a pair that opens where a
# word or group may start. Elsewhere they are the text's own punctuation: 腾讯科技（深圳）有限公司,
# 一种“智能”灯, and ？ is a question mark, never a wildcard.
_SPACES = [0x00A0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000]
# Between words a Chinese writer separates terms with ， 、 ； where a Latin one types a space:
# "LED，散热器" was one phrase, "led 散热器", that nothing matched. Inside quotes they stay the text's.
_TERM_SEPARATORS = "，、；"
_TEXT_OPENERS, _TEXT_CLOSERS = "“「『（", "”」』）"  # left as the text's own punctuation, they still enclose
_TYPED_ALWAYS = FULL_WIDTH | str.maketrans({c: " " for c in _SPACES})
_TYPED_OPERATORS = str.maketrans("＝：＜＞", "=:<>")
# Corner brackets quote in Japanese and traditional Chinese writing as curly quotes do in simplified.
_TYPED_PAIRS = {"（": ("(", "）", ")"), "“": ('"', "”", '"'), "＂": ('"', "＂", '"'), "「": ('"', "」", '"'),
                "『": ('"', "』", '"')}
_GROUP_STARTS = set(" (=:<>\"")  # what may stand before a group or phrase that opens here


@lru_cache(maxsize=1)
def _typed_operator() -> re.Pattern[str]:
    codes = "|".join(re.escape(name) for name in field_names())
    return re.compile(rf"(?i)(?<![^\s(（])({codes})(\s*)([＝：＜＞]＝?)")


def read_typed(query: str) -> str:
    """``query`` with what an input method typed for the query's own characters read as them."""
    text = _typed_operator().sub(lambda m: m.group(1) + m.group(2) + m.group(3).translate(_TYPED_OPERATORS),
                                 query.translate(_TYPED_ALWAYS))
    chars = list(text)
    for opener, (opened, closer, closed) in _TYPED_PAIRS.items():
        at = 0
        while (start := text.find(opener, at)) >= 0:
            end = text.find(closer, start + 1)
            if start == 0 or chars[start - 1] in _GROUP_STARTS:
                chars[start] = opened  # never closed: the parser says so, as it does of a '"'
                if end >= 0:
                    chars[end] = closed
            if end < 0:
                break
            at = end + 1
    quoted, inner = False, 0  # inside a query phrase; inside the text's own quotes (一种“智能，节能”灯)
    for i, char in enumerate(chars):
        if char == '"':
            quoted = not quoted
        elif char in _TEXT_OPENERS:
            inner += 1
        elif char in _TEXT_CLOSERS:
            inner = max(inner - 1, 0)
        elif char in _TERM_SEPARATORS and not quoted and not inner:
            chars[i] = " "
    return "".join(chars)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PHRASES = re.compile(r'"[^"]*"')
# A query that is one publication number, as people type them: US7473443B2, EP 1000000, cn113781974a,
# US 7,654,321 B2 (a country code, digits, perhaps a kind; _bare_number wants five digits at least).
_BARE_NUMBER = re.compile(r"\s*[A-Za-z]{2}\s?([\d,]+)\s?(?:[A-Za-z]\d?)?\s*")
MIN_BARE_DIGITS = 5
# What people type for LS= (English and Chinese) -> the indexed status.
LEGAL_STATUS_WORDS = {
    "pending": LegalStatus.pending, "审中": LegalStatus.pending,
    "inforce": LegalStatus.in_force, "in_force": LegalStatus.in_force, "有效": LegalStatus.in_force,
    "lapsed": LegalStatus.lapsed, "失效": LegalStatus.lapsed,
    "expired": LegalStatus.expired, "届满": LegalStatus.expired,
    "unknown": LegalStatus.unknown, "未知": LegalStatus.unknown,
}
# What people type for KIND= as a document kind (English and Chinese) -> the indexed kind; a kind
# code (B2, A, U1: two characters at most) is taken as written.
DOC_KIND_WORDS = {kind.value: kind for kind in DocKind} | {
    "授权": DocKind.grant, "发明授权": DocKind.grant, "申请": DocKind.application, "发明申请": DocKind.application,
    "实用新型": DocKind.utility_model, "外观设计": DocKind.design, "植物专利": DocKind.plant,
    "再颁专利": DocKind.reissue, "其他": DocKind.other,
}


# what a query that analyses to no token is told (a word longer than the analyzer's 60 characters
# is dropped like a stop word: a pasted run of letters is no word of any document)
NOTHING_TO_SEARCH = "the query has nothing to search: only stop words, punctuation or words over 60 characters"


class QuerySyntaxError(InvalidInput):
    """A query a person typed wrong; ``position`` is a 0-based character offset."""

    def __init__(self, message: str, position: int | None = None, query: str = "", **params: object) -> None:
        """``message`` is a template when ``params`` are given ("not a date: %(value)s")."""
        text = message % params if params else message
        if position is None:
            super().__init__(text, template=message, params=params)
        else:
            super().__init__(text, template=message, params=params, position=position)
        self.message = text
        self.position = position
        self.query = query

    def __str__(self) -> str:
        return self.message if self.position is None else f"{self.message} at position {self.position}"

    def pointer(self) -> str:
        """The query with a caret under the problem; Chinese and other wide characters take two
        columns in a terminal or a monospace box, so the caret counts columns, not characters.
        Empty when there is no query to point into (one too long is not repeated)."""
        if self.position is None or not self.query:
            return self.query
        columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in self.query[:self.position])
        return f"{self.query}\n{' ' * columns}^"


@lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = (Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8")
    grammar = grammar.replace("%FIELD_NAMES%", "|".join(re.escape(name) for name in field_names()))
    return Lark(grammar, parser="lalr", lexer="basic", propagate_positions=False, maybe_placeholders=False)


# "IPC=H01L 33/50" as offices print symbols: the space before the main group belongs to the symbol.
_CLASS_NAMES = sorted({*CLASS_FIELDS, *(a for a, f in ALIASES.items() if f in CLASS_FIELDS)})
_CLASS_FIELD = re.compile(rf"(?:{'|'.join(map(re.escape, _CLASS_NAMES))})\s*[=:]\s*", re.IGNORECASE)
_SPACED_SYMBOL = re.compile(r"(?<![\w/])([A-HY]\d\d[A-Z])(\s+)(\d{1,4}/\d{0,6}\*?)(?=[\s()]|$)", re.IGNORECASE)


def join_class_symbols(query: str) -> str:
    """``IPC=H01L 33/50`` and ``IPC=(H01L 33/50 OR ...)`` -> symbols without the inner space. The
    space moves behind the symbol, so the length and every later position stay the same."""
    out = query
    for field in _CLASS_FIELD.finditer(query):
        start = field.end()
        if query.startswith("(", start):
            end = _closing_paren(query, start)
            joined = _SPACED_SYMBOL.sub(_moved_space, out[start:end])
        else:
            match = _SPACED_SYMBOL.match(out, start)
            if match is None:
                continue
            end, joined = match.end(), _moved_space(match)
        out = out[:start] + joined + out[end:]
    return out


def _moved_space(match: re.Match[str]) -> str:
    return match.group(1) + match.group(3) + match.group(2)


def _closing_paren(query: str, start: int) -> int:
    """The position after the parenthesis that closes the one at ``start`` (or the query's end)."""
    depth = 0
    for i in range(start, len(query)):
        depth += {"(": 1, ")": -1}.get(query[i], 0)
        if depth == 0:
            return i + 1
    return len(query)


def canonical_field(name: str) -> str:
    upper = name.upper()
    return ALIASES.get(name, ALIASES.get(upper, upper))


_DATE_RE = re.compile(r"^(\d{4})(?:-?(\d{2}))?(?:-?(\d{2}))?$")


def _locate(query: str, text: str, pos: int) -> int:
    """Where ``text`` first occurs in ``query`` from ``pos`` on (``pos`` when it does not)."""
    at = query.find(text, pos) if text else -1
    return at if at >= 0 else pos


def _date_bounds(text: str, pos: int, query: str) -> tuple[dt.date, dt.date]:
    """'2010' -> whole year, '201003' / '2010-03' -> month, '20100315' / '2010-03-15' -> day.
    ``pos`` is where the date starts in ``query``: a refusal points at it."""
    match = _DATE_RE.match(text)
    if not match:
        raise QuerySyntaxError("not a date: %(value)s (use 2010, 2010-03 or 2010-03-15)", pos, query,
                               value=Quoted(text))
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    try:
        if day:
            d = dt.date(year, int(month), int(day))
            return d, d
        if month:
            first = dt.date(year, int(month), 1)
            nxt = dt.date(year + (first.month == 12), first.month % 12 + 1, 1)
            return first, nxt - dt.timedelta(days=1)
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    except ValueError as exc:
        raise QuerySyntaxError("not a valid date: %(value)s", pos, query, value=Quoted(text)) from exc


def _range(field: str, lo: dt.date | None, hi: dt.date | None, pos: int, query: str) -> DateRange:
    """A date range; one that ends before it starts is refused (it matched nothing, silently)."""
    if lo is not None and hi is not None and hi < lo:
        raise QuerySyntaxError("the range ends before it starts: %(end)s is before %(start)s", pos, query,
                               end=hi.isoformat(), start=lo.isoformat())
    return DateRange(field, lo, hi)


def _normalise_class(text: str) -> tuple[str, bool] | None:
    """'H04N21/*' -> ('H04N 21/', prefix); 'H04N' -> ('H04N', prefix); 'H04N21/431' -> exact."""
    t = text.upper().replace(" ", "")
    star = t.endswith("*")
    t = t.rstrip("*")
    m = re.fullmatch(r"([A-HY])(\d{2})?([A-Z])?(?:(\d{1,4})(?:/(\d{0,6}))?)?", t)
    if not m:
        return None
    section, cls, sub, group, subgroup = m.groups()
    if group is None:
        if sub and not cls:
            return None
        return section + (cls or "") + (sub or ""), True
    if not (cls and sub):
        return None
    base = f"{section}{cls}{sub} {int(group)}/"
    if subgroup is None or subgroup == "":
        return base, True
    if star:  # "H04N21/4*": the typed digits are a prefix of the subgroup (21/4, 21/43, 21/431 ...)
        return base + subgroup, True
    subgroup = subgroup.rstrip("0").ljust(2, "0") if len(subgroup) > 2 else subgroup.ljust(2, "0")
    return base + subgroup, star


class _ToAst(Transformer):
    def __init__(self, query: str) -> None:
        super().__init__()
        self.query = query

    def word(self, items: list[Token]) -> Node:
        tok = items[0]
        text = str(tok)
        suffix = re.fullmatch(r"(.+)\.([A-Za-z]{2,4})\.", text)  # USPTO style: term.ti.
        if suffix and canonical_field(suffix.group(2)) in TEXT_FIELDS:
            return self._scoped(canonical_field(suffix.group(2)), Term(suffix.group(1)), tok)
        return self._term(text, tok)

    def phrase(self, items: list[Token]) -> Node:
        text = str(items[0])[1:-1].strip()
        if not text:
            raise QuerySyntaxError("empty phrase", items[0].start_pos, self.query)
        return Phrase(text)

    def _term(self, text: str, tok: Token) -> Term:
        if ("*" in text or "?" in text):
            stem = re.split(r"[*?]", text, maxsplit=1)[0]
            if len(stem) + len(_WIDE.findall(stem)) < MIN_WILDCARD_STEM:
                raise QuerySyntaxError("a wildcard needs at least %(limit)s letters, or two Chinese characters, "
                                       "before it: %(value)s",
                                       tok.start_pos, self.query, limit=MIN_WILDCARD_STEM, value=Quoted(text))
        return Term(text)

    def and_(self, items: list[Node | Token]) -> Node:
        nodes = [i for i in items if not isinstance(i, Token)]
        flat: list[Node] = []
        for n in nodes:
            flat.extend(n.items if isinstance(n, And) else (n,))
        return And(tuple(flat))

    def or_(self, items: list[Node | Token]) -> Node:
        nodes = [i for i in items if not isinstance(i, Token)]
        flat: list[Node] = []
        for n in nodes:
            flat.extend(n.items if isinstance(n, Or) else (n,))
        return Or(tuple(flat))

    def not_(self, items: list[Node | Token]) -> Node:
        return Not(next(i for i in items if not isinstance(i, Token)))

    def same(self, items: list[Node | Token]) -> Node:
        left, _, right = items
        self._check_spannable(left, items[1])  # type: ignore[arg-type]
        self._check_spannable(right, items[1])  # type: ignore[arg-type]
        return Same(left, right)  # type: ignore[arg-type]

    def prox(self, items: list[Node | Token]) -> Node:
        left, op, right = items
        assert isinstance(op, Token)
        text = str(op).upper()
        ordered = text.startswith("ADJ")
        digits = text[3:] if ordered else text[4:]
        n = int(digits) if digits else 1
        if not 1 <= n <= MAX_PROXIMITY:
            raise QuerySyntaxError("proximity must be between 1 and %(limit)s", op.start_pos, self.query,
                                   limit=MAX_PROXIMITY)
        self._check_spannable(left, op)  # type: ignore[arg-type]
        self._check_spannable(right, op)  # type: ignore[arg-type]
        return Prox(left, right, n, ordered)  # type: ignore[arg-type]

    def _check_spannable(self, node: Node, op: Token) -> None:
        ok = all(isinstance(leaf, Term | Phrase) for leaf in leaves(node)) and not any(
            isinstance(n, And | Not) for n in walk(node))
        if not ok:
            raise QuerySyntaxError("%(token)s works on words, phrases and OR-groups of them", op.start_pos, self.query,
                                   token=str(op))

    def fielded(self, items: list[Node | Token]) -> Node:
        field_tok, cmp_tok, value = items
        assert isinstance(field_tok, Token) and isinstance(cmp_tok, Token)
        field = canonical_field(str(field_tok))
        cmp = str(cmp_tok)
        if field in DATE_FIELDS:
            return self._date(field, cmp, value, field_tok)
        if cmp not in ("=", ":"):
            raise QuerySyntaxError("%(field)s takes '=', not '%(cmp)s'", cmp_tok.start_pos, self.query, field=field,
                                   cmp=cmp)
        if field in CLASS_FIELDS:
            return self._map_leaves(value, field_tok, lambda leaf: self._class(field, leaf, field_tok))
        if field in KEYWORD_FIELDS:
            return self._map_leaves(value, field_tok, lambda leaf: self._keyword(field, leaf, field_tok))
        return self._scoped(field, value, field_tok)  # type: ignore[arg-type]

    def _scoped(self, field: str, node: Node, tok: Token) -> Node:
        return _with_field(node, field)

    def _map_leaves(self, node: Node | Token, tok: Token, fn: object) -> Node:
        if isinstance(node, Term | Phrase):
            return fn(node)  # type: ignore[operator]
        if isinstance(node, Or):
            return Or(tuple(self._map_leaves(i, tok, fn) for i in node.items))
        if isinstance(node, And):
            return And(tuple(self._map_leaves(i, tok, fn) for i in node.items))
        if isinstance(node, Not):
            return Not(self._map_leaves(node.item, tok, fn))
        raise QuerySyntaxError("%(field)s takes values combined with AND / OR / NOT", tok.start_pos, self.query,
                               field=str(tok))

    def _class(self, field: str, leaf: Term | Phrase, tok: Token) -> Node:
        norm = _normalise_class(leaf.text)
        if norm is None:
            raise QuerySyntaxError("not an %(field)s symbol: %(value)s (e.g. H04N, H04N21/*, H04N21/431)",
                                   tok.start_pos, self.query, field=field, value=Quoted(leaf.text))
        return ClassCode(field, norm[0], norm[1])

    def _keyword(self, field: str, leaf: Term | Phrase, tok: Token) -> Node:
        value = leaf.text.strip()
        if field in ("PN", "CITES"):
            try:
                return _number_keyword(field, value)
            except ValueError as exc:
                raise QuerySyntaxError("not a publication number: %(value)s", tok.start_pos, self.query,
                                       value=Quoted(value)) from exc
        if field == "AN":
            return Keyword("AN", re.sub(r"[^0-9A-Za-z]", "", value).upper())
        if field == "KIND":
            return Keyword("KIND", self._kind(value, tok))
        if field == "LANG":
            return Keyword("LANG", value.lower())
        if field == "OWNER":
            from ipsearch.names import harmonise_name

            return Keyword("OWNER", harmonise_name(value))
        if field == "RUN" and not value.isdigit():
            raise QuerySyntaxError("RUN takes a load run number, not %(value)s", tok.start_pos, self.query,
                                   value=Quoted(value))
        if field == "LS":
            return Keyword("LS", self._legal_status(value, tok))
        if field == "RG":
            return Keyword("RG", self._region(value, tok))
        return Keyword(field, value.upper())

    def _region(self, value: str, tok: Token) -> str:
        from core import regions
        from core.errors import InvalidInput

        try:
            return regions.resolve(value).code
        except InvalidInput as exc:
            raise QuerySyntaxError(exc.template, tok.start_pos, self.query, **exc.params) from exc

    def _kind(self, value: str, tok: Token) -> str:
        """A document kind by its word (grant, 实用新型: its own value, lower case), else a kind code
        (upper case). A word that is neither was searched and found nothing, said nothing
        (KIND=实用新型, and utility_model itself, which is no word of letters alone)."""
        kind = DOC_KIND_WORDS.get(value.lower().replace("-", "_").replace(" ", "_"))
        if kind is not None:
            return kind.value
        if len(value) <= 2 and value.isascii() and value.isalnum():
            return value.upper()
        raise QuerySyntaxError("KIND takes a document kind (%(choices)s) or a kind code such as B2, not %(value)s",
                               tok.start_pos, self.query, choices=", ".join(k.value for k in DocKind),
                               value=Quoted(value))

    def _legal_status(self, value: str, tok: Token) -> str:
        status = LEGAL_STATUS_WORDS.get(value.lower().replace("-", "_").replace(" ", "_"))
        if status is None:
            raise QuerySyntaxError("LS takes one of %(choices)s, not %(value)s", tok.start_pos, self.query,
                                   choices=", ".join(sorted(set(LEGAL_STATUS_WORDS) - {"in_force"})),
                                   value=Quoted(value))
        return status.value

    def _date(self, field: str, cmp: str, value: Node | Token, tok: Token) -> Node:
        words = [leaf.text for leaf in leaves(value) if isinstance(leaf, Term | Phrase)] if not isinstance(
            value, Token) else []
        pos = tok.start_pos or 0
        if len(words) == 3 and words[1].lower() == "to" and cmp in ("=", ":"):  # AD=(20190101 to 20191231)
            lo_at = _locate(self.query, words[0], pos)
            hi_at = _locate(self.query, words[2], _locate(self.query, words[1], lo_at + len(words[0])))
            lo, _ = _date_bounds(words[0], lo_at, self.query)
            _, hi = _date_bounds(words[2], hi_at, self.query)
            return _range(field, lo, hi, lo_at, self.query)
        if len(words) != 1:
            raise QuerySyntaxError("%(field)s takes a date or a range like 2010..2015", pos, self.query, field=field)
        text = words[0]
        at = _locate(self.query, text, pos)
        if ".." in text:  # PD=2010..2015: each end points at itself
            a, _, b = text.partition("..")
            return _range(field, _date_bounds(a, at, self.query)[0] if a else None,
                          _date_bounds(b, at + len(a) + 2, self.query)[1] if b else None, at, self.query)
        first, last = _date_bounds(text, at, self.query)
        if cmp in (">", "<") and (last if cmp == ">" else first) in (dt.date.max, dt.date.min):
            # PD>9999-12-31 (the bound was computed for every operator at once: a 500 even for PD>=0001-01-01)
            template = "no date comes after %(value)s" if cmp == ">" else "no date comes before %(value)s"
            raise QuerySyntaxError(template, at, self.query, value=Quoted(text))
        match cmp:
            case ">=":
                return DateRange(field, first, None)
            case ">":
                return DateRange(field, last + dt.timedelta(days=1), None)
            case "<=":
                return DateRange(field, None, last)
            case "<":
                return DateRange(field, None, first - dt.timedelta(days=1))
        return DateRange(field, first, last)


def walk(node: Node) -> list[Node]:
    out = [node]
    if isinstance(node, And | Or):
        for item in node.items:
            out.extend(walk(item))
    elif isinstance(node, Not):
        out.extend(walk(node.item))
    elif isinstance(node, Prox | Same):
        out.extend(walk(node.left) + walk(node.right))
    return out


def _with_field(node: Node, field: str) -> Node:
    if isinstance(node, Term):
        return Term(node.text, field)
    if isinstance(node, Phrase):
        return Phrase(node.text, field)
    if isinstance(node, And):
        return And(tuple(_with_field(i, field) for i in node.items))
    if isinstance(node, Or):
        return Or(tuple(_with_field(i, field) for i in node.items))
    if isinstance(node, Not):
        return Not(_with_field(node.item, field))
    if isinstance(node, Prox):
        return Prox(_with_field(node.left, field), _with_field(node.right, field), node.n, node.ordered)
    if isinstance(node, Same):
        return Same(_with_field(node.left, field), _with_field(node.right, field))
    return node  # dates, classes and keywords keep their own field


def _bare_number(query: str) -> Keyword | None:
    """A query that is a publication number alone, looked up as ``PN=`` would: people paste
    numbers into the search box, and searched as text a number finds nothing."""
    match = _BARE_NUMBER.fullmatch(query)
    if match is None or sum(c.isdigit() for c in match.group(1)) < MIN_BARE_DIGITS:
        return None
    try:
        return _number_keyword("PN", query)
    except ValueError:
        return None


def _number_keyword(field: str, text: str) -> Keyword:
    """PN= or CITES= a publication number as typed (ValueError when it is none). CITES matches
    citations by country and number: a citation often names another kind."""
    from ipsearch.model import parse_publication_number

    pn = parse_publication_number(text)
    return Keyword(field, pn.country + pn.number + ("" if field == "CITES" else pn.kind))


@lru_cache(maxsize=2048)
def parse_query(query: str) -> Node:
    """Parse ``query`` or raise QuerySyntaxError with a position and a plain message. Cached: the
    AST is immutable, and the same queries come back (paging, saved queries, dashboards)."""
    query = read_typed(query)
    if len(query) > MAX_QUERY_CHARS:
        raise QuerySyntaxError("the query is longer than %(limit)s characters", MAX_QUERY_CHARS, "",
                               limit=MAX_QUERY_CHARS)
    control = _CONTROL.search(query)
    if control:
        raise QuerySyntaxError("the query contains a control character", control.start(), query)
    if not query.strip():
        raise QuerySyntaxError("the query is empty", 0, query)
    if (number := _bare_number(query)) is not None:
        return number
    try:
        tree = _lark().parse(join_class_symbols(query))
        _check_shape(tree, query)  # before the (recursive) transformer sees a deep tree
        node: Node = _ToAst(query).transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, QuerySyntaxError):
            raise exc.orig_exc from None
        raise
    except UnexpectedInput as exc:
        raise _explain(exc, query) from None
    _check_fields_in_prox(node, query)
    return node


_OPERATORS = {"and_", "or_", "not_", "prox", "same"}
_FLATTENED = {"and_", "or_"}  # a child of the same kind is merged into its parent
_SPANS = {"prox", "same"}


def _check_shape(tree: Tree[Token], query: str) -> None:
    """Refuse, with the limit in the message, a query over ``MAX_CLAUSES``, ``MAX_DEPTH`` or
    ``MAX_CHAIN``. Walks the parse tree with an explicit stack: a hostile query cannot recurse."""
    words = 0
    stack: list[tuple[Tree[Token], int, str]] = [(tree, 0, "")]  # subtree, operators above, nearest one
    while stack:
        node, depth, above = stack.pop()
        kind = str(node.data)
        if kind in ("word", "phrase"):
            words += 1
            if words > MAX_CLAUSES:
                raise QuerySyntaxError("at most %(limit)s words and phrases are allowed in a query", 0, query,
                                       limit=MAX_CLAUSES)
        if kind in _OPERATORS:
            depth += 0 if kind in _FLATTENED and kind == above else 1
            if depth > MAX_DEPTH:
                raise QuerySyntaxError("operators are nested more than %(limit)s deep", _position(node), query,
                                       limit=MAX_DEPTH)
            if kind in _SPANS and above not in _SPANS:
                _check_chain(node, query)
            above = kind
        stack.extend((child, depth, above) for child in node.children if isinstance(child, Tree))


def _check_chain(root: Tree[Token], query: str) -> None:
    """``root`` starts a NEAR/ADJ/SAME chain: at most ``MAX_CHAIN`` words or groups may take part."""
    links: list[int] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if str(node.data) in _SPANS:
            links.append(_position(node) or 0)
        # a field code between two links (TI=(a NEAR b) NEAR c) does not end the chain
        stack.extend(c for c in node.children if isinstance(c, Tree) and str(c.data) not in _OPERATORS - _SPANS)
    if len(links) + 1 > MAX_CHAIN:
        raise QuerySyntaxError("a NEAR/ADJ/SAME chain joins more than %(limit)s words or groups",
                               sorted(links)[MAX_CHAIN - 1], query, limit=MAX_CHAIN)


def _position(node: Tree[Token]) -> int | None:
    """Where the operator of ``node`` was typed (an implicit AND has no token)."""
    return next((c.start_pos for c in node.children if isinstance(c, Token)), None)


def _check_fields_in_prox(node: Node, query: str) -> None:
    from ipsearch.query.ast import text_field_of

    for n in walk(node):
        if isinstance(n, Prox | Same) and text_field_of(n) is None:
            raise QuerySyntaxError("both sides of NEAR/ADJ/SAME must search the same text field: write the field "
                                   "once, before a group, as in DESC=(first NEAR2 grommet)", None, query)


def _explain(exc: UnexpectedInput, query: str) -> QuerySyntaxError:
    pos = getattr(exc, "pos_in_stream", None)
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        opens, closes = query.count("("), query.count(")")
        if opens > closes:
            return QuerySyntaxError("a '(' is never closed", query.rfind("("), query)
        if query.count('"') % 2:
            return QuerySyntaxError("a '\"' is never closed", query.rfind('"'), query)
        return QuerySyntaxError("the query ends where a word or phrase is expected", len(query), query)
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        pos = tok.start_pos
        if tok.type == "RPAR":
            before = _PHRASES.sub("", query[:pos])  # brackets inside a phrase are text
            if before.count("(") > before.count(")"):  # it closes a group left empty or open
                return QuerySyntaxError("a word or group is expected before this ')'", pos, query)
            return QuerySyntaxError("this ')' has no matching '('", pos, query)
        if tok.type in ("OR", "AND", "SAME", "PROX"):
            return QuerySyntaxError("'%(token)s' needs a word or group on both sides", pos, query, token=str(tok))
        if tok.type == "CMP":
            return QuerySyntaxError("'%(token)s' must follow a field code such as TI, AB, PA, PD", pos, query,
                                    token=str(tok))
        return QuerySyntaxError("unexpected '%(token)s'", pos, query, token=str(tok))
    if isinstance(exc, UnexpectedCharacters):
        where = exc.pos_in_stream or 0
        ch = query[where] if where < len(query) else ""
        if ch == '"':
            return QuerySyntaxError("a '\"' is never closed", where, query)
        return QuerySyntaxError("unexpected character %(value)s", where, query, value=Quoted(ch))
    return QuerySyntaxError("the query could not be read", pos, query)
