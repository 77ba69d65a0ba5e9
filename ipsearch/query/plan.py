"""What both compilers share: analysing query words with the index-time analyzer and expanding
wildcards against the backend's vocabulary, so both backends search the very same tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from ipsearch.analysis import Analyzer
from ipsearch.query.ast import NAME_FIELDS, TEXT_FIELDS, Phrase, Term
from ipsearch.query.parser import QuerySyntaxError

MAX_EXPANSIONS = 500
VOCAB_SCAN = 9_999  # tokens read by prefix before the pattern filter (< ES result window)
# A pattern of this many ``?`` or fewer has its spellings tried as words (27 per mark: none, a-z).
MAX_SPELLED_MARKS = 2
_ONE_OR_NONE = ("", *"abcdefghijklmnopqrstuvwxyz")


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
        if leaf.field in NAME_FIELDS:
            return self.analyzer.name_tokens(leaf.text)
        return self.analyzer.tokens(leaf.text)

    def expand(self, term: Term) -> list[str]:
        """Index tokens matching a wildcard word: ``*`` any run, ``?`` zero or one character.

        The index holds lemmas, so a word the pattern matches may have a token that does not:
        ``emitting*`` matches "emitting", whose token is "emit"; ``model?ing`` matches "modelling",
        whose token is "model". The tokens of the words we know the pattern matches are searched
        too (both found nothing before): the word typed before the first wildcard, and, for a
        pattern of ``?`` alone, each word it spells (``travel?ed``: traveled, travelled), where
        the word is a regular inflection of its token (``rang*`` does not search ring).
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
        for token in self._spelled_tokens(pattern, stem, regex, term.field in NAME_FIELDS):
            if token not in matches:
                matches.append(token)
        if len(matches) > MAX_EXPANSIONS:
            raise QuerySyntaxError("'%(value)s' matches %(count)s words; at most %(limit)s are allowed", None,
                                   self.query, value=term.text, count=len(matches), limit=MAX_EXPANSIONS)
        self._expansions[key] = matches
        return matches

    def _spelled_tokens(self, pattern: str, stem: str, regex: re.Pattern[str], names: bool) -> list[str]:
        """Tokens of the words ``pattern`` is known to match (see ``expand``)."""
        words = [stem] if regex.fullmatch(stem) else []
        if "*" not in pattern and pattern.count("?") <= MAX_SPELLED_MARKS:
            spellings = [""]
            for char in pattern:
                spellings = [s + c for s in spellings for c in (_ONE_OR_NONE if char == "?" else (char,))]
            words += [word for word in spellings if word != stem]
        return [t for word in words if (t := self.analyzer.inflection_token(word, names))]
