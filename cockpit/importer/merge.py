"""Merging this import's records into the database by key: customers (with what order lines say of them),
complaints, pipeline events, rates; the order lines written with their rates."""

from __future__ import annotations

import getpass
import re

import pandas as pd

from .assemble import conform
from .connection import SQL_DIR, import_memory, split_sql, write_memory
from .model import ImportFailed
from .report import Report


def whoami() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return "unknown"


def merge_all(con, frames, orders, import_id: int, report: Report) -> list[str]:
    """Merge customers, complaints, pipeline events and fx rates; register this import's order lines (src_orders)
    for write_orders. Returns the optional order columns none of the lines fills (write_orders keeps them out of
    storage)."""
    def load(name: str, frame: pd.DataFrame, table: str) -> None:
        # Typed like the target table, so an all-empty column still has the right type.
        con.register("src_df", conform(frame, table, import_id))
        for statement in _STAGE_SQL[name]:
            con.execute(statement)
        con.unregister("src_df")

    con.execute("create or replace temp table prev_customers as select customer_id from customers")
    # Customers from customer files.
    if frames["customers"]:
        cust = pd.concat(frames["customers"], ignore_index=True)
        dup = cust.duplicated(subset=["customer_id"], keep="last")
        if dup.any():
            report.notes.append(f"{int(dup.sum()):,} customer row(s) repeat an id within the files: the later row kept")
        cust = cust.loc[~dup].copy()
        cust["record_source"] = "customer file"
        load("stage_customers", cust, "customers")
        # The records this import brings replace those with their ids; the others stay where they are (the table
        # is not written again: 200,000 customers, 0.7 s).
        con.execute("delete from customers c where exists (select 1 from stage_customers s where s.customer_id = c.customer_id)")
        con.execute("insert into customers by name select * from stage_customers")
    # This import's order lines stay in Arrow memory (src_orders); they are written once, with their rates, in
    # write_orders after every other table is merged.
    src_orders = conform(orders if orders is not None else pd.DataFrame(), "orders", import_id,
                          extra=("customer_name", *ORDER_CUSTOMER_FIELDS, "row_number"))
    con.register("src_orders", src_orders)
    new_orders, stage_customers, describe_customers, list_customers, conflicts = split_sql(
        (SQL_DIR / "merge_orders.sql").read_text(encoding="utf-8"))
    con.execute(new_orders)
    if orders is not None and len(orders):
        con.execute(stage_customers)
        described = any(c in orders.columns for c in ("customer_name", "country_code", "country_raw", "sales_rep",
                                                      *ORDER_CUSTOMER_FIELDS))
        one_file = orders["source_file"].nunique(dropna=False) == 1
        if described or not one_file:
            con.execute(describe_customers, {"described": described, "import_id": import_id})
            if described:
                counts = con.execute(conflicts).fetchone()
                for fname, n in zip(("customer_name", "sales_rep", *ORDER_CUSTOMER_FIELDS), counts):
                    if n:
                        report.notes.append(f"{n:,} customer(s) have order lines that disagree on {fname}: the "
                                            "latest line's value is kept")
        else:
            con.execute(list_customers, {"import_id": import_id})
        _upsert_weaker_customers(con)
    if frames["complaints"]:
        comp = pd.concat(frames["complaints"], ignore_index=True)
        dup = comp.duplicated(subset=["complaint_id"], keep="last")
        if dup.any():
            report.notes.append(f"{int(dup.sum()):,} complaint row(s) repeat an id within the files: the later row kept")
        comp = comp.loc[~dup]
        load("stage_complaints", comp, "complaints")
        # A complaint that names only the order gets the order's customer.
        if con.execute("select count(*) from stage_complaints where customer_id is null and order_id is not null").fetchone()[0]:
            con.execute("""
                update stage_complaints set customer_id = o.customer_id
                from (select order_id, any_value(customer_id) as customer_id
                      from (select order_id, customer_id from new_orders union all select order_id, customer_id from orders)
                      group by order_id) o
                where stage_complaints.customer_id is null and stage_complaints.order_id = o.order_id
            """)
        missing = con.execute("select count(*) from stage_complaints where customer_id is null").fetchone()[0]
        if missing:
            report.notes.append(f"{missing:,} complaint(s) have no customer; kept under customer 'unknown'")
            con.execute("update stage_complaints set customer_id = 'unknown' where customer_id is null")
        con.execute("delete from complaints c "
                    "where exists (select 1 from stage_complaints s where s.complaint_id = c.complaint_id)")
        con.execute("insert into complaints by name select * from stage_complaints")
    if frames["pipeline_events"]:
        pipe = pd.concat(frames["pipeline_events"], ignore_index=True)
        load("stage_pipeline", pipe, "pipeline_events")
        con.execute("""
            create or replace table pipeline_events as
            select * from stage_pipeline
            union all by name
            select * from pipeline_events p where not exists (
                select 1 from stage_pipeline s
                where s.customer_id = p.customer_id and s.stage = p.stage and s.happened_on = p.happened_on)
        """)
        con.execute("create or replace table pipeline_events as select distinct on (customer_id, stage, happened_on) * from pipeline_events")
    if frames["fx_rates"]:
        fx = pd.concat(frames["fx_rates"], ignore_index=True).drop_duplicates(subset=["currency", "valid_from"], keep="last")
        load("stage_fx", fx, "fx_rates")
        con.execute("""
            create or replace table fx_rates as
            select * from stage_fx
            union all by name
            select * from fx_rates f where not exists (select 1 from stage_fx s where s.currency = f.currency and s.valid_from = f.valid_from)
        """)
    # Every customer referred to by an order, complaint or pipeline event exists: revenue is never lost to a join.
    con.execute("""
        insert into customers (customer_id, record_source, import_id)
        select distinct customer_id, 'placeholder', ? from (
            select customer_id from new_orders union select customer_id from orders
            union select customer_id from complaints union select customer_id from pipeline_events
        ) r where customer_id is not null and not exists (select 1 from customers c where c.customer_id = r.customer_id)
    """, [import_id])
    # New customers known only from orders, complaints or pipeline events (no customer file describes them).
    added = con.execute("""
        select count(*) from customers c
        where c.record_source <> 'customer file'
          and not exists (select 1 from prev_customers p where p.customer_id = c.customer_id)
    """).fetchone()[0]
    report.placeholder_customers += added
    return [c for c in _MAY_BE_EMPTY if src_orders.num_rows and src_orders.column(c).null_count == src_orders.num_rows]


