"""The certificate as a PDF for people: title, owner, type, dates, hash, number and a QR code to
the public verification page. Rendered with WeasyPrint (HTML + Debian's Noto CJK fonts)."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

import qrcode
import qrcode.image.svg

from copyright.models import WORK_TYPE_LABELS, WorkType

TEMPLATE = """<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 22mm; }}
body {{ font-family: "Noto Sans CJK SC", "Noto Sans", sans-serif; color: #1d2530; }}
h1 {{ font-size: 22pt; margin: 0 0 4mm; color: #123c69; }}
h2 {{ font-size: 12pt; color: #567; margin: 0 0 10mm; font-weight: normal; }}
table {{ border-collapse: collapse; width: 100%; font-size: 10.5pt; }}
td {{ padding: 2.2mm 2mm; border-bottom: 0.3mm solid #ccd; vertical-align: top; }}
td.k {{ width: 48mm; color: #567; }}
.hash {{ font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; word-break: break-all; }}
.qr {{ float: right; width: 38mm; height: 38mm; margin-left: 6mm; }}
.foot {{ margin-top: 10mm; font-size: 8.5pt; color: #567; }}
</style></head><body>
<img class="qr" src="data:image/svg+xml;base64,{qr}">
<h1>Copyright Registration Certificate</h1>
<h2>作品登记证书 · {number}</h2>
<table>
<tr><td class="k">Title 作品名称</td><td>{title}</td></tr>
<tr><td class="k">Work type 作品类别</td><td>{type_en} · {type_zh}</td></tr>
<tr><td class="k">Author(s) 作者</td><td>{authors}</td></tr>
<tr><td class="k">Owner 著作权人</td><td>{owner}</td></tr>
<tr><td class="k">Completion date 创作完成日期</td><td>{completed}</td></tr>
<tr><td class="k">Published 发表状态</td><td>{published}</td></tr>
<tr><td class="k">Registration date 登记日期</td><td>{registered}</td></tr>
<tr><td class="k">Registration number 登记号</td><td>{number}</td></tr>
<tr><td class="k">Status 状态</td><td>{status}</td></tr>
<tr><td class="k">SHA-256</td><td class="hash">{sha256}</td></tr>
<tr><td class="k">Transparency log 透明日志</td><td>entry {index} of {size} · {origin}</td></tr>
</table>
<p class="foot">This certificate is signed by IP Commons (key {key_id}) and included in a public append-only
log. Verify it offline with <code>ipcommons copyright verify</code> and the published key set, or scan the
code: {verify_url}</p>
</body></html>"""


def verification_url(base_url: str, number: str) -> str:
    return f"{base_url.rstrip('/')}/api/v1/copyright/registrations/{number}"


def render_html(cert: dict[str, Any], base_url: str) -> str:
    st = cert["statement"]
    work = st["work"]
    kind = WorkType(work["work_type"])
    url = verification_url(base_url, st["number"])
    svg = io.BytesIO()
    qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage).save(svg)
    esc = html.escape
    published = ("published" + (f", first on {work.get('first_publication_date')}" if work.get(
        "first_publication_date") else "")) if work.get("published") else "unpublished 未发表"
    return TEMPLATE.format(
        qr=base64.b64encode(svg.getvalue()).decode(), number=esc(st["number"]), title=esc(work["title"]),
        type_en=esc(WORK_TYPE_LABELS[kind][0]), type_zh=esc(WORK_TYPE_LABELS[kind][1]),
        authors=esc(", ".join(work.get("authors") or []) or "—"), owner=esc(st["owner"]["name"]),
        completed=esc(str(work.get("completion_date") or "—")), published=esc(published),
        registered=esc(st["time"][:10]), status=esc(cert.get("status", "registered")), sha256=st["content"]["sha256"],
        index=cert["log"]["index"], size=cert["log"]["tree_size"], origin=esc(cert["log"]["origin"]),
        key_id=esc(cert["signatures"][0]["key_id"]), verify_url=esc(url))


def render_pdf(cert: dict[str, Any], base_url: str, out: Path) -> Path:
    from weasyprint import HTML

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    HTML(string=render_html(cert, base_url)).write_pdf(str(tmp))
    tmp.replace(out)  # readers never see a half-written PDF
    return out
