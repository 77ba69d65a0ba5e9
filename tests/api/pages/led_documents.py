"""Synthetic LED documents with a chosen applicant, IPC symbol and dates, for the report pages'
tests: recent filings (incomplete years on a dashboard) and a watched competitor entering a new
subclass (a red alert). Built from loaders.synthetic's grant XML, so they load like the corpus."""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path
from xml.sax.saxutils import escape

from loaders.synthetic import SyntheticOptions, _ipcr_xml, document_xml


def led_document(number: int, company: str, ipc: str, filed: dt.date, published: dt.date, seed: int = 0) -> str:
    """A synthetic grant numbered US(90000000 + ``number``) by ``company`` in ``ipc`` ("H10H 20/851")."""
    xml = document_xml(number, random.Random(seed), SyntheticOptions(docs=1))
    xml = re.sub(r"<classifications-ipcr>.*?</classifications-ipcr>",
                 f"<classifications-ipcr>{_ipcr_xml(ipc, True)}</classifications-ipcr>", xml, flags=re.S)
    xml = re.sub(r"<orgname>.*?</orgname>", f"<orgname>{escape(company)}</orgname>", xml)
    xml = re.sub(r'date-publ="\d{8}"', f'date-publ="{published:%Y%m%d}"', xml)
    xml = re.sub(r"(<publication-reference>.*?<date>)\d{8}(</date>)", rf"\g<1>{published:%Y%m%d}\g<2>", xml,
                 flags=re.S)
    return re.sub(r"(<application-reference.*?<date>)\d{8}(</date>)", rf"\g<1>{filed:%Y%m%d}\g<2>", xml,
                  flags=re.S)


def write_led_documents(folder: Path, first: int, company: str, ipc: str, dates: list[tuple[dt.date, dt.date]]) -> Path:
    """One file of documents (filed, published) numbered from ``first``; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    docs = [led_document(first + i, company, ipc, filed, published, seed=first + i)
            for i, (filed, published) in enumerate(dates)]
    (folder / "documents.xml").write_text("".join(docs), encoding="utf-8")
    return folder
