"""The canonical data model: tables, their fields, value kinds, and the header aliases that map exports onto them.

docs/data-model.md documents the same tables; tests/test_docs.py checks the two agree.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # id | text | date | timestamp | money | number | country | currency | email | phone
    aliases: tuple[str, ...] = ()


def _f(name, kind, *aliases):
    return Field(name, kind, (name,) + aliases)


# Aliases are compared after normalise_header(): case, spaces, punctuation and underscores do not matter.
CUSTOMER_ID = ("customer id", "customerid", "customer no", "customer number", "customer code", "client id", "client code",
               "account", "account id", "account number", "buyer id", "cust id", "custno", "customer_unique_id",
               "客户编号", "客户id", "客户代码", "客户编码", "客户号", "客户ID")
CUSTOMER_NAME = ("customer name", "customer", "company", "company name", "companyname", "client", "client name",
                 "account name", "buyer", "buyer name", "客户名称", "客户", "公司名称", "客户全称", "买家", "买家会员名",
                 "买家昵称", "买家名称", "会员名")
COUNTRY = ("country", "country code", "country/region", "country region", "nation", "destination", "destination country",
           "ship country", "shipcountry", "billing country", "国家", "国家/地区", "国家地区", "国别", "目的国", "所在国家")

_CUSTOMER_FIELDS: tuple[Field, ...] = (
        _f("customer_id", "id", *CUSTOMER_ID),
        _f("customer_name", "text", *CUSTOMER_NAME),
        _f("country", "country", *COUNTRY),
        _f("city", "text", "city", "城市"),
        _f("sales_region", "text", "sales region", "sales area", "territory", "region", "销售区域", "片区", "大区"),
        _f("sales_rep", "text", "sales rep", "salesperson", "sales person", "owner", "account owner", "account manager",
           "rep", "sales", "业务员", "销售", "销售员", "负责人", "客户经理", "跟进人"),
        _f("segment", "text", "segment", "customer level", "grade", "tier", "level", "customer grade", "客户等级", "客户级别", "等级", "分级"),
        _f("industry", "text", "industry", "sector", "行业", "所属行业"),
        _f("source_channel", "text", "source", "lead source", "channel", "source channel", "客户来源", "来源", "渠道", "获客渠道"),
        _f("created_on", "date", "created", "created on", "created at", "create date", "creation date", "date created",
           "建档日期", "创建日期", "创建时间", "录入日期"),
        _f("updated_on", "date", "updated", "updated on", "updated at", "last modified", "modified", "last update",
           "更新日期", "更新时间", "最后修改", "修改时间"),
        _f("last_contact_on", "date", "last contact", "last contacted", "last contact date", "last activity",
           "最近联系", "最后联系日期", "最近联系日期", "最后跟进"),
        _f("email", "email", "email", "e-mail", "mail", "email address", "邮箱", "电子邮件", "电子邮箱"),
        _f("phone", "phone", "phone", "telephone", "tel", "mobile", "phone number", "电话", "手机", "联系电话"),
        _f("website", "text", "website", "web", "homepage", "url", "网站", "官网", "网址"),
)

TABLES: dict[str, tuple[Field, ...]] = {
    "customers": _CUSTOMER_FIELDS,
    "orders": (
        _f("order_id", "id", "order id", "orderid", "order no", "order number", "invoice", "invoice no", "invoiceno",
           "invoice number", "so number", "sales order", "订单号", "订单编号", "发票号", "单号", "合同号"),
        _f("line_no", "number", "line", "line no", "line number", "order line number", "item no", "order item id",
           "order_item_id", "行号", "项次", "订单行号"),
        _f("customer_id", "id", *CUSTOMER_ID),
        _f("customer_name", "text", *CUSTOMER_NAME),
        _f("country", "country", *COUNTRY),
        _f("sales_rep", "text", "sales rep", "salesperson", "sales person", "owner", "业务员", "销售员", "负责人"),
        _f("ordered_on", "date", "order date", "orderdate", "invoice date", "invoicedate", "date", "ordered on",
           "order_purchase_timestamp", "purchase date", "order time", "order created", "created at", "created",
           "paid at", "payment date", "下单日期", "订单日期", "日期", "开票日期", "成交日期", "下单时间",
           "订单创建时间", "创建时间", "付款时间", "支付时间"),
        _f("shipped_on", "date", "ship date", "shipped date", "shippeddate", "shipped on", "delivery date", "发货日期", "出运日期", "装运日期"),
        _f("product", "text", "product", "product name", "description", "item", "sku", "stock code", "stockcode",
           "product id", "productid", "product code", "产品", "产品名称", "品名", "货号", "商品", "商品名称", "商品编码"),
        _f("category", "text", "category", "product category", "product line", "类别", "产品类别", "品类"),
        _f("quantity", "number", "quantity", "qty", "units", "quantity ordered", "数量", "购买数量", "商品数量"),
        _f("unit_price", "money", "unit price", "unitprice", "price", "price each", "单价", "商品单价"),
        _f("discount", "number", "discount", "discount rate", "折扣"),
        # The amount actually paid first (a marketplace report lists the order total and what the buyer paid).
        _f("amount", "money", "amount", "amount paid", "paid amount", "buyer paid", "买家实际支付金额", "实付金额",
           "实收金额", "sales", "revenue", "net sales", "total", "line total", "value", "order value",
           "net amount", "金额", "销售额", "订单金额", "总金额", "合计", "成交金额", "货值"),
        _f("currency", "currency", "currency", "currency code", "curr", "币种", "币别", "货币"),
        # What a flat sales export says about its customers on every line: fills the customers no customer file
        # describes (the latest line wins; the import report counts conflicts). Same aliases as the customer fields.
        *[f for f in _CUSTOMER_FIELDS if f.name in ("city", "sales_region", "segment", "industry", "email", "phone")],
    ),
    "complaints": (
        _f("complaint_id", "id", "complaint id", "complaint no", "ticket", "ticket id", "ticket no", "case", "case id",
           "case number", "review_id", "客诉编号", "投诉编号", "工单号", "案件编号"),
        _f("customer_id", "id", *CUSTOMER_ID),
        _f("order_id", "id", "order id", "orderid", "order no", "order number", "订单号", "订单编号"),
        _f("received_at", "timestamp", "received", "received at", "date received", "opened", "opened at", "open time",
           "created", "created at", "open date", "date opened", "reported at", "submitted at", "review_creation_date",
           "投诉日期", "接收时间", "受理时间", "收到日期", "创建时间", "提交时间", "反馈时间"),
        _f("first_response_at", "timestamp", "first response", "first response at", "first reply", "date answered",
           "responded", "response date", "date sent", "review_answer_timestamp", "首次响应时间", "首次回复", "回复时间", "响应时间"),
        _f("resolved_at", "timestamp", "resolved", "resolved at", "closed", "closed at", "date closed", "resolution date",
           "解决时间", "结案日期", "关闭时间", "结案时间"),
        _f("category", "text", "category", "complaint type", "type", "issue type", "问题类别", "投诉类别", "类别", "问题类型"),
        _f("severity", "text", "severity", "priority", "seriousness", "严重程度", "等级", "优先级"),
        _f("department", "text", "department", "dept", "responsible department", "责任部门", "部门"),
        _f("status", "text", "status", "state", "状态", "处理状态"),
        _f("root_cause", "text", "root cause", "cause", "根本原因", "原因"),
        _f("corrective_action", "text", "corrective action", "capa", "action", "8d action", "纠正措施", "整改措施"),
        _f("action_due_on", "date", "action due", "due date", "action due on", "capa due", "整改期限", "措施截止日期"),
        _f("action_verified_on", "date", "verified", "verified on", "action verified", "verification date", "验证日期", "措施验证日期"),
        _f("owner", "text", "owner", "assignee", "handler", "agent", "处理人", "负责人"),
    ),
    "pipeline_events": (
        _f("customer_id", "id", *CUSTOMER_ID),
        _f("stage", "text", "stage", "pipeline stage", "event", "activity", "阶段", "商机阶段", "跟进阶段"),
        _f("happened_on", "date", "date", "happened on", "event date", "stage date", "日期", "发生日期"),
    ),
    "fx_rates": (
        _f("currency", "currency", "currency", "currency code", "币种", "货币"),
        _f("valid_from", "date", "valid from", "date", "from", "effective date", "rate date", "生效日期", "日期"),
        _f("rate_to_reporting", "number", "rate", "rate to reporting", "fx rate", "exchange rate", "rate to usd", "汇率"),
    ),
}

REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    # Each entry is a set of alternatives; at least one alternative's fields must all be present.
    "customers": (("customer_id",),),
    "orders": (("customer_id",), ("ordered_on",), ("amount",)),
    "complaints": (("complaint_id",), ("customer_id", "order_id"), ("received_at",)),
    "pipeline_events": (("customer_id",), ("stage",), ("happened_on",)),
    "fx_rates": (("currency",), ("valid_from",), ("rate_to_reporting",)),
}

PIPELINE_STAGES = ("inquiry", "quote", "sample", "order")
_STAGE_ALIASES = {
    "inquiry": ("inquiry", "enquiry", "lead", "rfq", "询盘", "询价", "线索"),
    "quote": ("quote", "quotation", "offer", "proposal", "报价"),
    "sample": ("sample", "samples", "trial", "样品", "寄样", "打样"),
    "order": ("order", "first order", "won", "closed won", "成交", "下单", "订单"),
}


def normalise_header(text) -> str:
    t = unicodedata.normalize("NFKC", str(text)).casefold().strip()
    return re.sub(r"[\s_\-\.:/\\()\[\]#]+", "", t)


def normalise_stage(value) -> str | None:
    key = normalise_header(value)
    for stage, aliases in _STAGE_ALIASES.items():
        if key in {normalise_header(a) for a in aliases}:
            return stage
    return None


def field_map(table: str) -> dict[str, Field]:
    return {f.name: f for f in TABLES[table]}


def match_headers(table: str, headers: list[str]) -> dict[str, str]:
    """Map canonical field -> source header by alias; the first alias in a field's list wins ties."""
    norm = {normalise_header(h): h for h in reversed(headers)}
    taken: set[str] = set()
    result: dict[str, str] = {}
    # Exact canonical names first, then aliases in order, so 'customer' does not steal 'customer id'.
    for f in TABLES[table]:
        for alias in f.aliases:
            src = norm.get(normalise_header(alias))
            if src is not None and src not in taken:
                result[f.name] = src
                taken.add(src)
                break
    return result


def missing_required(table: str, present: set[str]) -> list[str]:
    return [group[0] for group in REQUIRED[table] if not any(g in present for g in group)]
