"""Compile the AST to Elasticsearch query DSL (built from the AST only: users never send DSL)."""

from __future__ import annotations

from typing import Any

from ipsearch.mapping import POSITION_GAP
from ipsearch.query import ast as q
from ipsearch.query.parser import NOTHING_TO_SEARCH, QuerySyntaxError
from ipsearch.query.plan import Planner

Query = dict[str, Any]
MATCH_NONE: Query = {"match_none": {}}
SAME_SLOP = POSITION_GAP - 1000  # inside one element (<= 9,000 tokens), never across two


def compile_es(node: q.Node, planner: Planner) -> Query:
    query = _compile(node, planner)
    if query is None:
        raise QuerySyntaxError(NOTHING_TO_SEARCH, None, planner.query)
    return query


def _any_field(fields: tuple[str, ...], make: Any) -> Query | None:
    clauses = [q for f in fields if (q := make(f)) is not None]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}}


def _compile(node: q.Node, p: Planner) -> Query | None:
    if isinstance(node, q.Term) and node.is_wildcard:
        words = p.expand(node)
        return _any_field(p.fields(node.field), lambda f: {"terms": {f: words}}) if words else MATCH_NONE
    if isinstance(node, q.Term | q.Phrase):
        tokens = p.tokens(node)
        if not tokens:
            return None
        if len(tokens) == 1:
            return _any_field(p.fields(node.field), lambda f: {"term": {f: tokens[0]}})
        phrase = " ".join(tokens)
        return _any_field(p.fields(node.field), lambda f: {"match_phrase": {f: {"query": phrase,
                                                                                   "analyzer": "whitespace"}}})
    if isinstance(node, q.And):
        must = [q for q in (_compile(i, p) for i in node.items if not isinstance(i, q.Not)) if q is not None]
        must_not = [q for q in (_compile(i.item, p) for i in node.items if isinstance(i, q.Not)) if q is not None]
        if not must and not must_not:
            return None
        return {"bool": {"must": must or [{"match_all": {}}], "must_not": must_not}}
    if isinstance(node, q.Or):
        should = [q for q in (_compile(i, p) for i in node.items) if q is not None]
        if not should:
            return None
        return should[0] if len(should) == 1 else {"bool": {"should": should, "minimum_should_match": 1}}
    if isinstance(node, q.Not):
        inner = _compile(node.item, p)
        return None if inner is None else {"bool": {"must": [{"match_all": {}}], "must_not": [inner]}}
    if isinstance(node, q.Prox | q.Same):
        field = q.text_field_of(node)
        assert field is not None
        return _any_field(p.fields(field), lambda f: _span(node, f, p) or MATCH_NONE)
    if isinstance(node, q.DateRange):
        bounds = {k: v.isoformat() for k, v in (("gte", node.gte), ("lte", node.lte)) if v is not None}
        return {"range": {q.DATE_FIELDS[node.field]: bounds}}
    if isinstance(node, q.ClassCode):
        f = q.CLASS_FIELDS[node.field]
        return {"prefix": {f: node.code}} if node.prefix else {"term": {f: node.code}}
    if isinstance(node, q.Keyword):
        return _keyword(node)
    raise TypeError(f"cannot compile {node!r}")


KEYWORD_COLUMNS = {"PAC": "owner_countries", "OWNER": "owner_keys", "RUN": "load_run", "FAM": "family_id",
                   "LS": "legal_status", "CITES": "cited_bases", "RG": "owner_divisions"}


def _keyword(node: q.Keyword) -> Query:
    if node.field == "PN":
        return {"bool": {"should": [{"term": {"pn": node.value}}, {"term": {"pn_base": node.value}}],
                         "minimum_should_match": 1}}
    if node.field == "AN":
        return {"term": {"an_key": node.value}}
    if node.field == "CC":
        return {"term": {"country": node.value}}
    if node.field == "KIND":
        return {"term": {"doc_kind" if node.value.islower() else "kind": node.value}}
    if node.field in KEYWORD_COLUMNS:
        return {"term": {KEYWORD_COLUMNS[node.field]: node.value}}
    return {"term": {"langs": node.value}}


def _span(node: q.Node, field: str, p: Planner) -> Query | None:
    """A span query for ``node`` in ``field``; None when a side can match nothing."""
    if isinstance(node, q.Term) and node.is_wildcard:
        words = p.expand(node)
        if not words:
            return None
        return {"span_or": {"clauses": [{"span_term": {field: w}} for w in words]}}
    if isinstance(node, q.Term | q.Phrase):
        tokens = p.tokens(node)
        if not tokens:
            raise QuerySyntaxError("'%(value)s' is a stop word and cannot be used with NEAR/ADJ/SAME", None, p.query,
                                   value=node.text)
        terms = [{"span_term": {field: t}} for t in tokens]
        return terms[0] if len(terms) == 1 else {"span_near": {"clauses": terms, "slop": 0, "in_order": True}}
    if isinstance(node, q.Or):
        clauses = [q for q in (_span(i, field, p) for i in node.items) if q is not None]
        return {"span_or": {"clauses": clauses}} if clauses else None
    if isinstance(node, q.Prox):
        left, right = _span(node.left, field, p), _span(node.right, field, p)
        if left is None or right is None:
            return None
        return {"span_near": {"clauses": [left, right], "slop": node.n - 1, "in_order": node.ordered}}
    if isinstance(node, q.Same):
        left, right = _span(node.left, field, p), _span(node.right, field, p)
        if left is None or right is None:
            return None
        return {"span_near": {"clauses": [left, right], "slop": SAME_SLOP, "in_order": False}}
    raise QuerySyntaxError("NEAR/ADJ/SAME works on words, phrases and OR-groups of them", None, p.query)
