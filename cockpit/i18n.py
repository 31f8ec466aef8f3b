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
