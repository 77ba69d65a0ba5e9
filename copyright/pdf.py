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

from copyright.models import RIGHT_LABELS, WORK_TYPE_LABELS, Right, WorkType
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
td.k {{ width: 50mm; color: #567; }}
.hash {{ font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; word-break: break-all; }}
.qr {{ float: right; width: 38mm; height: 38mm; margin-left: 6mm; }}
.foot {{ margin-top: 10mm; font-size: 8.5pt; color: #567; }}
</style></head><body>"""

TEMPLATE = STYLE + """
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
<tr><td class="k">Registered 登记时间</td><td>{registered}</td></tr>
<tr><td class="k">Registration number 登记号</td><td>{number}</td></tr>
<tr><td class="k">Status 状态</td><td>{status}</td></tr>
<tr><td class="k">SHA-256</td><td class="hash">{sha256}</td></tr>
<tr><td class="k">Transparency log 透明日志</td><td>entry {index} of {size} · {origin}</td></tr>
</table>
<p class="foot">本证书由 IP Commons 签名（密钥 {key_id}），并已写入公开的只增日志。可使用
<code>ipcommons copyright verify</code> 和公布的密钥集离线核验，或扫描二维码在线核验。<br>
This certificate is signed by IP Commons (key {key_id}) and included in a public append-only
log. Verify it offline with <code>ipcommons copyright verify</code> and the published key set, or scan the
code: {verify_url}</p>
</body></html>"""


# a document's fixed values in both of its languages, as its labels are ("worldwide" was printed
# on a licence whose form had said 全世界); what a person typed stays as typed
BILINGUAL = {"worldwide": "worldwide 全世界", "all media": "all media 所有媒介"}
STATUS = {"registered": "registered 已登记", "under_review": "under review 审查中", "disputed": "disputed 有争议",
          "revoked": "revoked 已撤销"}


def _beijing(moment: str) -> str:
    """An ISO time (UTC) as the pages show it: Beijing's date and time."""
    when = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return when.astimezone(SHOWN_ZONE).strftime("%Y-%m-%d %H:%M") + " (Beijing time 北京时间, UTC+8)"


def _publication(work: dict[str, Any]) -> str:
    if not work.get("published"):
        return "unpublished 未发表"
    said = ["published 已发表"]
    if work.get("first_publication_date"):
        said.append(f"first on 首次发表日期 {work['first_publication_date']}")
    if work.get("first_publication_place"):
        said.append(f"in 首次发表地点 {work['first_publication_place']}")
    return "; ".join(said)


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
<h1>Copyright Licence</h1>
<h2>著作权许可使用合同 · {number} · #{licence_id}</h2>
<table>
<tr><td class="k">Work 作品</td><td>{title} ({number})</td></tr>
<tr><td class="k">Licensor 许可人</td><td>{licensor}</td></tr>
<tr><td class="k">Licensee 被许可人</td><td>{licensee}</td></tr>
<tr><td class="k">Rights 许可的权利</td><td>{rights}</td></tr>
<tr><td class="k">Kind 许可方式</td><td>{kind}</td></tr>
<tr><td class="k">Territory 地域范围</td><td>{territory}</td></tr>
<tr><td class="k">Media 媒介</td><td>{media}</td></tr>
<tr><td class="k">Term 期限</td><td>{start} – {end}</td></tr>
<tr><td class="k">Fee 许可使用费</td><td>{fee}</td></tr>
<tr><td class="k">Offered 要约</td><td>{offered}</td></tr>
<tr><td class="k">Accepted 承诺</td><td>{accepted}</td></tr>
<tr><td class="k">Transparency log 透明日志</td><td>entry {log_index}</td></tr>
</table>
<p class="foot">The licensor offered and the licensee accepted these terms on IP Commons; the licence (without
its fee, a private term) is entry {log_index} of the registry's public append-only log. This document is
for the two parties only.<br>许可人在 IP Commons 上发出要约、被许可人作出承诺，双方就上述条款达成一致；许可信息（不含
许可使用费这一非公开条款）为登记处公开只增日志的第 {log_index} 条记录。本文件仅供双方当事人使用。</p>
</body></html>"""


def render_licence_pdf(doc: dict[str, Any]) -> bytes:
    """The licence document of an accepted offer (``copyright.offers.licence_document``): both
    parties, the rights and terms, and the log entry. Rendered on request: only the parties ask."""
    from weasyprint import HTML

    esc = html.escape
    kind = ("exclusive 专有许可" if doc["exclusive"] else "non-exclusive 非专有许可") + (
        "; may sublicense 可转许可" if doc["may_sublicense"] else "")
    text = LICENCE_TEMPLATE.format(
        number=esc(doc["number"]), licence_id=doc["licence_id"], title=esc(doc["title"]),
        licensor=esc(doc["licensor"]["name"]), licensee=esc(doc["licensee"]["name"]),
        rights=esc("; ".join(" ".join(RIGHT_LABELS[Right(r)]) for r in doc["rights"])), kind=esc(kind),
        territory=esc(BILINGUAL.get(doc["territory"], doc["territory"])),
        media=esc(BILINGUAL.get(doc["media"], doc["media"])), start=esc(doc["start_date"]),
        end=esc(doc["end_date"] or "no end 无期限"), fee=esc(doc["fee"] or "none stated 未约定"),
        offered=esc(_beijing(doc["created_at"])),
        accepted=esc(_beijing(doc["decided_at"]) if doc["decided_at"] else "—"), log_index=doc["log_index"])
    pdf = HTML(string=text).write_pdf()
    assert pdf is not None
    return pdf
