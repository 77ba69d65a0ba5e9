"""Analytics' refusal of several problems at once, in the platform's one error family
(``core.errors``): a form checks everything of one submit, and the API refuses both threshold
pairs in one answer."""

from __future__ import annotations

from collections.abc import Callable

from core.errors import InvalidInput, IPCommonsError
from core.i18n import Language


class Refused(InvalidInput):
    """Every problem of one submit: ``problems`` holds each refusal (marked with its field in
    ``extra['field']``) and pydantic's errors. A page says each beside its field; said whole, it is
    said part by part in the reader's language (its English ``detail`` had no translation)."""

    def __init__(self, problems: list[Exception]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems

    def in_words(self, translate: Callable[[str], str], lang: Language = Language.en) -> str:
        return translate("; ").join(p.in_words(translate, lang) if isinstance(p, IPCommonsError) else str(p)
                                    for p in self.problems)
