"""Markdown to safe HTML: markdown-it-py renders, nh3 (ammonia) keeps only an allow-list of tags,
attributes and URL schemes, so scripts, event handlers, ``javascript:`` links and SVG never survive."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")

TAGS = {"p", "br", "hr", "em", "strong", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "img",
        "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"}}
SCHEMES = {"http", "https", "mailto"}
# letters and symbols that print as nothing: Hangul fillers and the blank braille pattern
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")


@dataclass(frozen=True)
class Rendered:
    html: str
    links: int
    images: int
    visible: bool  # False when readers would see nothing: no character that prints, no image


def shows(char: str) -> bool:
    """Whether ``char`` prints something by itself: not a space, a control or format character (the
    zero-width space, joiners, the soft hyphen), a combining mark, or a letter that looks blank."""
    return char not in BLANK_LOOKING and unicodedata.category(char)[0] not in "ZCM"


class _Visible(HTMLParser):
    """Reads sanitised HTML as a browser shows it: entities decoded, tags and empty elements unseen."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and dict(attrs).get("src"):  # nh3 drops a source of a refused scheme
            self.found = True

    def handle_data(self, data: str) -> None:
        self.found = self.found or any(shows(c) for c in data)


def _visible(html: str) -> bool:
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return parser.found


def parse(markdown: str) -> list[Token]:
    """The block tokens of ``markdown`` as ``render`` reads them (each with its lines in ``map``)."""
    return _md.parse(markdown)


def render(markdown: str) -> Rendered:
    tokens = parse(markdown)
    links = images = 0
    for tok in tokens:
        for child in tok.children or []:
            if child.type == "link_open":
                links += 1
            elif child.type == "image":
                images += 1
    html = nh3.clean(_md.render(markdown), tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES,
                     link_rel="nofollow ugc noopener noreferrer")
    return Rendered(html=html, links=links, images=images, visible=_visible(html))
