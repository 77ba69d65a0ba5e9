"""The certificate as a PDF for people: title, owner, type, dates, hash, number and a QR code to
the public verification page. Rendered with WeasyPrint (HTML + Debian's Noto CJK fonts)."""

from __future__ import annotations

import base64
import html
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import qrcode
import qrcode.image.svg

from copyright.models import RIGHT_LABELS, WORK_TYPE_LABELS, WorkType, in_law_order
from core.i18n import SHOWN_ZONE

# The page both documents share (A4, Noto CJK, a table of key and value rows); literal braces doubled
# because the templates below go through str.format.
STYLE = """<!doctype html><html><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 22mm; }}
body {{ font-family: "Noto Sans CJK SC", "Noto Sans", sans-serif; color: #1d2530; }}
h1 {{ font-size: 21pt; margin: 0 0 4mm; color: #123c69; }}
h2 {{ font-size: 12pt; color: #567; margin: 0 0 10mm; font-weight: normal; }}
table {{ border-collapse: collapse; width: 100%; font-size: 10.5pt; }}
td {{ padding: 2.2mm 2mm; border-bottom: 0.3mm solid #ccd; vertical-align: top; }}
td.k {{ width: 42mm; color: #567; }}
td.k span {{ display: block; font-size: 8pt; color: #789; }}
.hash {{ font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; word-break: break-all; }}
.qr {{ float: right; width: 38mm; height: 38mm; margin-left: 6mm; }}
.foot {{ margin-top: 10mm; font-size: 8.5pt; color: #567; }}
</style></head><body>"""

TEMPLATE = STYLE + """
<img class="qr" src="data:image/svg+xml;base64,{qr}">
<h1>作品登记证书</h1>
<h2>Copyright Registration Certificate · {number}</h2>
<table>
<tr><td class="k">作品名称<span>Title</span></td><td>{title}</td></tr>
<tr><td class="k">作品类别<span>Work type</span></td><td>{type_zh} · {type_en}</td></tr>
<tr><td class="k">作者<span>Author(s)</span></td><td>{authors}</td></tr>
<tr><td class="k">著作权人<span>Owner</span></td><td>{owner}</td></tr>
<tr><td class="k">创作完成日期<span>Completion date</span></td><td>{completed}</td></tr>
<tr><td class="k">发表状态<span>Published</span></td><td>{published}</td></tr>
<tr><td class="k">登记时间<span>Registered</span></td><td>{registered}</td></tr>
<tr><td class="k">登记号<span>Registration number</span></td><td>{number}</td></tr>
<tr><td class="k">状态<span>Status</span></td><td>{status}</td></tr>
<tr><td class="k">SHA-256</td><td class="hash">{sha256}</td></tr>
<tr><td class="k">透明日志<span>Transparency log</span></td><td>第 {index} 条，共 {size} 条 ·
entry {index} of {size} · {origin}</td></tr>
</table>
<p class="foot">本证书由 IP Commons 签名（密钥 {key_id}），并已写入公开的只增日志。可使用
<code>ipcommons copyright verify</code> 和公布的密钥集离线核验，或扫描二维码在线核验。<br>
This certificate is signed by IP Commons (key {key_id}) and included in a public append-only
log. Verify it offline with <code>ipcommons copyright verify</code> and the published key set, or scan the
code: {verify_url}</p>
</body></html>"""


# a document's fixed values in both of its languages, Chinese first as its labels are (most of its
# readers read Chinese; "worldwide" was once printed on a licence whose form had said 全世界); what a
# person typed stays as typed
BILINGUAL = {"worldwide": "全世界 worldwide", "all media": "所有媒介 all media"}
STATUS = {"registered": "已登记 registered", "under_review": "审查中 under review", "disputed": "有争议 disputed",
          "revoked": "已撤销 revoked"}


def _beijing(moment: str) -> str:
    """An ISO time (UTC) as the pages show it: Beijing's date and time."""
    when = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return when.astimezone(SHOWN_ZONE).strftime("%Y-%m-%d %H:%M") + "（北京时间 Beijing time, UTC+8）"


def _publication(work: dict[str, Any]) -> str:
    if not work.get("published"):
        return "未发表 unpublished"
    said = ["已发表 published"]
    if work.get("first_publication_date"):
        said.append(f"首次发表日期 first published {work['first_publication_date']}")
    if work.get("first_publication_place"):
        said.append(f"首次发表地点 place {work['first_publication_place']}")
    return "；".join(said)


def verification_url(public_url: str, number: str) -> str:
    """The public record and verification page (``IPC_PUBLIC_URL``), where the QR code points."""
    return f"{public_url.rstrip('/')}/copyright/records/{number}"


