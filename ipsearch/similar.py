"""Similar patents: one ranking for both backends.

Each backend only retrieves candidates (``SearchBackend.similar``): the documents that match the
query document's best terms in title, abstract and claims, and those linked to it by
classification (same IPC subclass or Locarno class) or citations (it cites them, they cite it,
they cite the same documents). Everything that decides the order happens here, the same way on
both backends:

* text: cosine of tf-idf vectors over title (weight 3), abstract (2) and claims (1, each
  repetition counting less). The description is left out: long and mostly boilerplate; at a small
  weight it gained under 0.01 nDCG on the judged set for many times the terms to look up. Patent
  boilerplate ("claim", "comprise", "said") and function words of the other European languages an
  EP document is printed in are no terms; neither is a word no title or abstract of the corpus
  uses. Document frequencies come from the ``terms`` field (titles and abstracts), counted the
  same on both backends;
* classification: same IPC main group, subclass or class (US class, Locarno class too), and a
  penalty when both are classified and share no IPC section;
* citations: a direct citation either way, or shared cited documents;
* a design (an appearance) is rarely similar to a utility document (a technique), and vice versa;
* a candidate scoring under ``MIN_SCORE`` is left out: a short honest list reads better than one
  padded with documents that share a section and a word.

The query document and its family never appear.
"""

from __future__ import annotations

import importlib.util
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from ipsearch.indexdoc import is_topic_term
from ipsearch.results import HIT_FIELDS, HIT_KEYS, RawHit

if TYPE_CHECKING:
    from ipsearch.backends.base import SearchBackend

CANDIDATES = 100  # retrieved per kind (text, links) and re-ranked here; far more than a page shows
QUERY_TERMS = 30  # the query document's best terms, OR-ed for text candidates
FIELD_WEIGHTS = {"ti": 3.0, "ab": 2.0, "cl": 1.0}
CLASS_WEIGHT = 0.25
CITATION_WEIGHT = 0.3
DESIGN_VS_UTILITY = 0.5  # score factor when exactly one of the two is a design
# Below this a candidate shares no more than an IPC section and a word or two with the document: a
# fan and a blockchain method were listed beside a display device ("之间" in common) for want of better.
MIN_SCORE = 0.08
SHOWN_WORDS = 5  # shared terms a similar document lists (and marks in its title)
# A shared term is listed when it adds this much to the text likeness (a cosine, at most 1): below it
# were the words any two documents of a field share ("between", "side", "first").
TELLING_WORD = 0.01
DF_CHUNK = 2000  # terms per document-frequency lookup (a page of candidates uses a few thousand)
SIMILAR_FIELDS = [*HIT_FIELDS, "pn_base", "doc_kind", "ti", "ab", "cl", "ipc_section", "ipc_class",
                  "ipc_subclass", "ipc_group", "uspc", "locarno", "cited_bases"]
BOILERPLATE = frozenset(
    "claim recite wherein whereby thereof therein thereon thereto therebetween accord comprise consist "
    "include provide present invention embodiment disclose relate say describe show ornamental design "
    # "mean" is the lemma of "means for ...", claim wording; its statistical sense is lost with it
    "method apparatus device system use have mean "
    # the words that name and place a claim's parts: a display panel and a thermometer shared
    # "capacitor, fourth, terminal, third" and were listed as each other's similar documents
    "first second third fourth fifth sixth seventh eighth ninth tenth one plurality respective respectively "
    "configure couple adjacent dispose arrange portion member element unit module part step end".split()
    # the same words as Chinese patents write them (jieba's tokens), with 一种 ("a", opening every claim),
    # 多个 ("a plurality of") and the ordinals that name a claim's parts (第一 ...): a fan and a display
    # shared nothing else, yet were each other's most similar documents
    + "权利 要求 权项 所述 其中 从而 由此 包括 包含 含有 组成 提供 本发明 发明 实施例 实施 实施方式 公开 涉及 "
      "描述 示出 方法 装置 设备 系统 使用 用于 采用 具有 一种 多个 第一 第二 第三 根据"
      # and the words that place parts in a claim (a display and a blockchain method shared 之间 alone)
      " 之间 设置 设有 位于 至少 所示 一端 另一端 两端 一侧 另一侧 另一"
      # the later ordinals and the words that name parts, as the English list above has them
      " 第四 第五 第六 第七 第八 第九 第十 各自 相应 配置 部分 单元 模块 元件 构件 部件 组件 步骤".split())
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})  # DOCDB writes "fuer" for "für"


