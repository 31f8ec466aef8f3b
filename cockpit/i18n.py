"""Every user-facing string in English and Simplified Chinese. tests/test_i18n.py checks both exist."""
from __future__ import annotations

LANGS = ("en", "zh")

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {"en": "Customer Cockpit", "zh": "外贸客户精细化管理看板"},
    "app_tagline": {"en": "Customer management for export companies", "zh": "外贸企业客户精细化管理"},
    "language": {"en": "Language / 语言", "zh": "语言 / Language"},
    "filters": {"en": "Filters", "zh": "筛选"},
    "period": {"en": "Period", "zh": "期间"},
    "period_preset": {"en": "Quarter", "zh": "季度"},
    "custom_range": {"en": "Custom range", "zh": "自定义区间"},
    "all_data": {"en": "All data", "zh": "全部数据"},
    "date_range": {"en": "From – to (both inclusive)", "zh": "起止日期（含首尾）"},
    "countries": {"en": "Countries", "zh": "国家/地区"},
    "regions": {"en": "Regions", "zh": "区域"},
    "reps": {"en": "Sales reps", "zh": "业务员"},
    "segments": {"en": "Segments", "zh": "客户等级"},
    "all": {"en": "All", "zh": "全部"},
    "none_value": {"en": "(none)", "zh": "（空）"},
    "no_owner": {"en": "(no owner)", "zh": "（无负责人）"},
    "no_segment": {"en": "(no segment)", "zh": "（未分级）"},
    "reset_filters": {"en": "Reset filters", "zh": "重置筛选"},
    "filter_period": {"en": "Period {period}", "zh": "期间 {period}"},
    "period_range": {"en": "{start} to {end}", "zh": "{start} 至 {end}"},
    "filter_countries": {"en": "countries: {items}", "zh": "国家/地区：{items}"},
    "filter_all_countries": {"en": "all countries", "zh": "全部国家/地区"},
    "filter_regions": {"en": "regions: {items}", "zh": "区域：{items}"},
    "filter_all_regions": {"en": "all regions", "zh": "全部区域"},
    "filter_reps": {"en": "sales reps: {items}", "zh": "业务员：{items}"},
    "filter_all_reps": {"en": "all sales reps", "zh": "全部业务员"},
    "filter_segments": {"en": "segments: {items}", "zh": "客户等级：{items}"},
    "filter_all_segments": {"en": "all segments", "zh": "全部客户等级"},
    "list_sep": {"en": ", ", "zh": "、"},
    "sentence_sep": {"en": "; ", "zh": "；"},
    "sentence_end": {"en": ".", "zh": "。"},
    "and_more": {"en": " and {n} more", "zh": " 等另外 {n} 项"},
    "showing": {"en": "Showing: {text}", "zh": "当前视图：{text}"},
    "bad_url_value": {"en": "Ignored a value in the link that is not valid here: {value}",
                      "zh": "已忽略链接中的无效值：{value}"},
    "unknown": {"en": "Unknown", "zh": "未知"},
    # pages
    "page_overview": {"en": "Overview", "zh": "总览"},
    # KPIs
    "kpi_revenue": {"en": "Revenue", "zh": "销售额"},
    "kpi_revenue_cur": {"en": "Revenue ({currency})", "zh": "销售额（{currency}）"},
    "kpi_orders": {"en": "Orders", "zh": "订单数"},
    "kpi_active_customers": {"en": "Active customers", "zh": "活跃客户"},
    "kpi_new_customers": {"en": "New customers", "zh": "新客户"},
    "kpi_complaints_received": {"en": "Complaints received", "zh": "收到客诉"},
    "vs_previous": {"en": "vs previous period ({period})", "zh": "较上期（{period}）"},
    "help_revenue": {"en": "Net sum of order lines in the period, in {currency}; returns and cancellations subtract.",
                     "zh": "期间内订单行净额（{currency}），退货与取消为负数。"},
    "help_orders": {"en": "Distinct order numbers with a line in the period.", "zh": "期间内有订单行的不同订单号数量。"},
    "help_active_customers": {"en": "Customers with at least one positive order line in the period.",
                              "zh": "期间内至少有一笔正向订单行的客户数。"},
    "help_new_customers": {"en": "Customers whose first ever order falls in the period.", "zh": "首单落在期间内的客户数。"},
    "help_complaints_received": {"en": "Complaints received in the period, by the customer's country.",
                                 "zh": "期间内收到的客诉数（按客户所在国家）。"},
    "chart_revenue_by_month": {"en": "Revenue by month ({currency})", "zh": "月度销售额（{currency}）"},
    "chart_revenue_by_country": {"en": "Revenue by country ({currency})", "zh": "各国销售额（{currency}）"},
    "axis_month": {"en": "Month", "zh": "月份"},
    "axis_revenue": {"en": "Revenue ({currency})", "zh": "销售额（{currency}）"},
    "axis_country": {"en": "Country", "zh": "国家/地区"},
    "col_country": {"en": "Country", "zh": "国家/地区"},
    "col_revenue": {"en": "Revenue ({currency})", "zh": "销售额（{currency}）"},
    "col_share": {"en": "Share", "zh": "占比"},
    "no_data": {"en": "No orders match these filters. Widen the period or clear a filter.",
                "zh": "没有符合筛选条件的订单。请放宽期间或清除某个筛选。"},
    "download_csv": {"en": "Download CSV", "zh": "下载 CSV"},
    "download_xlsx": {"en": "Download Excel", "zh": "下载 Excel"},
    "building_sample": {"en": "First start: building the sample company's database…", "zh": "首次启动：正在生成示例公司数据库…"},
    "db_missing": {"en": "No database at {path}. Import your exports with: python -m cockpit import FILES --db {path}",
                   "zh": "未找到数据库 {path}。请先导入：python -m cockpit import 文件 --db {path}"},
    "data_as_of": {"en": "Data from {first} to {last}; amounts in {currency}.", "zh": "数据期间 {first} 至 {last}；金额单位 {currency}。"},
    "overview_caption": {"en": "Headline numbers for the selected period, each compared with the period before.",
                         "zh": "所选期间的核心指标，并与上一期比较。"},
    "top_countries": {"en": "Top countries", "zh": "主要国家/地区"},
    "million": {"en": "M", "zh": "百万"},
    # churn
    "page_churn": {"en": "Churn", "zh": "客户流失"},
    "churn_caption": {"en": "Who is drifting away, who could become big, and how each cohort keeps buying. Status is judged as of the last day of the period ({as_of}).",
                      "zh": "谁在流失、谁有成为大客户的潜力、各批客户的复购情况。状态按期末（{as_of}）判断。"},
    "rules_title": {"en": "Reorder-rhythm rules", "zh": "复购节奏规则"},
    "rules_words": {"en": "A customer with 3 or more order dates is at risk after {risk} × their usual interval (median gap between orders) without an order, and lapsed after {lapse} × or {lapse_days} days; with fewer order dates, at risk after {few} days and lapsed after {lapse_days} days.",
                    "zh": "有 3 个及以上下单日期的客户：超过其惯常间隔（下单间隔中位数）的 {risk} 倍未下单为“有风险”，超过 {lapse} 倍或 {lapse_days} 天为“已流失”；下单日期少于 3 个的客户：{few} 天未下单为“有风险”，{lapse_days} 天为“已流失”。"},
    "rule_risk_multiple": {"en": "At risk after × usual interval", "zh": "有风险：惯常间隔的倍数"},
    "rule_lapse_multiple": {"en": "Lapsed after × usual interval", "zh": "已流失：惯常间隔的倍数"},
    "rule_lapse_days": {"en": "Lapsed after days (any customer)", "zh": "已流失：天数（所有客户）"},
    "rule_few_risk_days": {"en": "At risk after days (under 3 order dates)", "zh": "有风险：天数（下单少于 3 次）"},
    "kpi_at_risk_customers": {"en": "At-risk customers", "zh": "有风险客户"},
    "kpi_lapsed_customers": {"en": "Lapsed customers", "zh": "已流失客户"},
    "kpi_revenue_at_risk": {"en": "Revenue at stake ({currency}, 12 m)", "zh": "风险销售额（{currency}，近12月）"},
    "kpi_nrr_pct": {"en": "Net revenue retention", "zh": "净收入留存率 NRR"},
    "kpi_grr_pct": {"en": "Gross revenue retention", "zh": "总收入留存率 GRR"},
    "help_at_risk_customers": {"en": "Customers whose silence exceeds the at-risk rule but not the lapse rule, as of the period end.", "zh": "期末时未下单时间超过“有风险”规则但未达“流失”规则的客户数。"},
    "help_lapsed_customers": {"en": "Customers whose silence exceeds the lapse rule, as of the period end.", "zh": "期末时未下单时间超过“流失”规则的客户数。"},
    "help_revenue_at_risk": {"en": "Last-12-month revenue of at-risk and lapsed customers.", "zh": "有风险与已流失客户近 12 个月的销售额。"},
    "help_nrr_pct": {"en": "Revenue of the last 12 months from customers who bought in the 12 months before, divided by what they bought then.", "zh": "前 12 个月有购买的客户在近 12 个月的销售额 ÷ 他们前 12 个月的销售额。"},
    "help_grr_pct": {"en": "As NRR, but each customer's growth is capped at what they bought before: only losses count.", "zh": "与 NRR 相同，但每个客户的增长以原值为上限：只计算流失与缩减。"},
    "status_active": {"en": "Active", "zh": "正常"},
    "status_at_risk": {"en": "At risk", "zh": "有风险"},
    "status_lapsed": {"en": "Lapsed", "zh": "已流失"},
    "flagged_title": {"en": "At-risk and lapsed customers", "zh": "有风险与已流失客户"},
    "flagged_caption": {"en": "Customers with open complaints first, then by revenue at stake.", "zh": "有未结客诉的客户排在前面，其余按风险销售额排序。"},
    "reason_gap": {"en": "no order for {ratio} × the usual interval ({usual} days)", "zh": "已超过惯常间隔（{usual} 天）的 {ratio} 倍未下单"},
    "reason_days": {"en": "no order for {days} days", "zh": "已 {days} 天未下单"},
    "reason_value": {"en": "order value {pct} against last year", "zh": "订单额较去年 {pct}"},
    "reason_complaints": {"en": "{n} open complaint(s)", "zh": "{n} 个未结客诉"},
    "list_sep_reason": {"en": "; ", "zh": "；"},
    "col_customer": {"en": "Customer", "zh": "客户"},
    "col_customer_id": {"en": "Customer ID", "zh": "客户编号"},
    "col_status": {"en": "Status", "zh": "状态"},
    "col_reason": {"en": "Reason", "zh": "原因"},
    "col_rep": {"en": "Owner", "zh": "负责人"},
    "col_segment": {"en": "Segment", "zh": "等级"},
    "col_last_order": {"en": "Last order", "zh": "最近下单"},
    "col_days_since": {"en": "Days since", "zh": "未下单天数"},
    "col_revenue_l12m": {"en": "Revenue 12 m ({currency})", "zh": "近12月销售额（{currency}）"},
    "col_revenue_prior": {"en": "Revenue prior 12 m ({currency})", "zh": "前12月销售额（{currency}）"},
    "col_growth": {"en": "Growth 12 m ({currency})", "zh": "近12月增长（{currency}）"},
    "col_largest_order": {"en": "Largest order 12 m ({currency})", "zh": "近12月最大订单（{currency}）"},
    "col_open_complaints": {"en": "Open complaints", "zh": "未结客诉"},
    "col_channel": {"en": "Source", "zh": "来源"},
    "col_first_contact": {"en": "First contact", "zh": "首次接触"},
    "col_cohort": {"en": "Cohort", "zh": "批次"},
    "funnel_title": {"en": "Lifecycle funnel", "zh": "客户生命周期漏斗"},
    "funnel_caption": {"en": "Customers by the furthest step reached, first contacted up to the period end; the last step is repeat customers who bought in the period. Cohort = quarter of first contact.",
                       "zh": "按客户到达的最远阶段统计（首次接触不晚于期末）；最后一步为本期有购买的复购客户。批次 = 首次接触的季度。"},
    "funnel_no_pipeline": {"en": "This data has no pipeline events (inquiry, quote, sample), so the funnel starts at the first order.",
                           "zh": "当前数据没有商机阶段记录（询盘、报价、寄样），漏斗从首单开始。"},
    "funnel_cohorts": {"en": "Cohorts (quarter of first contact)", "zh": "批次（首次接触季度）"},
    "funnel_channels": {"en": "Source channels", "zh": "客户来源"},
    "funnel_stopped_at": {"en": "List the customers who stopped at", "zh": "查看停在此阶段的客户"},
    "chart_funnel": {"en": "Customers reaching each step (conversion from the step before)", "zh": "各阶段客户数（括号内为上一步转化率）"},
    "step_inquiry": {"en": "Inquiry", "zh": "询盘"},
    "step_quote": {"en": "Quote", "zh": "报价"},
    "step_sample": {"en": "Sample", "zh": "寄样"},
    "step_first_order": {"en": "First order", "zh": "首单"},
    "step_repeat": {"en": "Repeat order (2+)", "zh": "复购（2 次及以上）"},
    "step_active": {"en": "Active in period", "zh": "本期活跃"},
    "cohorts_title": {"en": "Cohort retention", "zh": "分批留存"},
    "cohorts_caption": {"en": "Each row is the quarter of a customer's first order; each column the quarters since. Cells: share of the cohort still buying, or revenue against the first quarter. The first cohort also holds every customer who was already buying when the data starts.",
                        "zh": "每行是客户首单所在季度，每列是此后的季度数。格内为仍在购买的客户占比，或相对首季度的销售额。第一批也包含数据开始前已在购买的客户。"},
    "cohort_measure": {"en": "Measure", "zh": "口径"},
    "measure_customers": {"en": "Customers", "zh": "客户数"},
    "measure_revenue": {"en": "Revenue", "zh": "销售额"},
    "chart_cohort_customers": {"en": "Share of each cohort still buying (%)", "zh": "各批客户仍在购买的比例（%）"},
    "chart_cohort_revenue": {"en": "Revenue against the cohort's first quarter (%)", "zh": "相对首季度的销售额（%）"},
    "axis_quarters_since": {"en": "Quarters since first order", "zh": "首单后的季度数"},
    "axis_first_order_quarter": {"en": "First-order quarter", "zh": "首单季度"},
    "heat_hover": {"en": "%{y}, +%{x}: %{z:.1f} %", "zh": "%{y}，%{x}：%{z:.1f} %"},
    "chart_nrr_grr": {"en": "Revenue retention, trailing 12 months (%)", "zh": "收入留存率（滚动 12 个月，%）"},
    "hidden_title": {"en": "Hidden big accounts", "zh": "潜力大客户"},
    "hidden_caption": {"en": "Top 20 % by 12-month growth or largest single order, yet graded {segments} or without an owner.",
                       "zh": "近 12 个月增长或单笔最大订单位列前 20%，但等级为 {segments} 或无负责人。"},
    "low_segments": {"en": "Segments counted as low", "zh": "视为低等级的客户等级"},
    "former_top_title": {"en": "Former top customers going quiet", "zh": "沉寂中的原大客户"},
    "former_top_caption": {"en": "Top 20 % by revenue in the prior 12 months, now down by half or more, or at risk / lapsed.",
                           "zh": "前 12 个月销售额前 20% 的客户，近 12 个月下降一半以上，或已有风险/流失。"},
    "complaints_churn_title": {"en": "Complaints and churn", "zh": "客诉与流失"},
    "complaints_churn_text": {"en": "Lapse rate of customers with at least one complaint: {with_rate}; without: {without_rate}.",
                              "zh": "有过客诉的客户流失率：{with_rate}；无客诉客户：{without_rate}。"},
    "col_group": {"en": "Group", "zh": "分组"},
    "with_complaints": {"en": "With complaints", "zh": "有客诉"},
    "without_complaints": {"en": "Without complaints", "zh": "无客诉"},
    "col_customers": {"en": "Customers", "zh": "客户数"},
    "col_lapsed": {"en": "Lapsed", "zh": "已流失"},
    "col_at_risk": {"en": "At risk", "zh": "有风险"},
    "col_lapse_rate": {"en": "Lapse rate", "zh": "流失率"},
    "none_found": {"en": "None found with these filters.", "zh": "当前筛选下没有符合条件的客户。"},
    "date_from": {"en": "From", "zh": "开始日期"},
    "date_to": {"en": "To", "zh": "结束日期"},
    "dates_swapped": {"en": "The end date was before the start date; the two were swapped.", "zh": "结束日期早于开始日期，已互换。"},
    "sales_region": {"en": "sales region", "zh": "销售区域"},
    "same_month_last_year": {"en": "Same month last year", "zh": "去年同月"},
    "share_of_revenue": {"en": "share of revenue", "zh": "销售额占比"},
    "prev_period_words": {"en": "vs {period}", "zh": "较 {period}"},
}