# Customer fields an order line may carry (a flat sales export), besides the name, destination and rep.
ORDER_CUSTOMER_FIELDS = ("city", "sales_region", "segment", "industry", "email", "phone")


def _upsert_weaker_customers(con) -> None:
    """Order-derived customer rows fill in customers no customer file describes; they never overwrite one."""
    # In place (a delete and an insert) rather than the table written again: most customers are left as they are.
    con.execute("""
        delete from customers c
        where c.record_source is distinct from 'customer file'
          and exists (select 1 from stage_order_customers s where s.customer_id = c.customer_id)
    """)
    con.execute("""
        insert into customers by name
        select s.* from stage_order_customers s
        where not exists (select 1 from customers c where c.customer_id = s.customer_id)
    """)


# Staging tables typed like their targets. Written out once here from fixed names (never from input), so the
# statements that run are constants.
_STAGE_SQL = {
    "stage_customers": ("create or replace temp table stage_customers as select * from customers limit 0",
                        "insert into stage_customers by name select * from src_df"),
    "stage_complaints": ("create or replace temp table stage_complaints as select * from complaints limit 0",
                         "insert into stage_complaints by name select * from src_df"),
    "stage_pipeline": ("create or replace temp table stage_pipeline as select * from pipeline_events limit 0",
                       "insert into stage_pipeline by name select * from src_df"),
    "stage_fx": ("create or replace temp table stage_fx as select * from fx_rates limit 0",
                 "insert into stage_fx by name select * from src_df"),
}


# Written out whole, like _STAGE_SQL (no SQL put together from strings).
DROP_STAGING = ("drop table if exists prev_customers", "drop table if exists stage_customers",
                 "drop table if exists stage_order_customers", "drop table if exists stage_complaints",
                 "drop table if exists stage_pipeline", "drop table if exists stage_fx", "drop table if exists day_rate")


# Optional order columns (docs/data-model.md): a file may leave any of them out.
_MAY_BE_EMPTY = ("ordered_at", "shipped_on", "product", "category", "quantity", "unit_price", "country_code",
                 "country_raw", "sales_rep")
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*|[A-Z][A-Z0-9_ ()]*")


