"""Compile the AST to SQL over the embedded store (FTS5 ``passages``, ``docs``, ``doc_values``).

Words and phrases become FTS5 MATCH expressions on the documents' text rows (``texts``, one row a
document: the words of one AND or OR in one expression); NEAR/ADJ/SAME find candidate passages
(one row a claim or paragraph) with FTS5 and are verified on the passage's tokens (``spans``), with
the same semantics as the Elasticsearch span queries. Every value is a bound parameter.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from ipsearch.query import ast as q
from ipsearch.query.parser import NOTHING_TO_SEARCH, QuerySyntaxError
from ipsearch.query.plan import Planner
from ipsearch.query.spans import spans

NONE_SQL = "0"
TEXT_MATCH = "d.id IN (SELECT rowid FROM texts WHERE texts MATCH ?)"
PASSAGE_ROW_BITS = 20  # a passage's rowid is its document's id << 20 plus its number in the document


def fts_quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _membership_test(condition: str) -> str:
    """Keep a document-list condition of an AND from driving the lookup (SQLite's unary ``+``): the
    first list drives, the others are tested per document. Left to itself SQLite may walk the
    cross product of two lists through the (pn, id) index."""
    return "+" + condition if condition.startswith(("d.id IN ", "d.pn IN ")) else condition


@dataclass
class SqlQuery:
    where: str
    params: list[object] = field(default_factory=list)
    rank_match: str | None = None  # FTS5 expression of the positive words, for bm25 ranking
    # the whole query is this one MATCH on ``texts``: it finds and ranks the documents in one pass
    # (FTS5's bm25 sums the same per-phrase scores whether the phrases are AND-ed or OR-ed)
    text_match: str | None = None


@dataclass
class SqlCompiler:
    planner: Planner
    conn: sqlite3.Connection
    _positive: list[str] = field(default_factory=list)

    def compile(self, node: q.Node) -> SqlQuery:
        params: list[object] = []
        where = self._compile(node, params, negated=False)
        if where is None:
            raise QuerySyntaxError(NOTHING_TO_SEARCH, None,
                                   self.planner.query)
        rank = " OR ".join(dict.fromkeys(self._positive)) or None
        text_only = where in (TEXT_MATCH, f"({TEXT_MATCH})")
        return SqlQuery(where, params, rank, text_match=str(params[0]) if text_only else None)

    # --- helpers ---------------------------------------------------------------------------
    def _cols(self, field_code: str) -> str:
        return "{" + " ".join(self.planner.fields(field_code)) + "}"

    def _match_expr(self, node: q.Term | q.Phrase) -> str | None:
        """FTS5 expression for a word/phrase in its fields; None for stop words; NONE for no match."""
        if isinstance(node, q.Term) and node.is_wildcard:
            words = self.planner.expand(node)
            if not words:
                return NONE_SQL
            body = " OR ".join(fts_quote(w) for w in words)
            return f"{self._cols(node.field)} : ({body})"
        tokens = self.planner.tokens(node)
        if not tokens:
            return None
        return f"{self._cols(node.field)} : {fts_quote(' '.join(tokens))}"

    def _text_match(self, leaves: list[q.Term | q.Phrase], joiner: str, params: list[object],
                    negated: bool) -> str | None:
        """The words and phrases of one AND or OR as a single FTS5 MATCH on the documents' text
        rows: one index lookup instead of one per word. None when all are stop words."""
        exprs: list[str] = []
        nothing = False
        for leaf in leaves:
            expr = self._match_expr(leaf)
            if expr == NONE_SQL:  # a wildcard that expands to no indexed word
                if joiner == "AND":
                    return NONE_SQL
                nothing = True
            elif expr is not None:
                exprs.append(f"({expr})")
        if not exprs:
            return NONE_SQL if nothing else None
        if not negated:
            self._positive.extend(exprs)
        params.append(f" {joiner} ".join(exprs))
        return TEXT_MATCH

    def _compile(self, node: q.Node, params: list[object], negated: bool) -> str | None:
        if isinstance(node, q.Term | q.Phrase):
            return self._text_match([node], "AND", params, negated)
        if isinstance(node, q.And | q.Or):
            joiner = "AND" if isinstance(node, q.And) else "OR"
            leaves = [i for i in node.items if isinstance(i, q.Term | q.Phrase)]
            text = self._text_match(leaves, joiner, params, negated) if leaves else None
            rest = (self._compile(i, params, negated) for i in node.items if not isinstance(i, q.Term | q.Phrase))
            parts = [s for s in (text, *rest) if s is not None]
            if joiner == "AND":
                parts = parts[:1] + [_membership_test(s) for s in parts[1:]]
            return "(" + f" {joiner} ".join(parts) + ")" if parts else None
        if isinstance(node, q.Not):
            inner = self._compile(node.item, params, not negated)
            return None if inner is None else f"NOT {inner}"
        if isinstance(node, q.Prox | q.Same):
            return self._proximity(node, params, negated)
        if isinstance(node, q.DateRange):
            return self._date_range(node, params)
        if isinstance(node, q.ClassCode):
            params.append(q.CLASS_FIELDS[node.field])
            if node.prefix:  # a range over the (field, value) index, case-sensitive as on Elasticsearch
                params.extend([node.code, node.code + "\U0010ffff"])
                return "d.id IN (SELECT id FROM doc_values WHERE field = ? AND value >= ? AND value < ?)"
            params.append(node.code)
            return "d.id IN (SELECT id FROM doc_values WHERE field = ? AND value = ?)"
        if isinstance(node, q.Keyword):
            return self._keyword(node, params)
        raise TypeError(f"cannot compile {node!r}")

    def _date_range(self, node: q.DateRange, params: list[object]) -> str:
        field_name = q.DATE_FIELDS[node.field]
        multi = node.field in q.LIST_DATE_FIELDS  # several dates per document: in doc_values
        col = "v.value" if multi else f"d.{field_name}"
        conds = [f"{col} IS NOT NULL"]
        bounds: list[object] = [field_name] if multi else []
        for bound, op in ((node.gte, ">="), (node.lte, "<=")):
            if bound is not None:
                conds.append(f"{col} {op} ?")
                bounds.append(bound.isoformat())
        params.extend(bounds)
        if multi:
            return f"d.id IN (SELECT v.id FROM doc_values v WHERE v.field = ? AND {' AND '.join(conds)})"
        return "(" + " AND ".join(conds) + ")"

    def _keyword(self, node: q.Keyword, params: list[object]) -> str:
        if node.field == "PN":
            params.extend([node.value, node.value])
            return "(d.pn = ? OR d.pn_base = ?)"
        list_field = {"LANG": "langs", "PAC": "owner_countries", "OWNER": "owner_keys",
                      "CITES": "cited_bases", "RG": "owner_divisions"}.get(node.field)
        if list_field is not None:
            params.extend([list_field, node.value])
            return "d.id IN (SELECT id FROM doc_values WHERE field = ? AND value = ?)"
        column = {"AN": "an_key", "CC": "country", "RUN": "load_run", "FAM": "family_id",
                  "LS": "legal_status"}.get(node.field)
        if column is None:  # KIND: a kind code (B2) or a document kind name (grant)
            column = "doc_kind" if node.value.islower() else "kind"
        params.append(node.value)
        return f"d.{column} = ?"

    def _proximity(self, node: q.Prox | q.Same, params: list[object], negated: bool) -> str:
        """NEAR/ADJ/SAME on the passages: as one FTS5 expression where FTS5 says exactly the same
        (SAME of words, phrases and wildcards; NEAR of two words), else verified on the tokens."""
        field_code = q.text_field_of(node)
        assert field_code is not None
        analysed, expansions = self._leaf_words(node)
        candidates = self._candidate_expr(node, analysed, expansions)
        if candidates is not None and not negated:  # ranked on the words' frequencies, without positions
            words = self._candidate_expr(node, analysed, expansions, near=False)
            self._positive.append(f"({self._cols(field_code)} : {words})")
        if candidates is not None and _exact(node, analysed):
            params.append(f"{self._cols(field_code)} : {candidates}")
            return f"d.id IN (SELECT rowid >> {PASSAGE_ROW_BITS} FROM passages WHERE passages MATCH ?)"
        found = self._verified(node, analysed, expansions, candidates) if candidates is not None else set()
        params.append(json.dumps(sorted(found)))
        return "d.pn IN (SELECT value FROM json_each(?))"

    def _leaf_words(self, node: q.Prox | q.Same) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """The analysed tokens of each word and phrase, and the indexed words of each wildcard."""
        analysed: dict[str, list[str]] = {}
        expansions: dict[str, list[str]] = {}
        for leaf in q.leaves(node):
            assert isinstance(leaf, q.Term | q.Phrase)
            if isinstance(leaf, q.Term) and leaf.is_wildcard:
                expansions[leaf.text] = self.planner.expand(leaf)
            else:
                analysed[leaf.text] = self.planner.tokens(leaf)
                if not analysed[leaf.text]:
                    raise QuerySyntaxError("'%(value)s' is a stop word and cannot be used with NEAR/ADJ/SAME",
                                           None, self.planner.query, value=leaf.text)
        return analysed, expansions

    def _verified(self, node: q.Prox | q.Same, analysed: dict[str, list[str]], expansions: dict[str, list[str]],
                  candidates: str) -> set[str]:
        """Documents with a passage where the proximity holds (candidate passages from FTS5)."""
        field_code = q.text_field_of(node)
        assert field_code is not None
        fields = self.planner.fields(field_code)
        found: set[str] = set()
        cols = ", ".join(fields)
        for field_name in fields:
            sql = f"SELECT pn, {cols} FROM passages WHERE passages MATCH ?"
            for row in self.conn.execute(sql, (f"{{{field_name}}} : ({candidates})",)):
                if row[0] in found:
                    continue
                text = row[1 + fields.index(field_name)]
                if text and spans(node, text.split(" "), expansions, analysed):
                    found.add(row[0])
        return found

    def _candidate_expr(self, node: q.Node, analysed: dict[str, list[str]],
                        expansions: dict[str, list[str]], near: bool = True) -> str | None:
        """An FTS5 expression every matching passage satisfies (None: nothing can match)."""
        if isinstance(node, q.Term) and node.is_wildcard:
            words = expansions[node.text]
            return "(" + " OR ".join(fts_quote(w) for w in words) + ")" if words else None
        if isinstance(node, q.Term | q.Phrase):
            return fts_quote(" ".join(analysed[node.text]))
        if isinstance(node, q.Or):
            parts = [e for e in (self._candidate_expr(i, analysed, expansions, near) for i in node.items) if e]
            return "(" + " OR ".join(parts) + ")" if parts else None
        if isinstance(node, q.Prox | q.Same):
            left = self._candidate_expr(node.left, analysed, expansions, near)
            right = self._candidate_expr(node.right, analysed, expansions, near)
            if not (left and right):
                return None
            if near and isinstance(node, q.Prox) and all(_is_phrase(side) for side in (node.left, node.right)):
                # FTS5 NEAR counts the tokens between the two as the spans do (at most n - 1), in
                # either order: exact for two words, a superset for ADJ and phrases
                return f"NEAR({left} {right}, {node.n - 1})"
            return f"({left} AND {right})"
        return None


def _is_phrase(node: q.Node) -> bool:
    """A word or phrase FTS5 can put inside NEAR(...) (not a wildcard's OR of words)."""
    return isinstance(node, q.Phrase) or (isinstance(node, q.Term) and not node.is_wildcard)


def _exact(node: q.Node, analysed: dict[str, list[str]]) -> bool:
    """Whether a passage matches the FTS5 candidate expression of ``node`` exactly when the spans
    would: words, phrases and wildcards (present in the passage), their OR, SAME of such, and
    NEAR (either order) of two different single words. ADJ (order) and NEAR of phrases, whose
    overlaps FTS5 treats differently, are verified on the tokens."""
    if isinstance(node, q.Term | q.Phrase):
        return True
    if isinstance(node, q.Or):
        return all(_exact(item, analysed) for item in node.items)
    if isinstance(node, q.Same):
        return _exact(node.left, analysed) and _exact(node.right, analysed)
    if isinstance(node, q.Prox):
        words = [analysed.get(side.text, []) if isinstance(side, q.Term | q.Phrase) and _is_phrase(side) else []
                 for side in (node.left, node.right)]
        return not node.ordered and all(len(w) == 1 for w in words) and words[0] != words[1]
    return False