def t(key: str, lang: str = "en", **kwargs) -> str:
    entry = STRINGS.get(key)
    if entry is None:
        raise KeyError(f"no string '{key}'")
    text = entry.get(lang) or entry["en"]
    return text.format(**kwargs) if kwargs else text


def fmt_money(value, currency: str, lang: str = "en", compact: bool = True) -> str:
    """USD 1.23 M / USD 12,345 in English; 123.4 万 USD / 1.23 亿 USD in Chinese."""
    if value is None or value != value:
        return "—"
    v = float(value)
    sign = "−" if v < 0 else ""
    a = abs(v)
    if lang == "zh" and compact:
        if a >= 1e8:
            return f"{sign}{a / 1e8:,.2f} 亿 {currency}"
        if a >= 1e4:
            return f"{sign}{a / 1e4:,.1f} 万 {currency}"
        return f"{sign}{a:,.0f} {currency}"
    if compact and a >= 1e6:
        return f"{currency} {sign}{a / 1e6:,.2f} M"
    if compact and a >= 1e4:
        return f"{currency} {sign}{a / 1e3:,.1f} k"
    return f"{currency} {sign}{a:,.0f}"


def fmt_amount(value, lang: str = "en") -> str:
    """Money without the currency (the label carries it): '9.74 M' / '974.4 万'; short enough for a KPI card."""
    return fmt_money(value, "", lang).replace("  ", " ").strip()


def fmt_int(value) -> str:
    if value is None or value != value:
        return "—"
    return f"{int(round(float(value))):,}"


def fmt_pct(value, digits: int = 1, signed: bool = False, ascii_minus: bool = False) -> str:
    """'12.3 %'; signed: '+12.3 %' / '−4.5 %' (ascii_minus for st.metric, which reads a leading '-' as down)."""
    if value is None or value != value:
        return "—"
    s = f"{float(value):+,.{digits}f} %" if signed else f"{float(value):,.{digits}f} %"
    return s if ascii_minus else s.replace("-", "−")
