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
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.axis import Axis  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator, ScalarFormatter  # noqa: E402

from analytics.i18n import text  # noqa: E402
from analytics.indicators import Indicators  # noqa: E402
from core.countries import country_name  # noqa: E402
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


def _png(fig: Figure) -> str:
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


LABEL_GAP = (26, 12)  # pixels between year labels, across and up


def _whole_numbers(axis: Axis) -> None:
    """Whole-number ticks, plain numbers: no "+1e3" offset and no scientific notation."""
    axis.set_major_locator(MaxNLocator(integer=True))
    formatter = ScalarFormatter(useOffset=False)
    formatter.set_scientific(False)
    axis.set_major_formatter(formatter)


def count_limits(values: list[int]) -> tuple[float, float]:
    """An axis range for counts that barely change: at least half the largest value (and 4) wide,
    around the data, never below zero. A change of 1 in 1000 stays flat; 6 to 7 still shows."""
    low, high = min(values, default=0), max(values, default=0)
    span = max((high - low) * 1.2, high * 0.5, 4.0)
    bottom = max(0.0, (low + high) / 2 - span / 2)
    return bottom, bottom + span


def _label_years(ax: Axes, points: list[tuple[int, int, int]]) -> None:
    """Year labels where they do not collide: the first and the last year always, then the
    others in order when they are clear of every label already placed."""
    order = sorted(range(len(points)), key=lambda i: (i not in (0, len(points) - 1), i))
    placed: list[tuple[float, float]] = []
    for i in order:
        year, docs, applicants = points[i]
        x, y = ax.transData.transform((docs, applicants))
        if all(abs(x - px) >= LABEL_GAP[0] or abs(y - py) >= LABEL_GAP[1] for px, py in placed):
            placed.append((x, y))
            ax.annotate(str(year), (docs, applicants), fontsize=7, textcoords="offset points", xytext=(0, 5),
                        ha="center")


def life_cycle_figure(points: list[tuple[int, int, int]], t: dict[str, str], unit: str) -> Figure:
    """Applicants against applications, one point a year, the years labelled where legible."""
    _setup_fonts()
    fig, ax = plt.subplots(figsize=(5, 3.5))
    xs, ys = [p[1] for p in points], [p[2] for p in points]
    ax.plot(xs, ys, marker="o", color="#2f6fae")
    for axis in (ax.xaxis, ax.yaxis):
        _whole_numbers(axis)
    ax.set_xlim(*count_limits(xs))
    ax.set_ylim(*count_limits(ys))
    _label_years(ax, points)
    ax.set_xlabel(unit)
    ax.set_ylabel(t["applicants_col"])
    ax.set_title(t["chart_life"].format(unit=unit.lower()))
    return fig


def trend_figure(ind: Indicators, t: dict[str, str], unit: str) -> Figure:
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    years = [y.year for y in ind.years]
    colours = ["#b8c9dc" if y.incomplete else "#2f6fae" for y in ind.years]
    ax.bar(years, [y.documents for y in ind.years], color=colours, label=unit)
    ax2 = ax.twinx()
    applicants = [y.applicants for y in ind.years]
    ax2.plot(years, applicants, color="#d9822b", marker="o", label=t["applicants_col"])
    for axis in (ax.xaxis, ax.yaxis, ax2.yaxis):
        _whole_numbers(axis)
    ax2.set_ylim(0, max(applicants, default=0) * 1.15 + 1)  # from zero, as the bars: flat looks flat
    ax.set_title(t["chart_trend"].format(unit=unit))
    ax.set_xlabel(t["year"])
    fig.legend(loc="upper left", fontsize=8)
    return fig


def render(ind: Indicators, lang: Language) -> dict[str, str]:
    """Chart name -> data URI."""
    _setup_fonts()
    t = text(lang)
    unit = t["families"] if ind.counting.unit == "family" else t["documents"]
    charts = {"trend": _png(trend_figure(ind, t, unit)),
              "life_cycle": _png(life_cycle_figure(ind.life_cycle.points, t, unit))}
    top = ind.top_applicants
    charts["applicants"] = _barh([a.name for a in top], [a.documents for a in top], t["chart_applicants"])
    countries = sorted(ind.countries.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    charts["countries"] = _barh([country_name(c, lang) for c, _ in countries], [n for _, n in countries],
                                t["chart_countries"])
    groups = sorted(ind.ipc_subgroups.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    charts["ipc"] = _barh([g for g, _ in groups], [n for _, n in groups], t["chart_ipc"])
    return charts
