"""``ipcommons explain``: a query's syntax tree, its normal form and what each backend runs."""

from __future__ import annotations

from pydantic import BaseModel

from core.settings import BackendKind, Settings
from ipsearch.analysis import get_analyzer
from ipsearch.backends import get_backend
from ipsearch.query.parser import QuerySyntaxError, parse_query
from ipsearch.query.plan import Planner
from ipsearch.query.render import render


class Explained(BaseModel):
    ast: str
    normalised: str
    backends: dict[str, str]  # backend name -> what it runs, or why it cannot


def explain_query(settings: Settings, query: str) -> Explained:
    node = parse_query(query)
    backends: dict[str, str] = {}
    for kind in BackendKind:
        if kind is BackendKind.elasticsearch and not settings.elasticsearch_url:
            backends[kind.value] = "not configured (IPC_ELASTICSEARCH_URL)"
            continue
        backend = get_backend(settings, kind)
        try:
            backends[kind.value] = backend.explain(node, Planner(get_analyzer(), backend, query))
        except QuerySyntaxError as exc:
            backends[kind.value] = str(exc)
    return Explained(ast=repr(node), normalised=render(node), backends=backends)
