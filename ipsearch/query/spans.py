"""Position matching for NEAR/ADJ/SAME on one element's tokens.

The embedded backend verifies proximity here, on the stored tokens of one claim, paragraph,
title or abstract; the semantics follow Lucene's span_near (``slop`` = positions allowed
between two spans), which the Elasticsearch compiler uses.
"""

from __future__ import annotations

from ipsearch.query.ast import Node, Or, Phrase, Prox, Same, Term

Span = tuple[int, int]  # [start, end) token positions


def spans(node: Node, tokens: list[str], expansions: dict[str, list[str]],
          analysed: dict[str, list[str]]) -> list[Span]:
    if isinstance(node, Term) and node.is_wildcard:
        words = set(expansions.get(node.text, []))
        return [(i, i + 1) for i, t in enumerate(tokens) if t in words]
    if isinstance(node, Term | Phrase):
        seq = analysed[node.text]
        if not seq:
            return []
        n = len(seq)
        return [(i, i + n) for i in range(len(tokens) - n + 1) if tokens[i : i + n] == seq]
    if isinstance(node, Or):
        out: list[Span] = []
        for item in node.items:
            out.extend(spans(item, tokens, expansions, analysed))
        return sorted(set(out))
    if isinstance(node, Prox):
        left = spans(node.left, tokens, expansions, analysed)
        right = spans(node.right, tokens, expansions, analysed)
        return _near(left, right, node.n - 1, node.ordered)
    if isinstance(node, Same):
        left = spans(node.left, tokens, expansions, analysed)
        right = spans(node.right, tokens, expansions, analysed)
        return [(0, len(tokens))] if left and right else []
    return []


def _near(left: list[Span], right: list[Span], slop: int, ordered: bool) -> list[Span]:
    out = set()
    for a in left:
        for b in right:
            if b[0] >= a[1] and b[0] - a[1] <= slop:
                out.add((a[0], b[1]))
            elif not ordered and a[0] >= b[1] and a[0] - b[1] <= slop:
                out.add((b[0], a[1]))
    return sorted(out)
