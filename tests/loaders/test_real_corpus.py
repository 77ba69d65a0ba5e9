"""Every real file in shared/data/patents parses with 0 failures; per-file counts match
PROVENANCE.md (and, for the OPS responses it gives no count for, the XML); field values for 17
documents were read off the XML by hand (the OPS ones: test_ops.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ipsearch.analysis import get_analyzer
from ipsearch.indexdoc import build_index_doc
from ipsearch.model import PartyRole, PatentDocument
from loaders.reader import Failure, Parsed, Skipped, read_source
from loaders.sources import expand
from tests.loaders.test_ops import documents_in


def provenance_counts(patents: Path) -> dict[str, int]:
    """'file -> docs' from the tables in PROVENANCE.md (the uploaders' own counts)."""
    counts: dict[str, int] = {}
    for line in (patents / "PROVENANCE.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and re.match(r"^[\w-]+/\S+$", cells[0]):
            docs = cells[2] if len(cells) == 3 else cells[3]
            if docs.isdigit():
                counts[cells[0]] = int(docs)
    return counts


@pytest.fixture(scope="module")
def corpus(shared_data_dir: Path) -> dict[str, list[Parsed | Skipped | Failure]]:
    patents = shared_data_dir / "patents"
    return {src.name: list(read_source(src)) for src in expand([patents])}


@pytest.fixture(scope="module")
def docs(corpus: dict[str, list[Parsed | Skipped | Failure]]) -> dict[str, PatentDocument]:
    return {i.doc.id: i.doc for items in corpus.values() for i in items if isinstance(i, Parsed)}


def test_every_file_loads_with_no_failure(corpus: dict[str, list[Parsed | Skipped | Failure]]) -> None:
    failures = [i for items in corpus.values() for i in items if isinstance(i, Failure)]
    assert failures == []
    assert len(corpus) >= 40


def test_per_file_document_counts_match_provenance(shared_data_dir: Path,
                                                   corpus: dict[str, list[Parsed | Skipped | Failure]]) -> None:
    patents = shared_data_dir / "patents"
    expected = provenance_counts(patents)
    assert len(expected) >= 40, "PROVENANCE.md tables not understood"
    # PROVENANCE.md describes the OPS responses without counts: those are counted off the XML
    expected |= {f"ops/{p.name}": documents_in(p) for p in (patents / "ops").glob("*.xml")}
    by_file: dict[str, int] = {}
    for name, items in corpus.items():
        rel = name.split(str(patents) + "/", 1)[-1].split("!")[0]
        by_file[rel] = by_file.get(rel, 0) + len(items)
    assert by_file == expected


def test_sequence_listings_are_skipped_not_failed(corpus: dict[str, list[Parsed | Skipped | Failure]]) -> None:
    skipped = [i for items in corpus.values() for i in items if isinstance(i, Skipped)]
    assert len(skipped) == 5 and all("sequence-cwu" in s.reason for s in skipped)


# pn, raw, kind, filing, publication, title start, first claim start, claim count, IPC, first applicant
# (or owner), citations -- read from the XML files.
EXPECTED = [
    ("US6836899B1", "US06836899B1", "grant", "2003-01-09", "2005-01-04", "Device for detachably holding",
     "A holding device for removably holding", 23, ["A45F 5/04"], "Glasmire, Samuel G.", 39),
    ("US8926509B2", "US08926509B2", "grant", "2008-06-05", "2015-01-06", "Wireless physiological sensor patches",
     "A system for measuring physiological", 31, None, "Magar, Surendar", 160),
    ("US11646472B2", "US11646472B2", "grant", "2021-01-05", "2023-05-09", "Making lithium metal—seawater battery",
     "A method of making a battery cell", 17, None, "PolyPlus Battery Company", 554),
    ("US20220240350A1", "US20220240350A1", "application", "2022-04-11", "2022-07-28", "APPARATUS, SYSTEM AND METHOD",
     "1.-18. (Cancelled)", 19, ["H05B 1/02", "H05B 3/14", "H05B 3/34"], "JABIL INC.", 0),
    ("US20060288462A1", "US20060288462A1", "application", "2005-08-04", "2006-12-28", "Garments composed of fabric",
     "A garment, comprising", 10, ["A41D 31/00", "A23G 1/50"], "Schroeder, Yvonne", 0),
    ("US20040000002A1", "US20040000002A1", "application", "2002-06-27", "2004-01-01", "Garment for preventing muscle",
     "A garment for releasably securing", 1, ["A41B 1/00"], "Hill-Rom Services, Inc.", 0),
    ("CN104223352A", "CN104223352A", "application", "2014-08-19", "2014-12-24", "一种甘草发酵所得烟用香料及其应用",
     "一种甘草发酵所得烟用香料，其特征在于", 3, ["A24B 15/18", "C11B 9/00", "C12P 1/02", "C12R 1/645"],
     "云南中烟工业有限责任公司", 0),
    ("CN104245143A", "CN104245143A", "application", "2014-03-28", "2014-12-24", "用于对包含于人造草坪的填充材料",
     "一种用于对包含于人造草坪的填充材料进行重复利用的筛选方法", 43,
     ["B03B 5/04", "B03B 5/32", "B03B 5/62", "B07B 13/04"], "可隆科技特株式会社", 0),
    ("CN103492414A", "CN103492414A", "application", "2008-10-29", "2014-01-01", "抗HEPCIDIN抗体及其用途",
     "选择性结合人hepcidin-25的抗体", 44, ["C07K 16/18"], "伊莱利利公司", 0),
    ("CN113781974A", "CN113781974A", "application", "2017-04-24", "2021-12-10", "显示设备",
     "显示设备，包括", 17, ["G09G 3/36", "G09G 3/3208", "G09G 3/34"], "三星显示有限公司", 0),
    ("CN113783949A", "CN113783949A", "application", "2021-08-26", "2021-12-10", "一种基于合约管理的跨链去中心化方法",
     "一种基于合约管理的跨链去中心化方法，其特征在于", 10,
     ["H04L 29/08", "H04L 29/06", "H04L 9/32", "G06Q 40/04", "G06F 16/27"], "浙商银行股份有限公司", 0),
    ("CN107087341A", "CN107087341A", "application", "2016-01-28", "2017-08-22", "电路板及其制作方法",
     None, 0, ["H05K 1/02", "H05K 3/06"], "鹏鼎控股(深圳)股份有限公司", 0),
    ("EP3383757B1", "EP3383757B1", "grant", "2016-08-29", "2021-07-07", "SCREW-TYPE CLOSURE SYSTEMS",
     "A container-closure system comprising", 8, ["B65D 51/18", "B65D 43/02", "B65D 51/32", "A45D 34/00", "A45D 40/00"],
     "ELC Management LLC", 7),
    ("EP1442058B1", "EP1442058B1", "grant", "2002-11-18", "2006-07-19", "PEPTIDES EFFECTIVE IN THE TREATMENT",
     "An NTP-peptide consisting of", 3, ["C07K 14/47", "A61K 38/17"], "NYMOX CORPORATION", 4),
    ("EP3441903A1", "EP3441903A1", "application", "2015-10-14", "2019-02-13", "ACCESS MANAGEMENT SYSTEM",
     "An access management system that manages", 16, ["G06F 21/62"], "FinalCode, Inc.", 0),
    ("JP2021044377A", "JP2021044377A", "application", "2019-09-11", "2021-03-18", "ウェーハの加工方法",
     "複数のデバイスが", 6, ["H01L 21/301", "H01L 21/67", "H01L 21/683", "B23K 26/53"], "株式会社ディスコ", 4),
    ("JP2021193879A", "JP2021193879A", "application", "2020-06-09", "2021-12-27", "練り製品管理装置",
     "水産物の練り製品の製造工程", 15, ["A23L 17/00", "G05B 19/418"], "日本水産株式会社", 1),
]


@pytest.mark.parametrize("row", EXPECTED, ids=[r[0] for r in EXPECTED])
def test_field_values_read_by_hand(docs: dict[str, PatentDocument], row: tuple) -> None:  # type: ignore[type-arg]
    pn, raw, kind, filed, published, title, claim1, n_claims, ipc, applicant, n_cit = row
    doc = docs[pn]
    assert doc.pn.raw == raw
    assert doc.doc_kind.value == kind
    assert doc.filing_date is not None and str(doc.filing_date.iso) == filed
    assert doc.publication_date is not None and str(doc.publication_date.iso) == published
    assert (doc.title() or "").startswith(title)
    claims = doc.main_claims()
    assert len(claims) == n_claims
    if claim1 is None:
        assert claims == []
    else:
        assert claims[0].text.startswith(claim1)
    if ipc is not None:
        assert [c.symbol for c in doc.ipc] == ipc
    owners = [p.name for p in doc.parties if p.role.value in ("applicant", "assignee")]
    assert owners[0] == applicant
    assert len(doc.citations) == n_cit


def test_us8926509_has_all_14_ipcr_entries(docs: dict[str, PatentDocument]) -> None:
    codes = [c.symbol for c in docs["US8926509B2"].ipc]
    assert len(codes) == 14 and codes[0] == "A61B 5/00" and "H04W 88/00" in codes


def test_claim_dependencies(docs: dict[str, PatentDocument]) -> None:
    claims = docs["US6836899B1"].main_claims()
    assert claims[0].independent and claims[0].refers_to == []
    dependent = [c for c in claims if not c.independent]
    assert dependent and all(r < c.number for c in dependent for r in c.refers_to)
    cn = docs["CN113781974A"].main_claims()  # Chinese: "根据权利要求1所述的"
    assert cn[0].independent and any(c.refers_to == [1] for c in cn[1:])
    jp = docs["JP2021044377A"].main_claims()  # Japanese: "請求項１に記載の" (full-width digits)
    assert jp[0].independent and any(1 in c.refers_to for c in jp[1:])


def test_a_cnipa_agency_is_named_once_and_its_attorneys_by_name(docs: dict[str, PatentDocument]) -> None:
    """CN113781974A: two attorneys of one agency listed the agency twice, and neither attorney."""
    agents = [(p.name, p.is_organisation) for p in docs["CN113781974A"].parties if p.role == "agent"]
    assert agents == [("北京英赛嘉华知识产权代理有限责任公司 11204", True), ("王达佐", False), ("刘铮", False)]
    # the old format (ST.36 cn-agent) the same way
    agents = [(p.name, p.is_organisation) for p in docs["CN103492414A"].parties if p.role == "agent"]
    assert agents == [("北京市中咨律师事务所 11247", True), ("黄革生", False), ("史文静", False)]


def test_multilingual_ep_document(docs: dict[str, PatentDocument]) -> None:
    doc = docs["EP3383757B1"]
    assert {t.lang for t in doc.titles} == {"de", "en", "fr"}
    assert set(doc.claims) == {"en", "de", "fr"}
    assert doc.priorities[0].country == "US" and str(doc.priorities[0].date.iso) == "2015-09-25"  # type: ignore[union-attr]


def test_partial_dates_are_kept_raw(docs: dict[str, PatentDocument]) -> None:
    """US6836899 cites a patent dated 19010500 (day unknown): kept as raw + year/month."""
    from ipsearch.model import PartialDate

    d = PartialDate.parse("19010500")
    assert d is not None and d.iso is None and (d.year, d.month, d.raw) == (1901, 5, "19010500")
    assert docs["US6836899B1"].citations  # the document with that date loaded fine


def test_docdb_families_and_priorities(docs: dict[str, PatentDocument]) -> None:
    doc = docs["DE1258188B"]
    assert doc.family_id == "6979546"
    assert doc.priorities and doc.priorities[0].country == "DE"
    assert doc.title() == "Kraftstoffeinspritzpumpe fuer mehrzylindrige Brennkraftmaschinen"


def test_zip_member_is_read(corpus: dict[str, list[Parsed | Skipped | Failure]]) -> None:
    zipped = [name for name in corpus if ".zip!" in name]
    assert len(zipped) == 1 and len(corpus[zipped[0]]) == 3


def test_only_synthetic_documents_are_marked_synthetic(docs: dict[str, PatentDocument], tmp_path: Path) -> None:
    """A document ``loaders.synthetic`` wrote says so on its root, and the record says so too (lists
    and pages label it); not one real document is marked."""
    from loaders.synthetic import SyntheticOptions, write_weekly_files

    files = write_weekly_files(tmp_path, SyntheticOptions(docs=3, paragraphs=1))
    made = [i for f in expand(files) for i in read_source(f) if isinstance(i, Parsed)]
    assert len(made) == 3 and all(i.doc.synthetic for i in made)
    assert len(docs) > 200 and not any(d.synthetic for d in docs.values())


def test_a_party_repeated_in_several_data_formats_is_one_party_with_its_other_names(
        docs: dict[str, PatentDocument]) -> None:
    """LexisNexis gives each party of CN101096965A once in its own entry (Chinese and English
    addressbooks) and again as filed, as DOCDB harmonised it and as applied: 4 applicant and 24
    inventor elements for one firm and six people. Read by hand: one applicant, six inventors,
    each found under its Chinese name too."""
    doc = docs["CN101096965A"]
    applicants = doc.parties_of(PartyRole.applicant)
    assert [(p.name, p.aliases, p.country) for p in applicants] == [
        ("MITSUBISHI ELECTRIC CORP.", ["三菱电机株式会社"], "JP")]
    inventors = doc.parties_of(PartyRole.inventor)
    assert [(p.name, p.aliases) for p in inventors] == [
        ("ARAI TOSHIKATSU", ["新井俊胜"]), ("KIKUCHI HITOSHI", ["菊地仁"]), ("ARAKI KATSUMI", ["荒木克己"]),
        ("HAMADA SHIGO", ["滨田慎悟"]), ("NAKAJIMA SEIJI", ["中岛诚治"]), ("AOGI HIROMICHI", ["青木普道"])]
    record = build_index_doc(doc, get_analyzer())
    assert record["applicant_keys"] == ["mitsubishi electric"]  # the applicant facet counts it once
    assert any("三菱" in tokens for tokens in record["pa"]) and any("新井" in t for t in record["inv"])


def test_docdb_parties_are_named_as_applied(docs: dict[str, PatentDocument]) -> None:
    """DOCDB's exchange documents give each party harmonised ('docdb') and as applied ('docdba'):
    the applied spelling names it, the harmonised one is an alias unless it is the same name
    (read in docdb/DE-backfile.xml)."""
    assert [(p.role.value, p.name, p.aliases) for p in docs["DE1258190B"].parties] == [
        ("applicant", "GENERAL MOTORS CORPORATION", ["GEN MOTORS CORP"]), ("inventor", "KONOPA RICHARD LEO", [])]


CJK_GAP = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff] [\u3040-\u30ff\u4e00-\u9fff]")


def test_chinese_and_japanese_text_keeps_no_space_where_the_source_broke_a_line(
        docs: dict[str, PatentDocument]) -> None:
    """CNIPA's full text wraps lines as printed ("所述轴毂部安装<br/>有旋转叶片"): running text
    reads as one, so "安装 有" neither shows nor splits a word; a Japanese inventor's name keeps
    the space between family and given name."""
    texts = {(pn, t.text) for pn, d in docs.items() for t in [*d.titles, *d.abstracts, *d.descriptions]}
    texts |= {(pn, c.text) for pn, d in docs.items() for claims in d.claims.values() for c in claims}
    assert sum(1 for _, text in texts if re.search("[\u4e00-\u9fff]", text)) > 100
    assert [(pn, m.group(0)) for pn, text in texts for m in [CJK_GAP.search(text)] if m] == []
    claim = docs["CN101096965A"].claims["zh"][0].text
    assert "所述轴毂部被电动机旋转驱动" in claim
    description = docs["CN101096965A"].descriptions[0].text
    assert "所述轴毂部安装有旋转叶片" in description
    assert [p.name for p in docs["JP2021044377A"].parties_of(PartyRole.inventor)][:2] == ["原田 成規", "松澤 稔"]
