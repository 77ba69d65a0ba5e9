"""A refused form value is explained in the reader's language: pydantic's own English ("title:
String should have at most 500 characters") reached Chinese pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, cast

import pytest
from fastapi import Request
from pydantic import AfterValidator, BaseModel, Field, ValidationError, model_validator

from api.deps import Platform
from api.pages.context import Page, as_sentence, fields_of, local_path, short_title, templates
from core.errors import InvalidInput, NotFound
from core.i18n import Language


class Form(BaseModel):
    title: str = Field(default="t", max_length=5)
    points: int = Field(default=0, le=100)
    key: str = Field(default="k", pattern="^[a-z]+$")
    start_date: dt.date = dt.date(2026, 1, 1)
    end_date: dt.date | None = None
    description: str = Field(default="ddd", min_length=3)
    share: float = Field(default=0.5, le=100.0)
    internal_code: int = 0
    name: Annotated[str, AfterValidator(str.strip)] | None = Field(default=None, min_length=1, max_length=3)

    @model_validator(mode="after")
    def _order(self) -> Form:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


def _page(lang: Language) -> Page:
    return Page(request=cast(Request, None), platform=cast(Platform, None), user=None, web_session=None,
                lang=lang, anon_id="")


def _refusal(**values: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        Form.model_validate(values)
    return caught.value


@pytest.mark.parametrize(("values", "zh", "en"), [
    ({"title": "x" * 600}, "标题最多 5 个字符", "Title takes at most 5 characters"),
    # a form's description is 说明, not the 说明书 of a patent the same English word means elsewhere
    ({"description": "d"}, "说明至少需要 3 个字符", "Description needs at least 3 characters"),
    ({"description": "  "}, "说明为必填项", "Description is required"),  # nothing typed: not "at least 3"
    ({"internal_code": "x"}, "该项应为整数", "This field must be a whole number"),  # never its code name
    ({"share": 150}, "该项不得大于 100", "This field must be at most 100"),  # a limit as pages write numbers
    ({"points": 500}, "分值不得大于 100", "Points must be at most 100"),
    ({"points": "many"}, "分值应为整数", "Points must be a whole number"),
    ({"key": "我的范围"}, "标识的写法不符合要求", "Key is not written as expected"),  # the scope form's word
    ({"start_date": "soon"}, "起始日期不是有效日期（格式为 YYYY-MM-DD）", "From is not a date (YYYY-MM-DD)"),
    ({"end_date": "2025-01-01"}, "截止日期早于起始日期", "end_date is before start_date"),
    # pydantic calls an optional annotated text's length "too_short" ("at least 1 item"): said as a text's
    ({"name": ""}, "名称为必填项", "Name is required"),
    ({"name": "abcd"}, "名称最多 3 个字符", "Name takes at most 3 characters"),
])
def test_a_refused_value_is_said_in_the_readers_language(values: dict[str, object], zh: str, en: str) -> None:
    refusal = _refusal(**values)
    assert _page(Language.zh).explain(refusal) == zh
    assert _page(Language.en).explain(refusal) == en


@pytest.mark.parametrize("target", ["/\\evil.example", "/\\/evil.example", "/\t/evil.example", "//evil.example",
                                    "https://evil.example/", "evil.example", "", None, "/\n/evil.example"])
def test_a_next_address_off_this_site_is_refused(target: str | None) -> None:
    """Browsers read ``/\\evil.example`` as ``//evil.example`` and drop tabs and line breaks."""
    assert local_path(target) is None


@pytest.mark.parametrize("target", ["/", "/community/topics/3?page=2#post-9", "/?q=a\\b", "/collections/1?start=20"])
def test_a_next_address_on_this_site_is_kept(target: str) -> None:
    assert local_path(target) == target


