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
    "colon": (": ", "："),  # after a label, as the pages write it
    "shown_zone": ("(Beijing time, UTC+8)", "（北京时间）"),
    # provenance, for whoever computes the report again: said as a reader of the report would
    "load_runs": ("Data batches searched (numbers, for re-computing this report)",
                  "检索的数据批次（编号，供复核本报告）"),
    "backend": ("Search engine", "检索引擎"),
    "total": ("Documents in scope", "范围内文献量"),
    "applicant_count": ("Distinct applicants (harmonised names)", "申请人数量（名称规范化后）"),
    "incomplete_note_lag": ("Publication lag: applications are published about {lag} months after their filing or "
                            "priority date, so documents whose {basis} is after {through} (within {lag} months of "
                            "the data's latest publication, {as_of}) are not all in the data yet. Those years are "
                            "shown, marked incomplete; every rate (growth, life cycle, hotspots, emerging terms) "
                            "uses only the complete years up to {year}.",
                            "公开滞后：专利申请通常在申请日或优先权日后约{lag}个月才公开，因此{basis}晚于{through}的文献"
                            "（数据最新公开日{as_of}之前{lag}个月内）尚未全部收录。这些年份照常列出并标为不完整；"
                            "所有比率（增长率、生命周期、技术热点、新兴技术词）仅使用截至{year}年的完整年份。"),
    "incomplete_note_data_end": ("The data's newest {basis} is {latest}, although its latest publication is {as_of}: "
                                 "it holds no document dated later (a sample, or grants only), so the years after "
                                 "are unknown rather than empty. They are shown, marked incomplete; every rate "
                                 "(growth, life cycle, hotspots, emerging terms) uses only the complete years up to "
                                 "{year}.",
                                 "数据中最新的{basis}为{latest}，而其最新公开日为{as_of}：此后日期的文献数据中一件也没有"
                                 "（样本数据或仅含授权文献），因此其后的年份属于未知而非为零。这些年份照常列出并标为不完整；"
                                 "所有比率（增长率、生命周期、技术热点、新兴技术词）仅使用截至{year}年的完整年份。"),
    "incomplete_note_publication": ("Publication years are complete up to the data's latest publication ({as_of}); "
                                    "every rate uses only the complete years up to {year}.",
                                    "公开年份的数据截至数据最新公开日（{as_of}）完整；所有比率仅使用截至{year}年的完整年份。"),
    "counting": ("Counting unit", "统计单位"),
    "unit_family": ("Simple patent families", "简单同族"),
    "unit_document": ("Documents (publications)", "文献（公开文本）"),
    "counting_family": ("Counts are of simple patent families, as in WIPO patent landscape reports: {families} "
                        "families from {documents} documents; {docdb} documents carry a DOCDB family id, the others "
                        "are grouped by shared priority claims. A family counts once, in the year of its earliest "
                        "member. Key patents, expiry dates and term shares are per document.",
                        "统计单位为简单同族（与WIPO专利态势报告一致）：{documents}件文献合并为{families}个同族，"
                        "其中{docdb}件文献带有DOCDB同族号，其余按相同优先权归并。每个同族只计一次，计入其最早成员"
                        "所在年份。重点专利、届满日与技术词占比按文献统计。"),
    "counting_document": ("Counts are of documents (publications): {documents} documents, {families} simple "
                          "families; an invention published in several countries or stages counts once per "
                          "publication.",
                          "统计单位为文献（公开文本）：共{documents}件文献，{families}个简单同族；同一发明在多个国家"
                          "或阶段公开的，每个公开文本各计一次。"),
    "families": ("Families", "同族数"),
    "total_family": ("Families in scope", "范围内同族数"),
    "data_as_of": ("Latest publication in the data", "数据最新公开日"),
    "complete_through": ("Complete up to ({basis})", "数据完整截至（{basis}）"),
    "basis_filing": ("Filing date", "申请日"),
    "basis_priority": ("Priority date", "优先权日"),
    "basis_publication": ("Publication date", "公开日"),
    "backend_elasticsearch": ("Elasticsearch server", "Elasticsearch 检索服务器"),
    "backend_embedded": ("Embedded store (SQLite)", "内置检索库（SQLite）"),
    "severity_red": ("red", "红色"),
    "severity_yellow": ("yellow", "黄色"),
    "outside_share": ("Outside the scope (earlier → recent, %)", "范围外（前期 → 近期，%）"),
    "expected_share": ("Expected recent share (%)", "预期近期占比（%）"),
    "excess": ("Above the expected share (pp)", "高出预期占比（百分点）"),
    "emerging_note": ("A term is emerging when its share of the scope's documents grows by at least {excess} "
                      "points and ends at least {excess} points, and {z} standard errors of chance, above the share "
                      "it would have had, had it grown as it did in the documents outside the scope (relatively or "
                      "in points, whichever is more): drafting fashion that grows everywhere, and the rise a scope "
                      "of this size shows by chance, are not emerging. Claim wording (comprising, respective, "
                      "configured to), the verbs of method steps (receiving, determining) and function words are "
                      "left out. Term shares are shares of documents.",
                      "技术词须满足：在本领域文献中的占比至少增长{excess}个百分点，且比按其在范围外文献中的增长"
                      "（按相对增幅或百分点，取较大者）推算的占比至少高出{excess}个百分点，并超出偶然波动的{z}个"
                      "标准误差，方视为新兴技术词；在各领域普遍增长的撰写用语，以及这一规模的范围仅凭偶然即可出现的"
                      "增长，均不视为新兴。权利要求撰写用语（如“包括”“相应的”“被配置为”）、方法步骤的通用动词"
                      "（如“接收”“确定”）及虚词不参与统计。技术词占比按文献统计。"),
    "not_used_outside": ("not used outside the scope", "范围外未使用"),
    "year": ("Year", "年份"),
    "applicants_col": ("Applicants", "申请人数"),
    "growth": ("Change %", "变化率 %"),  # a year on the year before: it can fall (the dashboard's words)
    "hot_growth": ("Growth %", "增长率 %"),  # a hotspot subgroup: listed only when it grew
    "incomplete": ("incomplete", "不完整"),
    "rgr": ("Relative growth rate", "相对增长率"),
    "stage": ("Life-cycle stage", "技术生命周期"),
    "country": ("Country", "国家/地区"),
    "place": ("Province / city", "省份/城市"),
    "division_code": ("GB/T 2260 code", "行政区划代码"),
    "of_which": ("of which ", "其中："),
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
    "none": ("None.", "无。"),
    "all_years": ("All the years in the data", "数据中的全部年份"),
    "new_subgroup": ("new", "新出现"),
    "no_hotspots": ("No IPC subgroup grew from the earlier window to the recent one.",
                    "近期窗口中没有比前期窗口增长的 IPC 小组。"),
    "short_period": ("The period is too short to compare two windows of complete years: no growth rate, "
                     "life-cycle stage, hotspot or emerging term is drawn from it.",
                     "所选时段太短，无法比较前后两个完整年份窗口：不据此给出增长率、生命周期阶段、技术热点或新兴技术词。"),
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
    "c_leader": ("{name} leads with {share}% of applicant {units}, among {n} applicants.",
                 "{name}居首，占申请人{units}的{share}%，共{n}个申请人。"),
    "c_concentration": ("The top four applicants hold {cr4}% ({cr4_band}); HHI {hhi} ({hhi_band}).",
                        "前四位申请人占{cr4}%（{cr4_band}）；HHI为{hhi}（{hhi_band}）。"),
    "c_regions": ("{domestic} {counted} have an owner from {home}; {foreign} have foreign owners only.",
                  "{domestic}{counted}有{home}权利人；{foreign}{counted}仅有国外权利人。"),
    "units_family": ("families", "同族"),
    "units_document": ("documents", "文献"),
    "counted_family": ("families", "个同族"),
    "counted_document": ("documents", "件文献"),
    "c_hotspots": ("Fastest-growing subgroups: {codes}.", "增长最快的技术小组：{codes}。"),
    "c_expiry": ("{n} patents are estimated to expire within {years} years.", "预计{years}年内届满的专利{n}件。"),
    "c_alerts": ("{n} early-warning alerts ({red} red).", "预警{n}条（红色{red}条）。"),
    "chart_trend": ("{unit} and applicants per year", "年度{unit}与申请人数"),
    "chart_life": ("Life cycle (applicants vs {unit})", "技术生命周期（申请人数与{unit}）"),
    "chart_applicants": ("Top applicants", "主要申请人"),
    "chart_countries": ("Applicant countries", "申请人国别"),
    "chart_ipc": ("IPC subgroups", "IPC小组分布"),
    "synthetic_note": ("Synthetic documents (numbered 90000000 and up, abstracts starting [SYNTHETIC]) are generated "
                       "demo or test data, not real patents.",
                       "合成文献（编号自90000000起，摘要以[SYNTHETIC]开头）为生成的演示或测试数据，并非真实专利。"),
    "unconcentrated": ("unconcentrated", "非集中"),
    "moderately concentrated": ("moderately concentrated", "中度集中"),
    "highly concentrated": ("highly concentrated", "高度集中"),
    "highly oligopolistic": ("highly oligopolistic", "高度寡占"),
    "oligopolistic": ("oligopolistic", "寡占"),
    "competitive": ("competitive", "竞争型"),
}

STRINGS: dict[str, dict[str, str]] = {lang: {key: pair[i] for key, pair in _TEXT.items()}
                                      for i, lang in enumerate(LANGUAGES)}


def text(lang: Language) -> dict[str, str]:
    return STRINGS[lang]
