"""community.forums.quotes on Markdown alone: which block quotes are quotes of which post (named in
their first line as ``service.quote`` writes it, at any depth, lazy lines and CR LF included), which
of them a reader gets as placeholders, and the Markdown with the placeholders in their place."""

from __future__ import annotations

from community.forums import quotes
from community.forums.markdown import render
from community.forums.schemas import QuoteWithheld

HIDDEN, DELETED = QuoteWithheld.hidden, QuoteWithheld.deleted
WORDS = {HIDDEN: "(hidden)", DELETED: "(deleted)"}
REPLY = ("> **Alice \\*\\* \\(\\#2\\):** (#1):\r\n> the secret plan\r\nlazy secret line\r\n\r\nmy answer\r\n\r\n"
         "> **Bob** (#3):\r\n> > **Alice** (#1):\r\n> > nested secret\r\n> \r\n> bob's words\r\n\r\n"
         "- a list\r\n\r\n  > **Carol** (#4):\r\n  > carol's words\r\n\r\n> unattributed words\r\n")


def _html(chosen: list[tuple[quotes.Quote, QuoteWithheld]], words: dict[QuoteWithheld, str] | None = WORDS) -> str:
    return render(quotes.replace(REPLY, chosen, words)).html


def test_quotes_are_found_with_the_post_their_first_line_names() -> None:
    found = quotes.find(REPLY)
    assert [(q.depth, q.number) for q in found] == [(1, 1), (1, 3), (2, 1), (1, 4), (1, None)]
    assert quotes.find("no quote here\n\n    > code, not a quote") == []
    in_a_list = "1. > **Alice** (#1):\n   the secret plan\n\n- x"  # no line starts with >
    [listed] = quotes.find(in_a_list)
    assert (listed.depth, listed.number) == (1, 1)
    assert "secret" not in render(quotes.replace(in_a_list, [(listed, HIDDEN)], WORDS)).html
    assert [q.number for q in quotes.find("> **Eve** (#12345678901):\n> too long a number")] == [None]


def test_a_quote_of_a_post_the_reader_may_not_read_is_its_placeholder_at_any_depth() -> None:
    found = quotes.find(REPLY)
    chosen = quotes.withheld(found, {1: HIDDEN}, None)
    assert [(q.depth, q.number, why) for q, why in chosen] == [(1, 1, HIDDEN), (2, 1, HIDDEN)]
    html = _html(chosen)
    assert "secret" not in html and html.count("<em>(hidden)</em>") == 2
    assert "my answer" in html and "bob's words" in html and "carol's words" in html
    assert "<blockquote>\n<p><strong>Bob</strong> (#3):</p>\n<blockquote>\n<p><em>(hidden)</em>" in html
    assert "unattributed words" in html  # the post does not quote the hidden post: a quote of its own


def test_when_the_quoted_post_is_withheld_its_unnamed_top_quotes_go_too() -> None:
    found = quotes.find(REPLY)
    chosen = quotes.withheld(found, {1: DELETED}, DELETED)
    html = _html(chosen)
    assert "secret" not in html and "unattributed words" not in html and html.count("(deleted)") == 3
    assert "carol's words" in html and "bob's words" in html  # quotes of readable posts stay
    outer = quotes.withheld(found, {3: HIDDEN, 1: HIDDEN}, None)  # the nested one goes with its outer quote
    assert [(q.number, why) for q, why in outer] == [(1, HIDDEN), (3, HIDDEN)]
    assert "bob's words" not in _html(outer)


def test_left_out_for_a_search_and_placeholders_are_text() -> None:
    chosen = quotes.withheld(quotes.find(REPLY), {1: HIDDEN}, HIDDEN)
    bare = quotes.replace(REPLY, chosen, None)
    assert "secret" not in bare and "unattributed" not in bare and "(hidden)" not in bare and "my answer" in bare
    hostile = {HIDDEN: "[x](javascript:alert(1)) <b>**", DELETED: ""}
    html = _html(chosen, hostile)
    assert "<em>[x](javascript:alert(1)) &lt;b&gt;**</em>" in html and "href" not in html
    assert quotes.withheld(quotes.find(REPLY), {}, None) == []
