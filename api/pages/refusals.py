"""A form's refusals said beside the fields they are about.

A form that checks everything at once gets several refusals from one submit: pydantic's errors
(located at a field, or a check across fields that names its field in its context) and the
platform's own (``IPCommonsError.about(field)``). ``by_field`` sorts them by the form's fields, in the
form's order, so each is said beside its field and all of them in the box above the form; a
refusal about none of the form's fields is kept under "".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pydantic import ValidationError

from api.pages.context import Page
from core.errors import IPCommonsError
from ipsearch.query.parser import QuerySyntaxError

NO_FIELD = ""


def by_field(page: Page, problems: Iterable[Exception], labels: dict[str, str]) -> dict[str, str]:
    """Every refusal in ``problems`` by the field it is about (a key of ``labels``, the form's own
    words for its fields), in the form's order, "" first; several about one field joined."""
    said: dict[str, list[str]] = {}
    for exc in problems:
        for field, words in _parts(page, exc, labels):
            said.setdefault(field, []).append(words)
    return {field: page.gettext("; ").join(said[field]) for field in (NO_FIELD, *labels) if field in said}


def _parts(page: Page, exc: Exception, labels: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(the field, the words) of each part of one refusal."""
    if not isinstance(exc, ValidationError):
        field = str(exc.extra.get("field", "")) if isinstance(exc, IPCommonsError) else NO_FIELD
        yield _placed(page, field, labels, exc)
        return
    for error in exc.errors():
        located = next((str(p) for p in error["loc"] if isinstance(p, str)), NO_FIELD)
        context = error.get("ctx", {})
        if isinstance(cause := context.get("error"), IPCommonsError):  # a validator raised one of ours
            yield _placed(page, located or str(cause.extra.get("field", "")), labels, cause)
        elif located in labels:  # a limit of the field: said with the form's label for it
            yield located, page.explain_error(error, page.gettext(labels[located]))
        elif located:
            yield NO_FIELD, page.explain_error(error)
        else:  # a check across fields: its sentence names its field; said beside the one its context gives
            field = str(context.get("field", ""))
            yield (field if field in labels else NO_FIELD), page.explain_error(error, "")


def _placed(page: Page, field: str, labels: dict[str, str], exc: Exception) -> tuple[str, str]:
    """One of our refusals, about ``field`` when it is one of the form's. Our refusals are sentences
    that name what they refuse ("the key k is taken"); a query the parser refused is not, so it
    follows the field's label, in the box above the form too."""
    if field not in labels:
        return NO_FIELD, _words(page, exc)
    if not isinstance(exc, QuerySyntaxError):
        return field, _words(page, exc)
    return field, page.gettext("%(field)s: %(reason)s", field=page.gettext(labels[field]),
                               reason=_words(page, exc, labelled=True))


def _words(page: Page, exc: Exception, labelled: bool = False) -> str:
    """One refusal in the reader's words, a sentence of its own; a query that does not parse as the
    search page says it, with a caret under the problem (and the branch it belongs to, when a
    branch's query). After a label (``labelled``: the field's; or the branch's) it goes on as the
    service words it ("Query: unexpected ')'"), as a value that does not fit does ("Date: the date
    it happened is in the future")."""
    if not isinstance(exc, QuerySyntaxError):
        return page.explain(exc)
    branch = str(exc.extra.get("branch", ""))
    said = exc.in_words(page.gettext, page.lang) if labelled or branch else page.explain(exc)
    words = "\n".join(part for part in (said, exc.pointer()) if part)
    return page.gettext("%(field)s: %(reason)s", field=branch, reason=words) if branch else words