def render_html(cert: dict[str, Any], public_url: str) -> str:
    st = cert["statement"]
    work = st["work"]
    kind = WorkType(work["work_type"])
    url = verification_url(public_url, st["number"])
    status = cert.get("status", "registered")  # one added later prints as it is, not blank
    svg = io.BytesIO()
    qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage).save(svg)
    esc = html.escape
    return TEMPLATE.format(
        qr=base64.b64encode(svg.getvalue()).decode(), number=esc(st["number"]), title=esc(work["title"]),
        type_en=esc(WORK_TYPE_LABELS[kind][0]), type_zh=esc(WORK_TYPE_LABELS[kind][1]),
        authors=esc(", ".join(work.get("authors") or []) or "—"),
        owner=esc("; ".join([st["owner"]["name"], *(work.get("owners") or [])])),
        completed=esc(str(work.get("completion_date") or "—")), published=esc(_publication(work)),
        registered=esc(_beijing(st["time"])), status=esc(STATUS.get(status, status)),
        sha256=st["content"]["sha256"],
        index=cert["log"]["index"], size=cert["log"]["tree_size"], origin=esc(cert["log"]["origin"]),
        key_id=esc(cert["signatures"][0]["key_id"]), verify_url=esc(url))


def render_pdf(cert: dict[str, Any], public_url: str, out: Path) -> Path:
    from weasyprint import HTML

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    HTML(string=render_html(cert, public_url)).write_pdf(str(tmp))
    tmp.replace(out)  # readers never see a half-written PDF
    return out


LICENCE_TEMPLATE = STYLE + """
<h1>著作权许可使用合同</h1>
<h2>Copyright Licence · {number} · #{licence_id}</h2>
<table>
<tr><td class="k">作品<span>Work</span></td><td>{title} ({number})</td></tr>
<tr><td class="k">许可人<span>Licensor</span></td><td>{licensor}</td></tr>
<tr><td class="k">被许可人<span>Licensee</span></td><td>{licensee}</td></tr>
<tr><td class="k">许可的权利<span>Rights</span></td><td>{rights}</td></tr>
<tr><td class="k">许可方式<span>Kind</span></td><td>{kind}</td></tr>
<tr><td class="k">地域范围<span>Territory</span></td><td>{territory}</td></tr>
<tr><td class="k">媒介<span>Media</span></td><td>{media}</td></tr>
<tr><td class="k">期限<span>Term</span></td><td>{start} – {end}</td></tr>
<tr><td class="k">许可使用费<span>Fee</span></td><td>{fee}</td></tr>
<tr><td class="k">要约<span>Offered</span></td><td>{offered}</td></tr>
<tr><td class="k">承诺<span>Accepted</span></td><td>{accepted}</td></tr>
<tr><td class="k">透明日志<span>Transparency log</span></td><td>第 {log_index} 条 · entry {log_index}</td></tr>
</table>
<p class="foot">""" + (  # Chinese has no spaces: its lines are joined here, not in the HTML
    "许可人在 IP Commons 上发出要约、被许可人作出承诺，双方就上述条款达成一致；"
    "许可信息（不含许可使用费这一非公开条款）为登记处公开只增日志的第 {log_index} 条记录。本文件仅供双方当事人使用。"
) + """<br>The licensor offered and the licensee accepted these terms on IP Commons; the licence (without its fee, a
private term) is entry {log_index} of the registry's public append-only log. This document is for the two
parties only.</p>
</body></html>"""


def render_licence_pdf(doc: dict[str, Any]) -> bytes:
    """The licence document of an accepted offer (``copyright.offers.licence_document``): both
    parties, the rights and terms, and the log entry. Rendered on request: only the parties ask."""
    from weasyprint import HTML

    esc = html.escape
    kind = ("专有许可 exclusive" if doc["exclusive"] else "非专有许可 non-exclusive") + (
        "；可转许可 may sublicense" if doc["may_sublicense"] else "")
    text = LICENCE_TEMPLATE.format(
        number=esc(doc["number"]), licence_id=doc["licence_id"], title=esc(doc["title"]),
        licensor=esc(doc["licensor"]["name"]), licensee=esc(doc["licensee"]["name"]),
        rights=esc("；".join(" ".join(reversed(RIGHT_LABELS[r])) for r in in_law_order(doc["rights"]))), kind=esc(kind),
        territory=esc(BILINGUAL.get(doc["territory"], doc["territory"])),
        media=esc(BILINGUAL.get(doc["media"], doc["media"])), start=esc(doc["start_date"]),
        end=esc(doc["end_date"] or "无期限 no end"), fee=esc(doc["fee"] or "未约定 none stated"),
        offered=esc(_beijing(doc["created_at"])),
        accepted=esc(_beijing(doc["decided_at"]) if doc["decided_at"] else "—"), log_index=doc["log_index"])
    pdf = HTML(string=text).write_pdf()
    assert pdf is not None
    return pdf
