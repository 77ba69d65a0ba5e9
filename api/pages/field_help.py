"""The search page's field help: each field of the query language with what it searches, its other
names and an example, in groups a reader scans (words, people, numbers, classes, dates, the rest).

The codes and their other names come from the query parser itself (``ipsearch.query.ast``), so a
field the parser gains is missing here until it is described (tests/api/pages/test_search_pages.py
says so); the meanings are page text, translated like any other.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.i18n import N_
from ipsearch.query.ast import ALIASES, CLASS_FIELDS, DATE_FIELDS, KEYWORD_FIELDS, TEXT_FIELDS


@dataclass(frozen=True)
class FieldRow:
    code: str
    meaning: str  # a msgid: translated where shown
    example: str  # a query that parses as written

    @property
    def chinese_names(self) -> list[str]:
        return [name for name, code in ALIASES.items() if code == self.code and not name.isascii()]

    @property
    def other_codes(self) -> list[str]:
        """Codes of other databases the parser takes for this one (TA for TXT, AS for PA ...)."""
        return [name for name, code in ALIASES.items() if code == self.code and name.isascii()]


@dataclass(frozen=True)
class FieldGroup:
    title: str  # a msgid
    rows: tuple[FieldRow, ...]


FIELD_HELP: tuple[FieldGroup, ...] = (
    FieldGroup(N_("Words in the text"), (
        FieldRow("TI", N_("Title"), "TI=(lamp OR led)"),
        FieldRow("AB", N_("Abstract"), 'AB="heat sink"'),
        FieldRow("CL", N_("Claims"), "CL=(antenna SAME beamforming)"),
        FieldRow("DESC", N_("Description"), "DESC=phosphor"),
        FieldRow("TXT", N_("Title, abstract, claims and description"), "TXT=database"),
    )),
    FieldGroup(N_("People and places"), (
        FieldRow("PA", N_("Applicant or assignee (words of the name)"), "PA=aurora"),
        FieldRow("IN", N_("Inventor"), 'IN="zhang wei"'),
        FieldRow("AG", N_("Agent or agency"), "AG=liu"),
        FieldRow("OWNER", N_("An owner, however its name is written"), 'OWNER="Aurora Lighting"'),
        FieldRow("PAC", N_("Country of an owner"), "PAC=CN"),
        FieldRow("RG", N_("Province or city of an owner in China (a province includes its cities)"), "RG=深圳"),
    )),
    FieldGroup(N_("Document numbers"), (
        FieldRow("PN", N_("Publication number (without its kind: every publication of the number)"),
                 "PN=US7654321B2"),
        FieldRow("AN", N_("Application number, any punctuation"), "AN=202111286633.X"),
        FieldRow("FAM", N_("Patent family"), "FAM=35840242"),
        FieldRow("CITES", N_("Documents that cite this publication"), "CITES=US5277199A"),
        FieldRow("RUN", N_("Documents of one load run"), "RUN=3"),
    )),
    FieldGroup(N_("Classifications"), (
        FieldRow("IPC", N_("IPC class (a group and all below it with *)"), "IPC=H04N21/*"),
        FieldRow("CPC", N_("CPC class"), "CPC=H01L33/50"),
    )),
    FieldGroup(N_("Dates"), (
        FieldRow("PD", N_("Publication date"), "PD>=2015"),
        FieldRow("AD", N_("Filing date"), "AD=2019-01-01..2019-12-31"),
        FieldRow("PRD", N_("Earliest priority date"), "PRD<2010"),
        FieldRow("EXP", N_("Expiry date"), "EXP<=2030"),
        FieldRow("LSD", N_("Date of a legal event"), "LSD>=2023"),
    )),
    FieldGroup(N_("Status and kind"), (
        FieldRow("LS", N_("Legal status: inforce, pending, lapsed, expired or unknown"), "LS=有效"),
        FieldRow("CC", N_("Country or office of publication"), "CC=CN"),
        FieldRow("KIND", N_("Kind of document (grant, application, utility_model, design) or kind code"),
                 "KIND=实用新型"),
        FieldRow("LANG", N_("Language of the document"), "LANG=zh"),
    )),
)


# The operators, tightest first, each with a query that uses it.
OPERATOR_HELP: tuple[FieldRow, ...] = (
    FieldRow("AND OR NOT", N_("both (also without AND), either, without"), "led lamp NOT bulb"),
    FieldRow('" "', N_("a phrase: the words together, in this order"), '"light emitting diode"'),
    FieldRow("* ?", N_("any ending, or one character or none (at least three letters first)"), "emit* colo?r"),
    FieldRow("NEARn ADJn", N_("within n words in any order, or in this order, in one claim or paragraph"),
             "light NEAR3 diode"),
    FieldRow("SAME", N_("in the same claim, paragraph, title or abstract"), "battery SAME lithium"),
    FieldRow("#n", N_("a set of your search history, logged in"), "#1 AND #3 NOT #2"),
)


def described_codes() -> set[str]:
    return {row.code for group in FIELD_HELP for row in group.rows}


def parser_codes() -> set[str]:
    """Every field code the query parser takes (its other names aside)."""
    return {*TEXT_FIELDS, *DATE_FIELDS, *CLASS_FIELDS, *KEYWORD_FIELDS}
