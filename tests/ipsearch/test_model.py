"""Publication numbers: the string a loader builds per citation (``normalised_number``) is the
model's own (``normalise_number(...).normalised``)."""

from __future__ import annotations

import pytest

from ipsearch.model import normalise_number, normalised_number


@pytest.mark.parametrize(("country", "number", "kind", "expected"), [
    ("US", "06836899", "B2", "US6836899B2"), ("us", "D0512345", "s", "USD512345S"),
    ("US", "RE041234", "E", "USRE41234E"), ("EP", "0 123 456", "A1", "EP123456A1"),
    ("CN", "1012,345.6", None, "CN10123456"), (" JP ", "2004-000123", "a", "JP2004000123A"), ("DE", "000", "", "DE000"),
])
def test_the_loaders_number_is_the_models(country: str, number: str, kind: str | None, expected: str) -> None:
    assert normalised_number(country, number, kind) == normalise_number(country, number, kind).normalised == expected
