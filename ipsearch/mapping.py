"""The Elasticsearch index: versioned name behind an alias, explicit mapping, built-in analyzers only."""

from __future__ import annotations

from typing import Any

from ipsearch.analysis import ANALYSIS_VERSION

INDEX_VERSION = 4
ANALYSIS_META = "analysis"  # the key of the analysis version in the index mapping's _meta

_KEYWORD = {"type": "keyword"}
# Pre-analysed tokens (ipsearch.analysis). Elements (claims, paragraphs) are at most 9,000 tokens
# (indexdoc.MAX_ELEMENT_TOKENS) and 10,000 positions apart, so SAME and NEARn stay inside one.
POSITION_GAP = 10_000
_TEXT_TOKENS = {"type": "text", "analyzer": "whitespace", "position_increment_gap": POSITION_GAP}
_NAME = {"type": "text", "analyzer": "standard", "fields": {"raw": {"type": "keyword", "ignore_above": 512}}}


def index_name(alias: str) -> str:
    return f"{alias}-v{INDEX_VERSION}"


def vocab_index_name(alias: str) -> str:
    return f"{alias}-vocab-v{INDEX_VERSION}"


def copies(data_nodes: int) -> dict[str, Any]:
    """The rule for shards and replicas, from the number of data nodes in the cluster.

    - One primary shard at any cluster size: every count an aggregation returns is then exact
      (terms counts are per shard), and an office's corpus fits one shard (tens of GB).
    - One replica as soon as there are two data nodes, so any one node may be lost without losing a
      document or a search; none on a single node, where a replica could never be placed (the index
      would stay yellow).
    """
    return {"number_of_shards": 1, "number_of_replicas": 1 if data_nodes > 1 else 0}


def vocab_body(data_nodes: int = 1) -> dict[str, Any]:
    """Every distinct analysed token, so wildcards expand the same way on both backends."""
    return {"settings": copies(data_nodes),
            "mappings": {"dynamic": "strict", "properties": {"term": _KEYWORD}}}


def index_body(data_nodes: int = 1) -> dict[str, Any]:
    """The patents index: its settings follow ``copies``; refreshed every second (new documents
    searchable within a second; a load turns refreshing off while it writes)."""
    properties: dict[str, Any] = {
        "pn": _KEYWORD, "pn_raw": _KEYWORD, "number": _KEYWORD, "country": _KEYWORD, "kind": _KEYWORD,
        "doc_kind": _KEYWORD, "application_number": _KEYWORD,
        "filing_date": {"type": "date", "format": "strict_date"},
        "publication_date": {"type": "date", "format": "strict_date"},
        "priority_date": {"type": "date", "format": "strict_date"},
        "filing_year": {"type": "short"}, "publication_year": {"type": "short"}, "priority_year": {"type": "short"},
        "expiry_date": {"type": "date", "format": "strict_date"}, "expiry_year": {"type": "short"},
        "load_run": {"type": "integer"}, "terms": _KEYWORD, "cited_by": {"type": "integer"},
        "title": {"type": "text", "analyzer": "standard"},
        "abstract": {"type": "text", "analyzer": "standard", "index": False},
        "lang": _KEYWORD, "langs": _KEYWORD,
        "ti": _TEXT_TOKENS, "ab": _TEXT_TOKENS, "cl": _TEXT_TOKENS, "desc": _TEXT_TOKENS,
        "pa": _TEXT_TOKENS, "inv": _TEXT_TOKENS, "ag": _TEXT_TOKENS, "pn_base": _KEYWORD, "an_key": _KEYWORD,
        "ipc": _KEYWORD, "ipc_section": _KEYWORD, "ipc_class": _KEYWORD, "ipc_subclass": _KEYWORD,
        "ipc_group": _KEYWORD, "cpc": _KEYWORD, "cpc_subclass": _KEYWORD, "uspc": _KEYWORD, "locarno": _KEYWORD,
        "applicants": _NAME, "applicant_keys": _KEYWORD, "assignees": _NAME, "owners": _NAME,
        "owner_keys": _KEYWORD, "first_applicant": _NAME, "inventors": _NAME, "agents": _NAME,
        "owner_countries": _KEYWORD, "owner_regions": _KEYWORD, "owner_places": _KEYWORD,
        "owner_divisions": _KEYWORD, "owner_division_keys": _KEYWORD,
        "cited_pns": _KEYWORD, "cited_bases": _KEYWORD, "citation_count": {"type": "integer"},
        "claim_count": {"type": "integer"},
        "independent_claim_count": {"type": "integer"}, "priority_countries": _KEYWORD,
        "priority_count": {"type": "integer"}, "family_id": _KEYWORD, "family_basis": _KEYWORD,
        "family_keys": _KEYWORD, "expiry_basis": _KEYWORD, "legal_status": _KEYWORD,
        "legal_status_date": {"type": "date", "format": "strict_date"}, "legal_status_code": _KEYWORD,
        "legal_event_dates": {"type": "date", "format": "strict_date"}, "legal_event_codes": _KEYWORD,
        "source_format": _KEYWORD, "dtd_version": _KEYWORD, "source_file": _KEYWORD, "synthetic": {"type": "boolean"},
        "doc": {"type": "object", "enabled": False},
    }
    return {
        "settings": {**copies(data_nodes), "refresh_interval": "1s", "index.mapping.total_fields.limit": 200},
        "mappings": {"dynamic": "strict", "_meta": {ANALYSIS_META: ANALYSIS_VERSION}, "properties": properties},
    }
