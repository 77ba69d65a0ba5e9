"""Markdown to safe HTML: markdown-it-py renders, nh3 (ammonia) keeps only an allow-list of tags,
attributes and URL schemes, so scripts, event handlers, ``javascript:`` links and SVG never survive."""

from __future__ import annotations

from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")

TAGS = {"p", "br", "hr", "em", "strong", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "img",
        "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"}}
SCHEMES = {"http", "https", "mailto"}


@dataclass(frozen=True)
class Rendered:
    html: str
    links: int
    images: int


def render(markdown: str) -> Rendered:
    tokens = _md.parse(markdown)
    links = images = 0
    for tok in tokens:
        for child in tok.children or []:
            if child.type == "link_open":
                links += 1
            elif child.type == "image":
                images += 1
    html = nh3.clean(_md.render(markdown), tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES,
                     link_rel="nofollow ugc noopener noreferrer")
    return Rendered(html=html, links=links, images=images)
