"""AST -> query text that parses back to the same AST (used by ``explain``, suggestions and
round-trip tests), and query text narrowed by filters."""

from __future__ import annotations

import datetime as dt

from ipsearch.query import ast as q


def _leaf(node: q.Term | q.Phrase) -> str:
    body = f'"{node.text}"' if isinstance(node, q.Phrase) else node.text
    return body if node.field == "TXT" else f"{node.field}={body}"


def _day(day: dt.date | None, year_end: tuple[int, int]) -> str:
    """A bound: its year alone when it is the year's first (or last) day, else the day."""
    if day is None:
        return ""
    return str(day.year) if (day.month, day.day) == year_end else day.isoformat()


def _dates(node: q.DateRange) -> str:
    """A date range as people write it: ``PD>=2015``, ``PD<=2019-06-30``, ``PD=2015``,
    ``PD=2015..2019`` (whole years by their number), not ``PD=2015-01-01..``."""
    lo, hi = _day(node.gte, (1, 1)), _day(node.lte, (12, 31))
    if not lo and not hi:  # "PD=.." bounds nothing, and parses back as it is
        return f"{node.field}=.."
    if not hi:
        return f"{node.field}>={lo}"
    if not lo:
        return f"{node.field}<={hi}"
    if lo == hi and len(lo) == 4:
        return f"{node.field}={lo}"
    return f"{node.field}={lo}..{hi}"


def render(node: q.Node) -> str:
    if isinstance(node, q.Term | q.Phrase):
        return _leaf(node)
    if isinstance(node, q.And):
        return "(" + " AND ".join(render(i) for i in node.items) + ")"
    if isinstance(node, q.Or):
        return "(" + " OR ".join(render(i) for i in node.items) + ")"
    if isinstance(node, q.Not):
        return f"(NOT {render(node.item)})"
    if isinstance(node, q.Prox):
        op = ("ADJ" if node.ordered else "NEAR") + str(node.n)
        return f"({render(node.left)} {op} {render(node.right)})"
    if isinstance(node, q.Same):
        return f"({render(node.left)} SAME {render(node.right)})"
    if isinstance(node, q.DateRange):
        return _dates(node)
    if isinstance(node, q.ClassCode):
        code = node.code.replace(" ", "")
        star = "*" if node.prefix and "/" in code else ""  # "H05B" is a prefix by itself
        return f"{node.field}={code}{star}"
    if isinstance(node, q.Keyword):
        return f'{node.field}="{node.value}"'
    raise TypeError(node)


def narrowed(query: str, filters: list[str]) -> str:
    """The typed query narrowed by the facet filters chosen (each a clause of the query language)."""
    narrowing = [f for f in filters if f.strip()]
    if not narrowing:
        return query.strip()
    return " AND ".join(([f"({query.strip()})"] if query.strip() else []) + narrowing)


def shown(node: q.Node) -> str:
    """``render`` without the parentheses around the whole query, as a person would type it."""
    text = render(node)
    return text[1:-1] if isinstance(node, q.And | q.Or) else text
