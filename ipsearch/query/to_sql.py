"""Compile the AST to SQL over the embedded store (FTS5 ``passages``, ``docs``, ``doc_values``).

Words and phrases become FTS5 MATCH expressions on the passage rows; NEAR/ADJ/SAME find candidate
rows with FTS5 and are verified on the row's tokens (``spans``), with the same semantics as the
Elasticsearch span queries. Every value is a bound parameter.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from ipsearch.query import ast as q
from ipsearch.query.parser import QuerySyntaxError
from ipsearch.query.plan import Planner
from ipsearch.query.spans import spans

NONE_SQL = "0"


def fts_quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


@dataclass
class SqlQuery:
    where: str
    params: list[object] = field(default_factory=list)
    rank_match: str | None = None  # FTS5 expression of the positive words, for bm25 ranking


@dataclass
class SqlCompiler:
    planner: Planner
    conn: sqlite3.Connection
    _positive: list[str] = field(default_factory=list)

    def compile(self, node: q.Node) -> SqlQuery:
        params: list[object] = []
        where = self._compile(node, params, negated=False)
        if where is None:
            raise QuerySyntaxError("the query has only stop words", None, self.planner.query)
        rank = " OR ".join(dict.fromkeys(self._positive)) or None
        return SqlQuery(where, params, rank)

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

    def _compile(self, node: q.Node, params: list[object], negated: bool) -> str | None:
        if isinstance(node, q.Term | q.Phrase):
            expr = self._match_expr(node)
            if expr is None or expr == NONE_SQL:
                return expr
            if not negated:
                self._positive.append(f"({expr})")
            params.append(expr)
            return "d.pn IN (SELECT pn FROM passages WHERE passages MATCH ?)"
        if isinstance(node, q.And):
            parts = [s for s in (self._compile(i, params, negated) for i in node.items) if s is not None]
            return "(" + " AND ".join(parts) + ")" if parts else None
        if isinstance(node, q.Or):
            parts = [s for s in (self._compile(i, params, negated) for i in node.items) if s is not None]
            return "(" + " OR ".join(parts) + ")" if parts else None
        if isinstance(node, q.Not):
            inner = self._compile(node.item, params, not negated)
            return None if inner is None else f"NOT {inner}"
        if isinstance(node, q.Prox | q.Same):
            if not negated:
                analysed = {leaf.text: self.planner.tokens(leaf) for leaf in q.leaves(node)
                            if isinstance(leaf, q.Phrase) or (isinstance(leaf, q.Term) and not leaf.is_wildcard)}
                expansions = {leaf.text: self.planner.expand(leaf) for leaf in q.leaves(node)
                              if isinstance(leaf, q.Term) and leaf.is_wildcard}
                expr = self._candidate_expr(node, analysed, expansions)
                field_code = q.text_field_of(node)
                if expr and field_code:
                    self._positive.append(f"({self._cols(field_code)} : {expr})")
            params.append(json.dumps(sorted(self._verified(node))))
            return "d.pn IN (SELECT value FROM json_each(?))"
        if isinstance(node, q.DateRange):
            return self._date_range(node, params)
        if isinstance(node, q.ClassCode):
            params.append(q.CLASS_FIELDS[node.field])
            if node.prefix:
                params.append(node.code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
                return "d.pn IN (SELECT pn FROM doc_values WHERE field = ? AND value LIKE ? ESCAPE '\\')"
            params.append(node.code)
            return "d.pn IN (SELECT pn FROM doc_values WHERE field = ? AND value = ?)"
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
            return f"d.pn IN (SELECT v.pn FROM doc_values v WHERE v.field = ? AND {' AND '.join(conds)})"
        return "(" + " AND ".join(conds) + ")"

    def _keyword(self, node: q.Keyword, params: list[object]) -> str:
        if node.field == "PN":
            params.extend([node.value, node.value])
            return "(d.pn = ? OR d.pn_base = ?)"
        list_field = {"LANG": "langs", "PAC": "owner_countries", "OWNER": "owner_keys",
                      "CITES": "cited_bases", "RG": "owner_divisions"}.get(node.field)
        if list_field is not None:
            params.extend([list_field, node.value])
            return "d.pn IN (SELECT pn FROM doc_values WHERE field = ? AND value = ?)"
        column = {"AN": "an_key", "CC": "country", "RUN": "load_run", "FAM": "family_id",
                  "LS": "legal_status"}.get(node.field)
        if column is None:  # KIND: a kind code (B2) or a document kind name (grant)
            column = "doc_kind" if node.value.islower() else "kind"
        params.append(node.value)
        return f"d.{column} = ?"

    def _verified(self, node: q.Prox | q.Same) -> set[str]:
        """Documents with a passage where the proximity holds (candidates from FTS5)."""
        field_code = q.text_field_of(node)
        assert field_code is not None
        fields = self.planner.fields(field_code)
        analysed: dict[str, list[str]] = {}
        expansions: dict[str, list[str]] = {}
        for leaf in q.leaves(node):
            assert isinstance(leaf, q.Term | q.Phrase)
            if isinstance(leaf, q.Term) and leaf.is_wildcard:
                expansions[leaf.text] = self.planner.expand(leaf)
            else:
                analysed[leaf.text] = self.planner.tokens(leaf)
                if not analysed[leaf.text]:
                    raise QuerySyntaxError(f"'{leaf.text}' is a stop word and cannot be used with NEAR/ADJ/SAME",
                                           None, self.planner.query)
        candidates = self._candidate_expr(node, analysed, expansions)
        if candidates is None:
            return set()
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
                        expansions: dict[str, list[str]]) -> str | None:
        """An FTS5 expression every matching passage satisfies (None: nothing can match)."""
        if isinstance(node, q.Term) and node.is_wildcard:
            words = expansions[node.text]
            return "(" + " OR ".join(fts_quote(w) for w in words) + ")" if words else None
        if isinstance(node, q.Term | q.Phrase):
            return fts_quote(" ".join(analysed[node.text]))
        if isinstance(node, q.Or):
            parts = [e for e in (self._candidate_expr(i, analysed, expansions) for i in node.items) if e]
            return "(" + " OR ".join(parts) + ")" if parts else None
        if isinstance(node, q.Prox | q.Same):
            left = self._candidate_expr(node.left, analysed, expansions)
            right = self._candidate_expr(node.right, analysed, expansions)
            return f"({left} AND {right})" if left and right else None
        return None