def _spacy_stop_words(lang: str) -> set[str]:
    """spaCy's stop words for ``lang``, read from its ``stop_words`` module alone. Importing
    ``spacy.lang.fr.stop_words`` runs ``spacy.lang.fr`` first, which builds the French tokenizer
    exceptions: 2.4 s in every process that imports this module (each CLI command, API worker and
    Celery worker), for a word list; even importing ``spacy`` itself takes a second."""
    package = importlib.util.find_spec("spacy")
    if package is None or package.origin is None:
        raise ImportError("spaCy is not installed")
    path = Path(package.origin).parent / "lang" / lang / "stop_words.py"
    spec = importlib.util.spec_from_file_location(f"ipsearch._spacy_stop_words_{lang}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"spaCy has no stop words for {lang!r} at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return set(module.STOP_WORDS)


FOREIGN_STOP = frozenset(v for lang in ("de", "fr", "es", "it", "nl", "zh") for w in _spacy_stop_words(lang)
                         for v in (w, w.translate(_UMLAUTS)))


@dataclass(frozen=True)
class SimilarQuery:
    """What a backend needs to retrieve candidates for one document."""

    pn: str
    family_id: str | None
    pn_base: str
    terms: list[str]  # OR-ed over ti, ab, cl
    links: dict[str, list[str]]  # keyword field -> values: a document with any of them is a candidate
    link_prefixes: dict[str, list[str]]  # keyword field -> value prefixes, likewise
    cited_bases: list[str]  # documents it cites (country + number)
    limit: int = CANDIDATES

    def excluded(self, source: Mapping[str, Any], pn: str) -> bool:
        """The query document itself or one of its family."""
        return pn == self.pn or (self.family_id is not None and source.get("family_id") == self.family_id)


def is_term(token: str) -> bool:
    return is_topic_term(token) and token not in BOILERPLATE and token not in FOREIGN_STOP


def weighted_tf(record: Mapping[str, Any]) -> dict[str, float]:
    """Term weights before idf: per field its weight times 1 + ln(count)."""
    out: dict[str, float] = {}
    for field, weight in FIELD_WEIGHTS.items():
        counts = Counter(t for text in record.get(field) or [] for t in text.split() if is_term(t))
        for term, n in counts.items():
            out[term] = out.get(term, 0.0) + weight * (1 + math.log(n))
    return out


def idf(df: int, total: int) -> float:
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


def vector(tf: Mapping[str, float], df: Mapping[str, int], total: int) -> dict[str, float]:
    """Unit tf-idf vector over the terms some title or abstract of the corpus uses."""
    raw = {t: w * idf(df[t], total) for t, w in tf.items() if df.get(t)}
    norm = math.sqrt(sum(x * x for x in raw.values())) or 1.0
    return {t: x / norm for t, x in raw.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())


def _set(record: Mapping[str, Any], field: str) -> set[str]:
    return set(record.get(field) or [])


def _us_classes(record: Mapping[str, Any]) -> set[str]:
    return {c.split("/")[0].strip() for c in record.get("uspc") or []}


class ClassLevel(StrEnum):
    """The closest classification two documents share, most specific first."""

    group = "group"  # an IPC main group
    locarno_subclass = "locarno_subclass"  # designs: a Locarno subclass (23-04)
    subclass = "subclass"  # an IPC subclass
    locarno_class = "locarno_class"  # designs: a Locarno class (23)
    us_class = "us_class"
    ipc_class = "ipc_class"
    section = "section"


CLASS_LEVELS: dict[ClassLevel, float] = {ClassLevel.group: 1.0, ClassLevel.locarno_subclass: 1.0,
                                         ClassLevel.subclass: 0.7, ClassLevel.locarno_class: 0.7,
                                         ClassLevel.us_class: 0.5, ClassLevel.ipc_class: 0.4, ClassLevel.section: 0.1}
OTHER_SECTIONS = -0.3  # both IPC-classified, in no common section


def _locarno(code: str) -> str:
    """A Locarno subclass as the classification writes it: 2304 -> 23-04."""
    return f"{code[:2]}-{code[2:]}" if len(code) == 4 and code.isdigit() else code


def shared_class(q: Mapping[str, Any], d: Mapping[str, Any]) -> tuple[ClassLevel, str] | None:
    """The closest classification both carry, and its code (the first, in order), or None."""
    pairs = ((ClassLevel.group, _set(q, "ipc_group") & _set(d, "ipc_group")),
             (ClassLevel.locarno_subclass, {_locarno(c) for c in _set(q, "locarno") & _set(d, "locarno")}),
             (ClassLevel.subclass, _set(q, "ipc_subclass") & _set(d, "ipc_subclass")),
             (ClassLevel.locarno_class, {c[:2] for c in _set(q, "locarno")} & {c[:2] for c in _set(d, "locarno")}),
             (ClassLevel.us_class, _us_classes(q) & _us_classes(d)),
             (ClassLevel.ipc_class, _set(q, "ipc_class") & _set(d, "ipc_class")),
             (ClassLevel.section, _set(q, "ipc_section") & _set(d, "ipc_section")))
    return next(((level, min(codes)) for level, codes in pairs if codes), None)


def class_similarity(q: Mapping[str, Any], d: Mapping[str, Any]) -> float:
    """1 same IPC main group or Locarno subclass, 0.7 same IPC subclass or Locarno class, 0.5 same US
    class, 0.4 same IPC class, 0.1 same section only, -0.3 both IPC-classified in other sections."""
    shared = shared_class(q, d)
    if shared is not None:
        return CLASS_LEVELS[shared[0]]
    return OTHER_SECTIONS if _set(q, "ipc_section") and _set(d, "ipc_section") else 0.0


class CitationLink(StrEnum):
    cites = "cites"  # the similar document cites the one it is similar to
    cited = "cited"  # the document cites the similar one
    shared = "shared"  # both cite the same documents


def citation_link(q: Mapping[str, Any], d: Mapping[str, Any]) -> tuple[CitationLink, int] | None:
    """How the two are linked by citations, with the number of documents both cite (0 for a direct link)."""
    if q.get("pn_base") in _set(d, "cited_bases"):
        return CitationLink.cites, 0
    if d.get("pn_base") in _set(q, "cited_bases"):
        return CitationLink.cited, 0
    both = len(_set(q, "cited_bases") & _set(d, "cited_bases"))
    return (CitationLink.shared, both) if both else None


def citation_similarity(q: Mapping[str, Any], d: Mapping[str, Any]) -> float:
    """1 when one cites the other; else up to 0.8 for three or more cited documents in common."""
    link = citation_link(q, d)
    if link is None:
        return 0.0
    return 1.0 if link[0] is not CitationLink.shared else 0.8 * min(link[1], 3) / 3


def score(q: Mapping[str, Any], d: Mapping[str, Any], text: float) -> float:
    total = text + CLASS_WEIGHT * class_similarity(q, d) + CITATION_WEIGHT * citation_similarity(q, d)
    if (q.get("doc_kind") == "design") != (d.get("doc_kind") == "design"):
        total *= DESIGN_VS_UTILITY
    return total


class DocumentFrequencies:
    """Documents per term in titles and abstracts (the ``terms`` field), looked up once per term."""

    def __init__(self, backend: SearchBackend) -> None:
        self.backend = backend
        self.total = max(backend.count(), 1)
        self.df: dict[str, int] = {}

    def add(self, terms: Iterable[str]) -> dict[str, int]:
        missing = sorted({t for t in terms if t not in self.df})
        for start in range(0, len(missing), DF_CHUNK):
            chunk = missing[start:start + DF_CHUNK]
            self.df.update(dict.fromkeys(chunk, 0))
            self.df.update(self.backend.top_values(None, None, "terms", len(chunk), include=chunk))
        return self.df


def query_of(record: Mapping[str, Any], tf: Mapping[str, float], freqs: DocumentFrequencies) -> SimilarQuery:
    """The candidates request: best terms by tf-idf, classification and citations of ``record``."""
    df = freqs.add(tf)
    weights = {t: w * idf(df[t], freqs.total) for t, w in tf.items() if df.get(t)}
    terms = sorted(weights, key=lambda t: (-weights[t], t))[:QUERY_TERMS]
    return SimilarQuery(pn=record["pn"], family_id=record.get("family_id"), pn_base=record.get("pn_base") or "",
                        terms=terms, links={"ipc_subclass": sorted(_set(record, "ipc_subclass"))},
                        link_prefixes={"locarno": sorted({c[:2] for c in _set(record, "locarno")})},  # its class
                        cited_bases=sorted(_set(record, "cited_bases")))


class Likeness(BaseModel):
    """What a similar document has in common with the one it is similar to, for its reader: the
    list alone gave no reason, and a weak neighbour looked as sure as a close one."""

    class_level: ClassLevel | None = Field(default=None, description="the closest classification both carry")
    shared_class: str | None = Field(default=None, description="its code (IPC, US or Locarno)")
    citation: CitationLink | None = None
    shared_citations: int = Field(default=0, description="documents both cite")
    words: list[str] = Field(default=[], description=f"up to {SHOWN_WORDS} analysed terms of title, abstract and "
                                                        "claims that weigh most in their text likeness (at least "
                                                        f"{TELLING_WORD} of its cosine each), best first")


def likeness(q: Mapping[str, Any], d: Mapping[str, Any], own: Mapping[str, float],
             other: Mapping[str, float]) -> Likeness:
    """Why ``d`` is similar to ``q``, from the parts of its score (``own``, ``other``: their tf-idf vectors)."""
    shared = shared_class(q, d)
    link = citation_link(q, d)
    telling = (t for t in own if t in other and own[t] * other[t] >= TELLING_WORD)
    common = sorted(telling, key=lambda t: (-own[t] * other[t], t))
    return Likeness(class_level=shared[0] if shared else None, shared_class=shared[1] if shared else None,
                    citation=link[0] if link else None, shared_citations=link[1] if link else 0,
                    words=common[:SHOWN_WORDS])


def rank(record: Mapping[str, Any], query: SimilarQuery, hits: list[RawHit], freqs: DocumentFrequencies,
         size: int) -> list[tuple[RawHit, Likeness]]:
    """The ``size`` best candidates, scored here, with what each shares with ``record``; a candidate
    scoring under MIN_SCORE is not similar."""
    unique = {h.pn: h for h in hits if not query.excluded(h.source, h.pn)}
    tfs = {pn: weighted_tf(h.source) for pn, h in unique.items()}
    own_tf = weighted_tf(record)
    df = freqs.add([*own_tf, *(t for tf in tfs.values() for t in tf)])
    own = vector(own_tf, df, freqs.total)
    scored, vectors = [], {}
    for pn, hit in unique.items():
        vectors[pn] = vector(tfs[pn], df, freqs.total)
        value = score(record, hit.source, cosine(own, vectors[pn]))
        if value >= MIN_SCORE:
            scored.append(RawHit(pn=pn, score=value, source={k: hit.source.get(k) for k in HIT_KEYS}, sort=[]))
    best = sorted(scored, key=lambda h: (-h.score, h.pn))[:size]
    return [(h, likeness(record, unique[h.pn].source, own, vectors[h.pn])) for h in best]  # the shown ones only


def similar(backend: SearchBackend, record: Mapping[str, Any], size: int) -> list[tuple[RawHit, Likeness]]:
    """Documents similar to ``record`` (a stored index record), best first, at most ``size``, each
    with what it shares with ``record``."""
    if size < 1:
        return []
    freqs = DocumentFrequencies(backend)
    query = query_of(record, weighted_tf(record), freqs)
    return rank(record, query, backend.similar(query), freqs, size)