@pytest.mark.parametrize(("words", "shown"), [
    ("category 999 not found", "Category 999 not found"),
    ("e-mail address taken: sign in", "E-mail address taken: sign in"),  # only its first letter is raised
    ("work: title is required", "Work: title is required"),
    ("iPhone is not a patent", "iPhone is not a patent"),  # a name is written as its owner writes it
    ("spaCy is not installed", "spaCy is not installed"),
    ("alice@example.org is not a moderator there", "alice@example.org is not a moderator there"),  # a value
    ("us7654321b2 is not in the corpus", "us7654321b2 is not in the corpus"),
    ("Already a sentence", "Already a sentence"),
    ("类别 999 不存在", "类别 999 不存在"),  # Chinese has no capitals
    ("", ""),
    ("   ", "   "),
])
def test_a_refusal_on_its_own_reads_as_a_sentence(words: str, shown: str) -> None:
    """The services word their refusals in lower case ("category 999 not found"); a page shows one
    on its own as a sentence, raising its first letter when it begins an ordinary word."""
    assert as_sentence(words) == shown


def test_a_page_says_a_refusal_as_a_sentence_and_keeps_what_was_typed() -> None:
    missing = NotFound.said("category %(id)s not found", id=999)
    assert _page(Language.en).explain(missing) == "Category 999 not found"
    assert _page(Language.zh).explain(missing) == "版块 999 不存在"
    assert missing.detail == "category 999 not found"  # the API's problem detail stays as it was
    typed = InvalidInput.said("%(value)s is not a registration number: it reads like CR-2026-00000001", value="abc")
    assert _page(Language.en).explain(typed) == "abc is not a registration number: it reads like CR-2026-00000001"


class Dates(BaseModel):
    completed: dt.date

    @model_validator(mode="after")
    def _past(self) -> Dates:
        if self.completed > dt.date(2026, 1, 1):
            raise ValueError("the completion date is in the future")
        return self


def test_a_validators_own_sentence_on_its_own_reads_as_a_sentence() -> None:
    """A form's check across its fields says a sentence of its own, as the platform's refusals do;
    a limit of a field follows its label ("Title takes at most 5 characters")."""
    with pytest.raises(ValidationError) as caught:
        Dates.model_validate({"completed": "2999-01-01"})
    assert _page(Language.en).explain(caught.value) == "The completion date is in the future"
    assert _page(Language.zh).explain(caught.value) == "创作完成日期不能晚于今天"


@pytest.mark.parametrize(("typed", "shown"), [
    ("light emitting diode", "light emitting diode"),
    ("  light\n\temitting   diode ", "light emitting diode"),  # spaces and line breaks as one space
    ("x" * 60, "x" * 60),  # as long as a title takes: whole
    ("x" * 61, "x" * 59 + "…"),  # one word: cut inside it, at a character
    ("light emitting diode " * 5, "light emitting diode light emitting diode light emitting…"),  # after a word
    ("发光二极管" * 20, "发光二极管" * 11 + "发光二极…"),  # no spaces to cut at
    ("e\u0301" * 40, "e\u0301" * 29 + "…"),  # an accent stays with its letter (59 would split one)
    ("👍🏽" * 40, "👍🏽" * 29 + "…"),  # a skin tone with its emoji
    ("\x00", ""), ("led\x1b[31m lamp", "led[31m lamp"),  # control characters are no title's (NUL showed as �)
    ("👩\u200d🔬 lab", "👩\u200d🔬 lab"),  # a joiner is no control character: the emoji stays whole
])
def test_a_title_is_cut_to_a_readable_length_on_a_character(typed: str, shown: str) -> None:
    assert short_title(typed) == shown and len(short_title(typed)) <= 60


def test_a_cut_title_stays_text() -> None:
    """The filter cuts the text before the page escapes it: never inside an entity, and markup stays text."""
    rendered = templates.env.from_string("<title>{{ q|short_title }}</title>").render(q="</title><script>" * 10)
    assert rendered.startswith("<title>&lt;/title&gt;&lt;script&gt;") and rendered.endswith("…</title>")
    assert "<script>" not in rendered and rendered.count("<title>") == 1


def test_the_fields_a_refusal_is_about() -> None:
    """What a form marks aria-invalid: pydantic's places, the field a refusal names, none for the rest."""
    assert fields_of(_refusal(title="x" * 9, points=500)) == ("title", "points")
    assert fields_of(InvalidInput("password must have at least 10 characters").about("password")) == ("password",)
    assert fields_of(NotFound("category 999 not found")) == ()
    page = _page(Language.en)
    page.explain(_refusal(description="d"))
    assert page.refused_fields == ("description",)
