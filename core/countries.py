"""Two-letter country codes as CLDR lists them (ISO 3166-1 and the few it adds, such as XK), for a
country a person types: "ZZ" matches no owner, and a dashboard whose home country it was counted
every applicant as foreign without a word."""

from __future__ import annotations

from typing import Annotated

from babel import Locale
from pydantic import AfterValidator, StringConstraints

_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})  # CLDR's groupings and pseudo-regions
COUNTRY_CODES = frozenset(k for k in Locale("en").territories
                          if isinstance(k, str) and len(k) == 2 and k.isalpha()) - _NOT_COUNTRIES
NOT_A_COUNTRY = "not a country code (ISO 3166), such as CN or US"


def country_code(value: str) -> str:
    """``value`` if it names a country (upper case, as the pattern beside it asks), else ValueError."""
    if value not in COUNTRY_CODES:
        raise ValueError(NOT_A_COUNTRY)
    return value


CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$"), AfterValidator(country_code)]
