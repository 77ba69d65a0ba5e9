"""Two-letter country codes as CLDR lists them (ISO 3166-1 and the few it adds, such as XK), for a
country a person types: "ZZ" matches no owner, and a dashboard whose home country it was counted
every applicant as foreign without a word."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from babel import Locale
from pydantic import AfterValidator, StringConstraints

from core.i18n import BABEL_LOCALES, Language

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


@cache
def _territories(lang: Language) -> dict[str, str]:
    return {str(k): str(v) for k, v in Locale.parse(BABEL_LOCALES[lang]).territories.items()}


def country_name(code: str, lang: Language) -> str:
    """A country or region by its ISO 3166 code, as the reader calls it (CLDR: 中国, Germany); a
    code CLDR does not name (EP, WO) as it is. The pages and the generated reports say the same."""
    return _territories(lang).get(code.upper(), code)
