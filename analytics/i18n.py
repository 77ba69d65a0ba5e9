"""Report wording in English and Chinese (section titles follow WIPO patent landscape report
guidelines and GB/T 39551-2020 practice)."""

from __future__ import annotations

from core.i18n import Language

SECTIONS = ["scope", "strategy", "data", "trends", "regions", "applicants", "technology", "key_patents", "alerts",
            "conclusions"]

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "report_title": "Patent early-warning report: {name}",
        "scope": "Scope and technology breakdown", "strategy": "Search strategy and cut-off date",
        "data": "Data description", "trends": "Trends", "regions": "Regions", "applicants": "Applicants",
        "technology": "Technology composition", "key_patents": "Key patents", "alerts": "Alerts",
        "conclusions": "Conclusions",
        "branch": "Branch", "query": "Query", "documents": "Documents", "recent": "Recent window",
        "earlier": "Earlier window", "annual_rate": "Annual growth %",
        "cutoff": "Search cut-off date (publication date on or before)", "basis": "Trend basis",
        "period": "Period", "generated": "Generated", "load_runs": "Corpus load runs", "backend": "Search backend",
        "total": "Documents in scope", "applicant_count": "Distinct applicants (harmonised names)",
        "incomplete_note": "Years after {year} are incomplete: applications are published about 18 months after "
                           "filing.",
        "year": "Year", "applicants_col": "Applicants", "growth": "Change %", "incomplete": "incomplete",
        "rgr": "Relative growth rate", "stage": "Life-cycle stage",
        "country": "Country", "place": "Province / city", "domestic": "Domestic", "foreign": "Foreign only",
        "applicant": "Applicant", "share": "Share %", "cr4": "CR4", "hhi": "HHI", "new_entrants": "New entrants",
        "first_year": "First year", "subgroup": "IPC subgroup", "hotspots": "Hotspots (fastest-growing subgroups)",
        "emerging": "Emerging terms", "term": "Term", "change_pp": "Share change (pp)",
        "pn": "Publication", "title": "Title", "owner": "Owner", "cited_by": "Cited by (in corpus)",
        "claims": "Claims", "priorities": "Priorities", "expiry": "Estimated expiry",
        "expiring_soon": "Estimated to expire within {years} years: {n}",
        "expiry_label": "Expiry dates are estimates: statutory term only, no term adjustment, extension or lapse.",
        "severity": "Severity", "alert": "Alert", "evidence": "Evidence", "no_alerts": "No alerts.",
        "stage_inception": "inception", "stage_growth": "growth", "stage_maturity": "maturity",
        "stage_decline": "decline", "faster": "faster", "slower": "slower",
        "c_stage": "The field is in its {stage} stage: applications {a}, applicants {p} window on window.",
        "c_growth": "Filings grew {rate}% a year from {a} to {b}; relative growth rate {rgr} ({pace} than "
                    "patenting overall).",
        "c_leader": "{name} leads with {share}% of applicant documents, among {n} applicants.",
        "c_concentration": "The top four applicants hold {cr4}% ({cr4_band}); HHI {hhi} ({hhi_band}).",
        "c_regions": "{domestic} documents have an owner from {home}; {foreign} have foreign owners only.",
        "c_hotspots": "Fastest-growing subgroups: {codes}.",
        "c_expiry": "{n} patents are estimated to expire within {years} years.",
        "c_alerts": "{n} early-warning alerts ({red} red).",
        "chart_trend": "Documents and applicants per year", "chart_life": "Life cycle (applicants vs documents)",
        "chart_applicants": "Top applicants", "chart_countries": "Applicant countries",
        "chart_ipc": "IPC subgroups",
        "synthetic_note": "Synthetic documents (US 90000000+) are generated demo data, not real patents.",
    },
    "zh": {
        "report_title": "专利预警报告：{name}",
        "scope": "检索范围与技术分解", "strategy": "检索策略与检索截止日", "data": "数据说明", "trends": "申请趋势",
        "regions": "区域分布", "applicants": "主要申请人", "technology": "技术构成", "key_patents": "重点专利",
        "alerts": "预警", "conclusions": "结论",
        "branch": "技术分支", "query": "检索式", "documents": "文献量", "recent": "近期窗口", "earlier": "前期窗口",
        "annual_rate": "年均增长率 %",
        "cutoff": "检索截止日（公开日不晚于）", "basis": "趋势统计口径", "period": "时间范围", "generated": "生成时间",
        "load_runs": "数据加载批次", "backend": "检索后端",
        "total": "范围内文献量", "applicant_count": "申请人数量（名称规范化后）",
        "incomplete_note": "{year}年以后的数据不完整：专利申请通常在申请后约18个月公开。",
        "year": "年份", "applicants_col": "申请人数", "growth": "增长率 %", "incomplete": "不完整",
        "rgr": "相对增长率", "stage": "技术生命周期",
        "country": "国家/地区", "place": "省份/城市", "domestic": "国内", "foreign": "仅国外",
        "applicant": "申请人", "share": "占比 %", "cr4": "CR4", "hhi": "HHI", "new_entrants": "新进入者",
        "first_year": "首次申请年", "subgroup": "IPC小组", "hotspots": "技术热点（增长最快的小组）",
        "emerging": "新兴技术词", "term": "词语", "change_pp": "占比变化（百分点）",
        "pn": "公开号", "title": "名称", "owner": "权利人", "cited_by": "被引次数（库内）", "claims": "权利要求数",
        "priorities": "优先权数", "expiry": "预计届满日",
        "expiring_soon": "预计{years}年内届满：{n}件",
        "expiry_label": "届满日为估算值：仅按法定保护期计算，未考虑期限调整、延长或未缴年费失效。",
        "severity": "级别", "alert": "预警", "evidence": "依据", "no_alerts": "无预警。",
        "stage_inception": "萌芽期", "stage_growth": "成长期", "stage_maturity": "成熟期", "stage_decline": "衰退期",
        "faster": "快于", "slower": "慢于",
        "unconcentrated": "低集中度", "moderately concentrated": "中等集中度", "highly concentrated": "高集中度",
        "highly oligopolistic": "高度寡占", "oligopolistic": "寡占", "competitive": "竞争型",
        "c_stage": "该领域处于{stage}：与前期相比，申请量变化{a}，申请人数量变化{p}。",
        "c_growth": "{a}至{b}年申请量年均增长{rate}%；相对增长率{rgr}（{pace}全部领域）。",
        "c_leader": "{name}居首，占申请人文献的{share}%，共{n}个申请人。",
        "c_concentration": "前四位申请人占{cr4}%（{cr4_band}）；HHI为{hhi}（{hhi_band}）。",
        "c_regions": "{domestic}件文献有{home}权利人；{foreign}件仅有国外权利人。",
        "c_hotspots": "增长最快的技术小组：{codes}。",
        "c_expiry": "预计{years}年内届满的专利{n}件。",
        "c_alerts": "预警{n}条（红色{red}条）。",
        "chart_trend": "年度文献量与申请人数", "chart_life": "技术生命周期（申请人数与文献量）",
        "chart_applicants": "主要申请人", "chart_countries": "申请人国别", "chart_ipc": "IPC小组分布",
        "synthetic_note": "合成文献（US 90000000+）为演示数据，并非真实专利。",
    },
}


def text(lang: Language) -> dict[str, str]:
    return STRINGS[lang]
