"""The platform's one error family, drawn in one place.

Every error a service raises on purpose derives from ``IPCommonsError``. Errors say *what* went
wrong in domain terms and carry no HTTP status or exit code: ``api/problems.py`` maps each class
to an RFC 9457 problem and ``api/cli/errors.py`` maps the same classes to documented exit codes.

    IPCommonsError
    ├── InvalidInput            the caller sent something malformed or out of range
    │   ├── QuerySyntaxError    (ipsearch.query.parser) a query a person typed wrong
    │   ├── SearchRequestError  (ipsearch.results) a bad cursor, facet or sort
    │   ├── CheckpointError     (copyright.checkpoint) a malformed signed note
    │   ├── ProofError          (copyright.merkle) a malformed Merkle proof
    │   └── ParseError          (loaders) a document the loaders refuse
    ├── NotAuthenticated        no caller, or a bad token or key
    ├── PermissionDenied        the caller may not do this
    ├── NotFound                the thing named does not exist (or is not visible)
    ├── Conflict                the request clashes with the current state
    ├── TooManyRequests         a rate limit; ``retry_after`` seconds
    ├── Unavailable             a service or stored state cannot serve the request now
    └── VerificationFailed      (copyright.verify) a certificate check failed at ``step``
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Self

from core.i18n import Language, Named, Quoted, Term


class IPCommonsError(Exception):
    """Root of every deliberate error; ``detail`` is a sentence for a person.

    An error whose sentence carries values is raised with ``said(template, **params)``, so a page can
    translate the template and fill in the values (``in_words``) instead of showing English."""

    def __init__(self, detail: str, *, template: str | None = None, params: dict[str, object] | None = None,
                 **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.template = template or detail
        self.params = params or {}
        self.extra = extra  # more problem+json members, e.g. the position of a query error

    @classmethod
    def said(cls, template: str, **params: object) -> Self:
        """The error with ``template % params`` as its detail, keeping both for translation."""
        return cls(template % params, template=template, params=params)

    def about(self, field: str) -> Self:
        """This refusal, marked as about the form field ``field`` (``extra["field"]``): a page says it
        beside that field, under the field's label, not only in a box above the form."""
        self.extra["field"] = field
        return self

    def in_words(self, translate: Callable[[str], str], lang: Language = Language.en) -> str:
        """The detail in the reader's language: the translated template filled with the values
        (a ``Named`` or ``Quoted`` value in ``lang``, a ``Term`` in the catalog's word)."""
        if not self.params:
            return translate(self.detail)
        values = {k: v.in_language(lang) if isinstance(v, Named | Quoted) else
                  translate(v.words) if isinstance(v, Term) else v for k, v in self.params.items()}
        return translate(self.template) % values


class InvalidInput(IPCommonsError, ValueError):
    """Malformed or out-of-range input (also a ``ValueError`` for parsing code)."""


class NotAuthenticated(IPCommonsError):
    """No caller, or credentials that are wrong, expired or revoked."""


class PermissionDenied(IPCommonsError):
    """A known caller asks for something their role does not allow."""


class NotFound(IPCommonsError):
    """The named object does not exist, or the caller may not know it exists."""


class Conflict(IPCommonsError):
    """The request clashes with the current state (a duplicate, a closed item)."""


class TooManyRequests(IPCommonsError):
    def __init__(self, detail: str, retry_after: int, *, template: str | None = None,
                 params: dict[str, object] | None = None) -> None:
        super().__init__(detail, template=template, params=params)
        self.retry_after = retry_after


class Unavailable(IPCommonsError):
    """A backing service or stored state cannot serve the request now; retrying later may work."""
