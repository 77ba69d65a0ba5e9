"""The embedded backend finds words in one text row per document and checks proximity in one row
per claim or paragraph: phrases and NEAR/SAME never span two claims there, as on Elasticsearch
(position gap), and a reloaded document leaves no trace of its old text. Built documents,
labelled synthetic; wildcards are in the conformance suite (they expand over a loaded vocabulary)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from core.settings import Settings
from ipsearch.analysis import get_analyzer
from ipsearch.backends import get_backend
from ipsearch.indexdoc import MAX_ELEMENT_TOKENS, IndexRecord, build_index_doc
from ipsearch.model import Claim, DocKind, LangText, PartialDate, PatentDocument, normalise_number
from ipsearch.service import SearchService


def record(number: int, *claims: str) -> IndexRecord:
    doc = PatentDocument(
        pn=normalise_number("US", str(number), "B2"), doc_kind=DocKind.grant,
        publication_date=PartialDate.parse("20200101"), titles=[LangText(lang="en", text=f"Built {number}")],
        claims={"en": [Claim(number=i + 1, text=t, independent=i == 0) for i, t in enumerate(claims)]},
        source_format="test-built", synthetic=True)
    return build_index_doc(doc, get_analyzer())


SPLIT = record(92_000_001, "A housing holding a light", "Emitting means fixed to the housing")
JOINED = record(92_000_002, "A light emitting diode on a housing")
APART = record(92_000_003, "Emitting parts of a red green blue light")  # 'light' 5 words after 'emitting'


@pytest.fixture(scope="module")
def services(corpus_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
        dict[str, SearchService]]:
    settings = corpus_settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("rows") / "var",
                                                  "es_index_prefix": f"patents-rows-{uuid.uuid4().hex[:8]}"})
    out = {}
    for kind in ("es", "embedded"):
        backend = get_backend(settings, kind)
        backend.ensure_index()
        assert all(o.ok for o in backend.write(enumerate([SPLIT, JOINED, APART])))
        backend.refresh()
        out[kind] = SearchService(backend)
    yield out
    get_backend(settings, "es").drop()


@pytest.mark.parametrize("query,expected", [
    ('"light emitting"', {JOINED["pn"]}),
    ("light ADJ emitting", {JOINED["pn"]}),
    ("light NEAR1 emitting", {JOINED["pn"]}),
    ("emitting NEAR6 light", {JOINED["pn"], APART["pn"]}),
    ("emitting NEAR4 light", {JOINED["pn"]}),
    ("emitting ADJ6 light", {APART["pn"]}),
    ("light SAME emitting", {JOINED["pn"], APART["pn"]}),
    ("light SAME (emitting OR fixed)", {JOINED["pn"], APART["pn"]}),
    ('"holding light" SAME housing', {SPLIT["pn"]}),
    ("light AND emitting", {SPLIT["pn"], JOINED["pn"], APART["pn"]}),
    ("housing AND NOT diode", {SPLIT["pn"]}),
    ("(light NEAR1 emitting) OR fixed", {SPLIT["pn"], JOINED["pn"]}),
])
def test_proximity_stays_inside_one_claim(query: str, expected: set[str],
                                          services: dict[str, SearchService]) -> None:
    for kind, service in services.items():
        assert service.matching_ids(query) == expected, kind


def test_a_reloaded_document_keeps_only_its_new_text(services: dict[str, SearchService]) -> None:
    backend = services["embedded"].backend
    changed = record(92_000_003, "A seawater battery")
    assert all(o.ok for o in backend.write([(0, changed)]))
    service = services["embedded"]
    assert service.matching_ids("seawater") == {APART["pn"]}
    assert service.matching_ids("blue") == set()
    assert service.search("seawater").hits[0].pn == APART["pn"]
    assert backend.count() == 3


def test_a_claim_is_indexed_up_to_the_element_token_cap_and_no_further() -> None:
    """A claim of exactly MAX_ELEMENT_TOKENS tokens is kept whole; one token more is cut there (below
    the position gap, so SAME never reaches into the next claim)."""
    whole = record(92_000_004, " ".join(["lamp"] * MAX_ELEMENT_TOKENS))
    longer = record(92_000_005, " ".join(["lamp"] * MAX_ELEMENT_TOKENS + ["diode"]))
    assert whole["cl"] == [" ".join(["lamp"] * MAX_ELEMENT_TOKENS)]
    assert longer["cl"] == whole["cl"]