def _fresh_orders_table(con, empty_columns: list[str]) -> str:
    """The statement that makes the (empty) orders table afresh, with the columns it has now, each of
    empty_columns declared as a virtual column that is always null. DuckDB then stores and compresses nothing for
    it: at 10 M lines the write of six such columns had cost ~1.5 CPU seconds (the write 3.8-4.6 → 3.3-3.7 s).
    Put together from the table's own column names and types (our schema, checked to be plain names), never from
    a file's values; the columns are left out of the insert by a bound list (write_orders.sql)."""
    parts = []
    for name, kind in con.execute("select name, type from pragma_table_info('orders') order by cid").fetchall():
        if not (_IDENTIFIER.fullmatch(name) and _IDENTIFIER.fullmatch(kind)):
            raise ValueError(f"unexpected column in orders: {name} {kind}")
        parts.append(f"{name} {kind} generated always as (cast(null as {kind})) virtual" if name in empty_columns
                     else f"{name} {kind}")
    return f"create or replace table orders ({', '.join(parts)})"


def write_orders(con, reporting: str, empty_columns: list[str], rates_changed: bool = True) -> bool:
    """This import's order lines (new_orders) into orders with their rates: appended to an empty table (made
    afresh, empty_columns kept out of storage); into a table holding lines, when no rate changed (rates_changed
    False: the import brought no fx file) and every column this import fills is stored, the lines imported again
    replaced and the new ones added (a month's top-up into 10 M lines: 7.5 → 0.3 s); else the table rewritten with
    the old lines, at their new rates. Returns whether the table was empty (it now holds this import's lines only)."""
    day_rate, append, replace_lines, add_lines, rewrite = split_sql(
        (SQL_DIR / "write_orders.sql").read_text(encoding="utf-8"))
    con.execute(day_rate)
    # A currency without a rate to the reporting currency has no rate on any of its days: day_rate (a few thousand
    # rows) shows it; the order lines are counted only then, for the message (10 M lines: 0.25 s saved).
    if con.execute("select count(*) > 0 from day_rate where currency is not null and rate is null").fetchone()[0]:
        _refuse_currencies_without_rates(con, reporting)
    empty = con.execute("select count(*) = 0 from orders").fetchone()[0]
    # Columns made always-null when the table was first filled (_fresh_orders_table).
    virtual = [name for (name,) in con.execute(
        "select column_name from information_schema.columns where table_catalog = current_database() "
        "and table_schema = 'main' and table_name = 'orders' and is_generated = 'ALWAYS'").fetchall()]
    # While the lines are written, this import's order lines are also held in Arrow memory (about 1 GB at 10 M):
    # DuckDB gets less of the cap then, which kept that step's peak at 1.76 GB where it had reached 1.99 GB
    # (no slower: written blocks simply go to the file sooner).
    con.execute("set memory_limit = $limit", {"limit": write_memory()})
    try:
        if empty:
            con.execute(_fresh_orders_table(con, empty_columns))
            con.execute(append, {"empty_columns": empty_columns})
        elif not rates_changed and set(virtual) <= set(empty_columns):
            con.execute(replace_lines)
            con.execute(add_lines, {"virtual_columns": virtual})
        else:
            con.execute(rewrite)
    finally:
        con.execute("set memory_limit = $limit", {"limit": import_memory()})
    return empty


def _refuse_currencies_without_rates(con, reporting: str) -> None:
    lacking = con.execute("""
        select currency, count(*) as n from (
            select currency from new_orders union all select currency from orders
        ) o
        where o.currency <> (select value from settings where key = 'reporting_currency')
          and not exists (select 1 from fx_rates f where f.currency = o.currency)
        group by o.currency order by n desc
    """).fetchall()
    listed = ", ".join(f"{c} ({n:,} order lines)" for c, n in lacking)
    raise ImportFailed(f"import refused; the database was not changed: orders in {listed} have no exchange rate "
                       f"to {reporting}. Add an fx file (columns: currency, valid_from, rate_to_reporting) to the import")


# Bumped whenever build_derived.sql changes a table the pages read: a database built by an older version has its
# derived tables rebuilt when it is opened (upgrade_derived), so pages never query a table that is not there.
