"""Placing a patent owner in a GB/T 2260 division from the address parts the sources give
(core.regions.place / in_address): postal codes are never read as division codes, two-letter
province codes never match English words or US states, placeholders are no place."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import regions

CASES = [
    # (country, province, city, address) -> code
    (("CN", "广东省", "深圳", None), "440300"),
    (("CN", "Guangdong", "Shenzhen", None), "440300"),
    (("CN", None, "Shenzhen", None), "440300"),
    ((None, None, None, "广东省深圳市南山区科技园"), "440300"),
    ((None, None, None, "中国广东省深圳市南山区"), "440300"),
    ((None, None, None, "深圳市福田区"), "440300"),
    ((None, None, None, "北京市海淀区中关村"), "110000"),
    ((None, None, None, "650231 云南省昆明市五华区红锦路367号"), "530100"),  # a real CNIPA address
    (("CN", None, "Beijing 100015", None), "110000"),  # a real EPO <city>
    (("CN", None, "Hi-tech Development Zone\nChengdu Sichuan 611731", None), "510100"),  # ditto
    (("CN", None, "Huizhou, Guangdong", None), "441300"),  # a real USPTO <city>
    (("CN", None, None, "Nanshan, Shenzhen, Guangdong"), "440300"),
    (("CN", None, "Hohhot, Inner Mongolia", None), "150100"),
    (("CN", "江苏", "Suzhou", None), "320500"),
    (("CN", "广东", "北京", None), "440000"),  # a city outside the named province: the province only
    (("HK", None, "Kowloon", None), "810000"),
    (("TW", None, "Hsinchu", None), "710000"),
]


@pytest.mark.parametrize("parts,code", CASES, ids=[str(c[0]) for c in CASES])
def test_an_owner_is_placed_in_the_most_precise_division_named(parts: tuple[str | None, ...], code: str) -> None:
    found = regions.place(*parts)
    assert found is not None and found.code == code


@pytest.mark.parametrize("parts", [
    ("US", "HI", "Honolulu", None),  # Hawaii, not Hainan (HI)
    (None, "HI", None, None),  # no country: only names in Chinese script count
    ("US", "CA", "San Jose", None),
    ("KR", "0", "0", "韩国京畿道"),  # CNIPA's placeholders, a foreign owner
    ("CN", "0", "0", None),
    ("CN", None, "Suzhou", None),  # two Suzhous: not guessed
    ("CN", None, "Kunsan", None),
    ("JP", None, None, "日本东京"),
    (None, None, None, "650231"),  # a postal code is not the division 650200
    (None, None, None, "4403"),
    ("CN", None, "Hi-tech Zone", None),
    ("DE", "Bayern", "München", None),
], ids=str)
def test_no_place_is_invented(parts: tuple[str | None, ...]) -> None:
    assert regions.place(*parts) is None


def test_a_prefecture_counts_under_its_province() -> None:
    shenzhen = regions.place("CN", None, "Shenzhen")
    assert shenzhen is not None
    assert [r.code for r in regions.with_province(shenzhen)] == ["440000", "440300"]
    beijing = regions.place("CN", None, "Beijing")
    assert beijing is not None and [r.code for r in regions.with_province(beijing)] == ["110000"]


@given(st.text(max_size=200), st.sampled_from([None, "CN", "US", "", "cn"]))
def test_any_text_places_or_not_but_never_fails(text: str, country: str | None) -> None:
    found = regions.place(country, text, text, text)
    assert found is None or regions.by_code(found.code) == found
