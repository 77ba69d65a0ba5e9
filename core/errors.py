"""The platform's one error family, drawn in one place.

Every error a service raises on purpose derives from ``IPCommonsError``. Errors say *what* went
wrong in domain terms and carry no HTTP status or exit code: ``api/problems.py`` maps each class
to an RFC 9457 problem and ``api/cli/errors.py`` maps the same classes to documented exit codes.

    IPCommonsError
    ├── InvalidInput            the caller sent something malformed or out of range
    │   ├── QuerySyntaxError    (ipsearch.query.parser) a query a person typed wrong
    │   ├── SearchRequestError  (ipsearch.results) a bad cursor, facet or sort
    │   ├── ParseError          (loaders.errors) a document the loaders refuse
    │   │   ├── UnknownFormat   (loaders.parsers) not a patent format we read
    │   │   ├── MissingField    (loaders.parsers.common) no publication number
    │   │   ├── OpsResponseError (loaders.parsers.ops) an OPS response refused whole
    │   │   └── UnsafeXML       (loaders.xmlsafe) entity declarations, a network DTD
    │   ├── Refused             every problem of one submit at once
    │   ├── ResetLinkInvalid    (core.accounts.password_reset) a reset link spent or expired
    │   ├── CheckpointError     (copyright.checkpoint) a malformed signed note
    │   ├── ProofError          (copyright.merkle) a malformed Merkle proof
    │   ├── NotCanonical        (copyright.canonical) a value JCS cannot serialise
    │   └── QuorumNotMet        (copyright.witness) too few witnesses cosigned
    ├── NotAuthenticated        no caller, or a bad token or key
    │   └── TokenError          (core.accounts.tokens) a token missing, expired or not ours
    ├── PermissionDenied        the caller may not do this
    ├── NotFound                the thing named does not exist (or is not visible)
    ├── Conflict                the request clashes with the current state
    ├── TooManyRequests         a rate limit; ``retry_after`` seconds
    ├── Unavailable             a service or stored state cannot serve the request now
    │   ├── IndexSchemaError    (ipsearch.backends.base) an index of another version
    │   ├── LoadInterrupted     (loaders.pipeline) the backend went away mid-load
    │   ├── SigningKeyError     (copyright.keys) no usable signing key
    │   └── WitnessStateError   (copyright.witness) the witness's state is unreadable
    ├── VerificationFailed      (copyright.verify) a certificate check failed at ``step``
    └── WitnessRefused          (copyright.witness) the witness will not cosign, and also one of:
        ├── BadSubmission           InvalidInput: not a tlog-witness submission
        ├── UnknownLog              NotFound: a log this witness does not follow
        ├── NotSignedByLog          PermissionDenied: no signature by the log's key
        ├── OldSizeMismatch         Conflict: not the size last cosigned
        ├── ForkedCheckpoint        Conflict: a split view
        └── InconsistentCheckpoint  Conflict: the proof does not extend what was cosigned

Private helpers (a name starting with ``_``) are not drawn: they never leave their module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Self

from core.i18n import Day, Language, Listed, Named, Quoted, Term


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
        """The error with ``template % params`` as its detail, keeping both for translation. The
        detail (what the API says) writes a code in words: "is under review", not "under_review"."""
        words = {k: v.replace("_", " ") if isinstance(v, Term) else v for k, v in params.items()}
        return cls(template % words, template=template, params=params)

    def about(self, field: str) -> Self:
        """This refusal, marked as about the form field ``field`` (``extra["field"]``): a page says it
        beside that field, under the field's label, not only in a box above the form."""
        self.extra["field"] = field
        return self

    def in_words(self, translate: Callable[[str], str], lang: Language = Language.en) -> str:
        """The detail in the reader's language: the translated template filled with the values
        (a ``Named``, ``Quoted``, ``Day`` or ``Listed`` value in ``lang``, a ``Term`` in the catalog's word)."""
        if not self.params:
            return translate(self.detail)
        values = {k: v.in_language(lang) if isinstance(v, Named | Quoted | Day | Listed) else
                  translate(v.words) if isinstance(v, Term) else v for k, v in self.params.items()}
        return translate(self.template) % values


class InvalidInput(IPCommonsError, ValueError):
    """Malformed or out-of-range input (also a ``ValueError`` for parsing code)."""


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


@contextmanager
def refusals_about(field: str, *kinds: type[IPCommonsError]) -> Iterator[None]:
    """A refusal of ``kinds`` (``InvalidInput`` unless named) raised inside is marked as about the
    form field ``field`` (``IPCommonsError.about``): for a check a service calls that knows nothing
    of the form, such as resolving a region or an e-mail address a person typed."""
    marked: tuple[type[IPCommonsError], ...] = kinds or (InvalidInput,)
    try:
        yield
    except marked as exc:
        exc.about(field)
        raise


# pydantic opens a validator's own sentence with the kind of exception it raised
_VALIDATOR_PREFIXES = ("Value error, ", "Assertion failed, ")


def validator_words(error: Mapping[str, Any]) -> str:
    """What one pydantic error says, without the "Value error, " pydantic puts before a validator's
    own sentence ("Value error, the period's first year is after its last year" reached people)."""
    message = str(error.get("msg", ""))
    for prefix in _VALIDATOR_PREFIXES:
        message = message.removeprefix(prefix)
    return message
