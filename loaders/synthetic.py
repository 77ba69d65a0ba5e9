"""Synthetic USPTO grant XML (us-patent-grant v4.5) for the demo and scale benchmarks.

Every document says it is synthetic: ``status="SYNTHETIC"`` on the root, a ``SYNTHETIC``
file name, numbers in the unused range US90000000+, and an abstract that starts with
"[SYNTHETIC]". A fixed seed gives the same corpus every time.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

SYNTHETIC_BASE_NUMBER = 90_000_000

# Technology topics shaped like the platform's first industries, with real IPC subgroups.
TOPICS: list[tuple[str, list[str], list[str]]] = [
    ("light emitting diode", ["H01L 33/50", "H01L 33/62", "F21K 9/232", "H05B 45/10", "F21V 29/70"],
     ["phosphor layer", "light emitting chip", "heat sink", "driver circuit", "lens", "wavelength conversion",
      "quantum dot", "encapsulant", "substrate", "luminous flux"]),
    ("digital television receiver", ["H04N 21/431", "H04N 21/4363", "H04N 5/44", "H04N 21/462", "H04N 21/426"],
     ["set-top box", "broadcast signal", "tuner", "electronic program guide", "video decoder", "remote control",
      "display panel", "streaming content", "channel switching", "subtitle"]),
    ("wireless communication", ["H04W 72/04", "H04L 5/00", "H04B 7/06", "H04W 74/08", "H04L 1/18"],
     ["base station", "user equipment", "resource block", "antenna array", "beamforming", "uplink", "downlink",
      "control channel", "retransmission", "reference signal"]),
    ("medical device", ["A61B 5/00", "A61B 5/0205", "A61M 5/142", "A61B 8/08", "A61N 1/36"],
     ["sensor", "catheter", "infusion pump", "ultrasound probe", "electrode", "patient monitor", "blood pressure",
      "heart rate", "implant", "stimulation pulse"]),
    ("software data processing", ["G06F 16/245", "G06F 9/50", "G06N 3/08", "G06F 21/62", "G06Q 10/06"],
     ["database query", "neural network", "virtual machine", "access control", "cache", "index", "scheduler",
      "training data", "encryption key", "workflow"]),
]
COMPANIES = [("Aurora Lighting Co., Ltd.", "CN", "Shenzhen"), ("Brightway Semiconductor Inc.", "US", "San Jose"),
             ("Nordlicht GmbH", "DE", "Munich"), ("Hikari Denki Kabushiki Kaisha", "JP", "Osaka"),
             ("Telestream Networks Corp.", "US", "Austin"), ("Huaxin Communication Technology Co., Ltd.", "CN", "Beijing"),
             ("MediSense Devices LLC", "US", "Boston"), ("Seoul Vision Electronics Co., Ltd.", "KR", "Seoul"),
             ("Datacraft Software AG", "CH", "Zurich"), ("Pearl River Display Co., Ltd.", "CN", "Guangzhou")]
GIVEN = ["Wei", "Anna", "Hiroshi", "Maria", "John", "Li", "Min-jun", "Peter", "Sofia", "Rahul", "Chen", "Laura"]
FAMILY = ["Zhang", "Smith", "Tanaka", "Müller", "Kim", "Wang", "Garcia", "Rossi", "Liu", "Johnson", "Ito", "Chen"]
FILLER = ["the", "a", "wherein", "configured to", "comprising", "at least one", "respective", "adjacent",
          "coupled to", "so that", "in response to", "according to"]
VERBS = ["receiving", "determining", "controlling", "emitting", "transmitting", "measuring", "storing",
         "converting", "detecting", "adjusting"]


@dataclass(frozen=True)
class SyntheticOptions:
    docs: int
    seed: int = 7
    start_year: int = 2008
    end_year: int = 2023
    paragraphs: int = 12


def _sentence(rng: random.Random, terms: list[str], n: int = 14) -> str:
    words: list[str] = []
    while len(words) < n:
        words.append(rng.choice(VERBS))
        words.append(rng.choice(FILLER))
        words.append(rng.choice(terms))
    return " ".join(words)[0].upper() + " ".join(words)[1:] + "."


def _ipcr_xml(symbol: str, main: bool) -> str:
    sub, rest = symbol.split(" ")
    group, subgroup = rest.split("/")
    return (f"<classification-ipcr><ipc-version-indicator><date>20060101</date></ipc-version-indicator>"
            f"<classification-level>A</classification-level><section>{sub[0]}</section><class>{sub[1:3]}</class>"
            f"<subclass>{sub[3]}</subclass><main-group>{group}</main-group><subgroup>{subgroup}</subgroup>"
            f"<symbol-position>{'F' if main else 'L'}</symbol-position><classification-value>I</classification-value>"
            f"</classification-ipcr>")


def _claims_xml(rng: random.Random, topic: str, terms: list[str], n_claims: int) -> list[str]:
    """Claim 1 and about a fifth of the others independent; the rest refer to an earlier claim."""
    claims = []
    for c in range(1, n_claims + 1):
        if c == 1 or rng.random() < 0.2:
            body = f"A {topic} apparatus comprising: {_sentence(rng, terms, 18)}"
            claims.append(f'<claim id="CLM-{c:05d}" num="{c:05d}"><claim-text>{c}. {escape(body)}</claim-text></claim>')
        else:
            ref = rng.randint(1, c - 1)
            body = f"The apparatus of claim {ref}, wherein {_sentence(rng, terms, 10)}"
            claims.append(f'<claim id="CLM-{c:05d}" num="{c:05d}"><claim-text>{c}. The apparatus of '
                          f'<claim-ref idref="CLM-{ref:05d}">claim {ref}</claim-ref>, wherein '
                          f'{escape(_sentence(rng, terms, 10))}</claim-text></claim>')
    return claims


def _citations_xml(rng: random.Random, i: int, year: int) -> str:
    """Up to six citations of earlier synthetic documents (so in-corpus citation counts exist)."""
    return "".join(
        f"<us-citation><patcit num=\"{k:05d}\"><document-id><country>US</country>"
        f"<doc-number>{SYNTHETIC_BASE_NUMBER + rng.randrange(max(i, 1))}</doc-number><kind>B2</kind>"
        f"<name>Synthetic</name><date>{year}0101</date></document-id></patcit>"
        f"<category>{'cited by examiner' if rng.random() < 0.6 else 'cited by applicant'}</category></us-citation>"
        for k in range(1, rng.randint(0, 6) + 1)
    )


def document_xml(i: int, rng: random.Random, opts: SyntheticOptions) -> str:
    topic_index = rng.randrange(len(TOPICS))
    topic, ipcs, terms = TOPICS[topic_index]
    # Later years file more: a growth curve an early-warning report can see.
    span = opts.end_year - opts.start_year
    year = opts.start_year + min(span, int(span * (rng.random() ** 0.6)))
    filed = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    granted = filed + timedelta(days=500 + rng.randrange(900))
    number = SYNTHETIC_BASE_NUMBER + i
    # Each industry has its leaders (skewed choice) and a long tail of others.
    company, ctry, city = COMPANIES[(topic_index * 2 + rng.choice([0, 0, 0, 1, 1, 2, 3, 5])) % len(COMPANIES)]
    inventors = [(rng.choice(FAMILY), rng.choice(GIVEN)) for _ in range(rng.randint(1, 3))]
    chosen = rng.sample(ipcs, k=rng.randint(1, 3))
    n_claims = rng.randint(3, 15)
    title = f"{rng.choice(VERBS).capitalize()} {topic} with {rng.choice(terms)} and {rng.choice(terms)}"
    abstract = "[SYNTHETIC] " + " ".join(_sentence(rng, terms) for _ in range(3))
    claims = _claims_xml(rng, topic, terms, n_claims)
    paras = "".join(f'<p id="p-{k:04d}" num="{k:04d}">{escape(_sentence(rng, terms, 40))}</p>'
                    for k in range(1, opts.paragraphs + 1))
    cites = _citations_xml(rng, i, year) if i > 0 else ""
    inv_xml = "".join(
        f'<inventor sequence="{k:03d}" designation="us-only"><addressbook><last-name>{escape(f)}</last-name>'
        f"<first-name>{escape(g)}</first-name><address><city>{city}</city><country>{ctry}</country></address>"
        f"</addressbook></inventor>"
        for k, (f, g) in enumerate(inventors, 1)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE us-patent-grant SYSTEM "us-patent-grant-v45-2014-04-03.dtd" [ ]>
<us-patent-grant lang="EN" dtd-version="v4.5 2014-04-03" file="US{number:08d}-SYNTHETIC.XML" status="SYNTHETIC" id="us-patent-grant" country="US" date-produced="{granted:%Y%m%d}" date-publ="{granted:%Y%m%d}">
<us-bibliographic-data-grant>
<publication-reference><document-id><country>US</country><doc-number>{number:08d}</doc-number><kind>B2</kind><date>{granted:%Y%m%d}</date></document-id></publication-reference>
<application-reference appl-type="utility"><document-id><country>US</country><doc-number>{17000000 + i}</doc-number><date>{filed:%Y%m%d}</date></document-id></application-reference>
<classifications-ipcr>{"".join(_ipcr_xml(s, k == 0) for k, s in enumerate(chosen))}</classifications-ipcr>
<invention-title id="d2e43">{escape(title)}</invention-title>
<us-references-cited>{cites}</us-references-cited>
<number-of-claims>{n_claims}</number-of-claims>
<us-parties><us-applicants><us-applicant sequence="001" app-type="applicant" designation="us-only"><addressbook><orgname>{escape(company)}</orgname><address><city>{city}</city><country>{ctry}</country></address></addressbook><residence><country>{ctry}</country></residence></us-applicant></us-applicants>
<inventors>{inv_xml}</inventors></us-parties>
<assignees><assignee><addressbook><orgname>{escape(company)}</orgname><role>03</role><address><city>{city}</city><country>{ctry}</country></address></addressbook></assignee></assignees>
</us-bibliographic-data-grant>
<abstract id="abstract"><p id="p-0001" num="0000">{escape(abstract)}</p></abstract>
<description id="description"><heading id="h-0001" level="1">SYNTHETIC DOCUMENT - NOT A REAL PATENT</heading>{paras}</description>
<claims id="claims">{"".join(claims)}</claims>
</us-patent-grant>
"""


def generate(opts: SyntheticOptions) -> Iterator[str]:
    rng = random.Random(opts.seed)
    for i in range(opts.docs):
        yield document_xml(i, rng, opts)


def write_weekly_files(out_dir: Path, opts: SyntheticOptions, docs_per_file: int = 1000) -> list[Path]:
    """Write concatenated 'weekly' files like USPTO's bulk products; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    fh = None
    for i, xml in enumerate(generate(opts)):
        if i % docs_per_file == 0:
            if fh is not None:
                fh.close()
            path = out_dir / f"synthetic-ipg-{i // docs_per_file:04d}.xml"
            paths.append(path)
            fh = path.open("w", encoding="utf-8")
        assert fh is not None
        fh.write(xml)
    if fh is not None:
        fh.close()
    return paths
