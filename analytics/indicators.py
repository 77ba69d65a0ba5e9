"""Industry indicators, computed with backend aggregations (Elasticsearch composite aggregations,
SQL GROUP BY on the embedded store); never by pulling every document into Python.

Facts used (shared/REFERENCE.md): trends by filing or priority date with the last years marked
incomplete (publication lag, 18 months for applications); concentration by harmonised applicant
names: HHI < 1500 unconcentrated, 1500-2500 moderate, > 2500 high (US DOJ/FTC 2010); CR4 > 60%
highly oligopolistic.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from ipsearch.service import SearchService

INCOMPLETE_YEARS = 2  # filings of the last two years are not all published yet
YEAR_FIELDS = {"filing": "filing_year", "priority": "priority_year", "publication": "publication_year"}


class YearCount(BaseModel):
    year: int
    documents: int
    applicants: int
    incomplete: bool


class ApplicantShare(BaseModel):
    key: str
    documents: int
    share: float


class Concentration(BaseModel):
    cr4: float
    hhi: float
    hhi_band: str
    cr4_band: str


class Indicators(BaseModel):
    scope: str
    total: int
    years: list[YearCount]
    top_applicants: list[ApplicantShare]
    concentration: Concentration
    countries: dict[str, int]
    ipc_groups: dict[str, int]


def hhi_band(hhi: float) -> str:
    return "unconcentrated" if hhi < 1500 else "moderately concentrated" if hhi <= 2500 else "highly concentrated"


def concentration(counts: dict[str, int]) -> Concentration:
    total = sum(counts.values())
    shares = sorted((c / total * 100 for c in counts.values()), reverse=True) if total else []
    cr4 = round(sum(shares[:4]), 2)
    hhi = round(sum(s * s for s in shares), 1)
    cr4_band = "highly oligopolistic" if cr4 > 60 else "competitive" if cr4 < 40 else "oligopolistic"
    return Concentration(cr4=cr4, hhi=hhi, hhi_band=hhi_band(hhi), cr4_band=cr4_band)


def compute(service: SearchService, query: str, by: str = "filing", cutoff: date | None = None,
            top: int = 10) -> Indicators:
    node, planner = service.plan(query)
    backend = service.backend
    year_field = YEAR_FIELDS[by]
    last_complete = (cutoff or date.today()).year - INCOMPLETE_YEARS
    docs_per_year = backend.count_by(node, planner, year_field)
    applicants_per_year = backend.count_by(node, planner, year_field, distinct="owner_keys")
    years = [YearCount(year=int(k[0]), documents=n, applicants=applicants_per_year.get(k, 0),
                       incomplete=int(k[0]) > last_complete) for k, n in sorted(docs_per_year.items())]
    per_owner = {k[0]: n for k, n in backend.count_by(node, planner, "owner_keys").items()}
    total = len(backend.run_ids(node, planner))
    ranked = sorted(per_owner.items(), key=lambda kv: (-kv[1], kv[0]))
    assigned = sum(per_owner.values()) or 1
    return Indicators(
        scope=query, total=total, years=years,
        top_applicants=[ApplicantShare(key=k, documents=n, share=round(n / assigned * 100, 2))
                        for k, n in ranked[:top]],
        concentration=concentration(per_owner),
        countries={k[0]: n for k, n in backend.count_by(node, planner, "owner_countries").items()},
        ipc_groups={k[0]: n for k, n in backend.count_by(node, planner, "ipc_group").items()},
    )
