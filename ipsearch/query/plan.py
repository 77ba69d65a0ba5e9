"""What both compilers share: analysing query words with the index-time analyzer and expanding
wildcards against the backend's vocabulary, so both backends search the very same tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from ipsearch.analysis import Analyzer
from ipsearch.query.ast import TEXT_FIELDS, Phrase, Term
from ipsearch.query.parser import QuerySyntaxError

MAX_EXPANSIONS = 500
VOCAB_SCAN = 9_999  # tokens read by prefix before the pattern filter (< ES result window)


class Vocabulary(Protocol):
    def vocabulary(self, fields: tuple[str, ...], prefix: str, limit: int) -> list[str]: ...


@dataclass
class Planner:
    analyzer: Analyzer
    vocab: Vocabulary
    query: str = ""
    _expansions: dict[tuple[str, tuple[str, ...]], list[str]] = field(default_factory=dict)

    def fields(self, field_code: str) -> tuple[str, ...]:
        return TEXT_FIELDS[field_code]

    def tokens(self, leaf: Term | Phrase) -> list[str]:
        """The analysed tokens of a word or phrase (empty for stop words)."""
        return self.analyzer.tokens(leaf.text)

    def expand(self, term: Term) -> list[str]:
        """Index tokens matching a wildcard word: ``*`` any run, ``?`` zero or one character.

        The index holds lemmas, so a word the pattern matches may have a token that does not:
        ``emitting*`` matches "emitting", whose token is "emit". The word typed before the first
        wildcard is the one such word we know of; when the pattern matches it, its token is
        searched too (``emitting*`` found nothing before, ``bearing*`` missed "bearing").
        """
        fields = self.fields(term.field)
        key = (term.text, fields)
        if key in self._expansions:
            return self._expansions[key]
        pattern = term.text.lower()
        stem = re.split(r"[*?]", pattern, maxsplit=1)[0]
        regex = re.compile("".join(".*" if c == "*" else ".?" if c == "?" else re.escape(c) for c in pattern))
        candidates = self.vocab.vocabulary(fields, stem, VOCAB_SCAN + 1)
        if len(candidates) > VOCAB_SCAN:
            raise QuerySyntaxError("'%(value)s' is too broad: use a longer stem", None, self.query, value=term.text)
        matches = [t for t in candidates if regex.fullmatch(t)]
        typed = self.analyzer.tokens(stem) if regex.fullmatch(stem) else []
        if len(typed) == 1 and typed[0] not in matches:
            matches.append(typed[0])
        if len(matches) > MAX_EXPANSIONS:
            raise QuerySyntaxError("'%(value)s' matches %(count)s words; at most %(limit)s are allowed", None,
                                   self.query, value=term.text, count=len(matches), limit=MAX_EXPANSIONS)
        self._expansions[key] = matches
        return matches
