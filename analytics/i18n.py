"""Report wording in English and Chinese (section titles follow WIPO patent landscape report
guidelines and GB/T 39551-2020 practice)."""

from __future__ import annotations

from core.i18n import Language

SECTIONS = ["scope", "strategy", "data", "trends", "regions", "applicants", "technology", "key_patents", "alerts",
            "conclusions"]
LANGUAGES = (Language.en, Language.zh)  # the order of each pair in _TEXT

# key -> (English, Chinese), side by side so no string lacks its translation. Concentration bands
# are keyed by their English wording.
_TEXT: dict[str, tuple[str, str]] = {
    "report_title": ("Patent early-warning report: {name}", "专利预警报告：{name}"),
    "scope": ("Scope and technology breakdown", "检索范围与技术分解"),
    "strategy": ("Search strategy and cut-off date", "检索策略与检索截止日"),
    "data": ("Data description", "数据说明"),
    "trends": ("Trends", "申请趋势"),
    "regions": ("Regions", "区域分布"),
    "applicants": ("Applicants", "主要申请人"),
    "technology": ("Technology composition", "技术构成"),
    "key_patents": ("Key patents", "重点专利"),
    "alerts": ("Alerts", "预警"),
    "conclusions": ("Conclusions", "结论"),
    "branch": ("Branch", "技术分支"),
    "query": ("Query", "检索式"),
    "documents": ("Documents", "文献量"),
    "recent": ("Recent window", "近期窗口"),
    "earlier": ("Earlier window", "前期窗口"),
    "annual_rate": ("Annual growth %", "年均增长率 %"),
    "cutoff": ("Search cut-off date (publication date on or before)", "检索截止日（公开日不晚于）"),
    "basis": ("Trend basis", "趋势统计口径"),
    "period": ("Period", "时间范围"),
    "generated": ("Generated", "生成时间"),
    "load_runs": ("Corpus load runs", "数据加载批次"),
    "backend": ("Search backend", "检索后端"),
    "total": ("Documents in scope", "范围内文献量"),
    "applicant_count": ("Distinct applicants (harmonised names)", "申请人数量（名称规范化后）"),
    "incomplete_note": ("Years after {year} are incomplete: applications are published about 18 months after filing.",
                        "{year}年以后的数据不完整：专利申请通常在申请后约18个月公开。"),
    "year": ("Year", "年份"),
    "applicants_col": ("Applicants", "申请人数"),
    "growth": ("Change %", "增长率 %"),
    "incomplete": ("incomplete", "不完整"),
    "rgr": ("Relative growth rate", "相对增长率"),
    "stage": ("Life-cycle stage", "技术生命周期"),
    "country": ("Country", "国家/地区"),
    "place": ("Province / city", "省份/城市"),
    "domestic": ("Domestic", "国内"),
    "foreign": ("Foreign only", "仅国外"),
    "applicant": ("Applicant", "申请人"),
    "share": ("Share %", "占比 %"),
    "cr4": ("CR4", "CR4"),
    "hhi": ("HHI", "HHI"),
    "new_entrants": ("New entrants", "新进入者"),
    "first_year": ("First year", "首次申请年"),
    "subgroup": ("IPC subgroup", "IPC小组"),
    "hotspots": ("Hotspots (fastest-growing subgroups)", "技术热点（增长最快的小组）"),
    "emerging": ("Emerging terms", "新兴技术词"),
    "term": ("Term", "词语"),
    "change_pp": ("Share change (pp)", "占比变化（百分点）"),
    "pn": ("Publication", "公开号"),
    "title": ("Title", "名称"),
    "owner": ("Owner", "权利人"),
    "cited_by": ("Cited by (in corpus)", "被引次数（库内）"),
    "claims": ("Claims", "权利要求数"),
    "priorities": ("Priorities", "优先权数"),
    "expiry": ("Estimated expiry", "预计届满日"),
    "basis_event": ("from a legal event", "依法律事件"),
    "basis_estimate": ("estimate", "估算"),
    "expiring_soon": ("Estimated to expire within {years} years: {n}", "预计{years}年内届满：{n}件"),
    "expiry_label": ("Expiry dates come from a lapse or expiry event where the legal-status data has one; "
                     "otherwise they are estimates: statutory term only, no term adjustment or extension.",
                     "有法律状态数据记载失效或届满事件的，届满日取该事件日期；其余为估算值：仅按法定保护期计算，"
                     "未考虑期限调整或延长。"),
    "severity": ("Severity", "级别"),
    "alert": ("Alert", "预警"),
    "evidence": ("Evidence", "依据"),
    "no_alerts": ("No alerts.", "无预警。"),
    "stage_inception": ("inception", "萌芽期"),
    "stage_growth": ("growth", "成长期"),
    "stage_maturity": ("maturity", "成熟期"),
    "stage_decline": ("decline", "衰退期"),
    "faster": ("faster", "快于"),
    "slower": ("slower", "慢于"),
    "c_stage": ("The field is in its {stage} stage: applications {a}, applicants {p} window on window.",
                "该领域处于{stage}：与前期相比，申请量变化{a}，申请人数量变化{p}。"),
    "c_growth": ("Filings grew {rate}% a year from {a} to {b}; relative growth rate {rgr} ({pace} than patenting "
                 "overall).",
                 "{a}至{b}年申请量年均增长{rate}%；相对增长率{rgr}（{pace}全部领域）。"),
    "c_leader": ("{name} leads with {share}% of applicant documents, among {n} applicants.",
                 "{name}居首，占申请人文献的{share}%，共{n}个申请人。"),
    "c_concentration": ("The top four applicants hold {cr4}% ({cr4_band}); HHI {hhi} ({hhi_band}).",
                        "前四位申请人占{cr4}%（{cr4_band}）；HHI为{hhi}（{hhi_band}）。"),
    "c_regions": ("{domestic} documents have an owner from {home}; {foreign} have foreign owners only.",
                  "{domestic}件文献有{home}权利人；{foreign}件仅有国外权利人。"),
    "c_hotspots": ("Fastest-growing subgroups: {codes}.", "增长最快的技术小组：{codes}。"),
    "c_expiry": ("{n} patents are estimated to expire within {years} years.", "预计{years}年内届满的专利{n}件。"),
    "c_alerts": ("{n} early-warning alerts ({red} red).", "预警{n}条（红色{red}条）。"),
    "chart_trend": ("Documents and applicants per year", "年度文献量与申请人数"),
    "chart_life": ("Life cycle (applicants vs documents)", "技术生命周期（申请人数与文献量）"),
    "chart_applicants": ("Top applicants", "主要申请人"),
    "chart_countries": ("Applicant countries", "申请人国别"),
    "chart_ipc": ("IPC subgroups", "IPC小组分布"),
    "synthetic_note": ("Synthetic documents (US 90000000+) are generated demo data, not real patents.",
                       "合成文献（US 90000000+）为演示数据，并非真实专利。"),
    "unconcentrated": ("unconcentrated", "低集中度"),
    "moderately concentrated": ("moderately concentrated", "中等集中度"),
    "highly concentrated": ("highly concentrated", "高集中度"),
    "highly oligopolistic": ("highly oligopolistic", "高度寡占"),
    "oligopolistic": ("oligopolistic", "寡占"),
    "competitive": ("competitive", "竞争型"),
}

STRINGS: dict[str, dict[str, str]] = {lang: {key: pair[i] for key, pair in _TEXT.items()}
                                      for i, lang in enumerate(LANGUAGES)}


def text(lang: Language) -> dict[str, str]:
    return STRINGS[lang]
