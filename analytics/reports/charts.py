"""Static charts (matplotlib, Agg) embedded as PNG data URIs, so an HTML report stands alone and
WeasyPrint puts them in the PDF. Chinese labels use Debian's Noto Sans CJK."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from analytics.i18n import text  # noqa: E402
from analytics.indicators import Indicators  # noqa: E402
from core.i18n import Language  # noqa: E402

CJK_FONTS = [Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")]
_fonts_ready = False


def _setup_fonts() -> None:
    global _fonts_ready
    if _fonts_ready:
        return
    for path in CJK_FONTS:
        if path.exists():
            font_manager.fontManager.addfont(str(path))
    # DejaVu for Latin text, Noto Sans CJK for the glyphs DejaVu lacks (matplotlib font fallback)
    plt.rcParams["font.family"] = ["DejaVu Sans", "Noto Sans CJK SC"]
    plt.rcParams["axes.unicode_minus"] = False
    _fonts_ready = True


def _png(fig: plt.Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _barh(labels: list[str], values: list[int], title: str) -> str:
    fig, ax = plt.subplots(figsize=(6.5, 0.35 * max(len(labels), 3) + 0.8))
    ax.barh(range(len(labels)), values, color="#2f6fae")
    ax.set_yticks(range(len(labels)), labels=[lb[:40] for lb in labels])
    ax.invert_yaxis()
    ax.set_title(title)
    return _png(fig)


def render(ind: Indicators, lang: Language) -> dict[str, str]:
    """Chart name -> data URI."""
    _setup_fonts()
    t = text(lang)
    charts: dict[str, str] = {}
    years = [y.year for y in ind.years]
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    colours = ["#b8c9dc" if y.incomplete else "#2f6fae" for y in ind.years]
    ax.bar(years, [y.documents for y in ind.years], color=colours, label=t["documents"])
    ax2 = ax.twinx()
    ax2.plot(years, [y.applicants for y in ind.years], color="#d9822b", marker="o", label=t["applicants_col"])
    ax.set_title(t["chart_trend"])
    ax.set_xlabel(t["year"])
    fig.legend(loc="upper left", fontsize=8)
    charts["trend"] = _png(fig)

    points = ind.life_cycle.points
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot([p[1] for p in points], [p[2] for p in points], marker="o", color="#2f6fae")
    for year, docs, applicants in points:
        ax.annotate(str(year), (docs, applicants), fontsize=7)
    ax.set_xlabel(t["documents"])
    ax.set_ylabel(t["applicants_col"])
    ax.set_title(t["chart_life"])
    charts["life_cycle"] = _png(fig)

    top = ind.top_applicants
    charts["applicants"] = _barh([a.key for a in top], [a.documents for a in top], t["chart_applicants"])
    countries = sorted(ind.countries.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    charts["countries"] = _barh([c for c, _ in countries], [n for _, n in countries], t["chart_countries"])
    groups = sorted(ind.ipc_subgroups.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    charts["ipc"] = _barh([g for g, _ in groups], [n for _, n in groups], t["chart_ipc"])
    return charts
