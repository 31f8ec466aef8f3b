"""The summary tables the pages read (build_derived.sql, the reorder rhythm, the snapshot, the duplicate
pairs), and bringing an older database to this version's tables."""

from __future__ import annotations

import datetime as dt
import functools
import time
from pathlib import Path

import duckdb
import pandas as pd

from .. import countries as ctry
from .. import rhythm
from .. import records as rx
from ..db import connect
from .connection import SQL_DIR, Beside, split_sql, timing, writer
from .files import new_version
from .model import ImportFailed


DERIVED_VERSION = "29"
# Quarter ends materialised per statement (_build_customer_state).
SNAPSHOT_ROWS = 800_000  # customer rows per statement of the state build (about 200,000 customers x 4 quarter ends)


def duplicate_search(con) -> Beside:
    """The pairs of probable duplicates in the customers table as it is now (records.duplicate_pairs), searched
    beside."""
    return Beside(con, "duplicate search", lambda cursor: rx.duplicate_pairs(cursor.sql(
        "select customer_id, customer_name, email, phone, sales_rep from customers order by customer_id").df()))


# The tables a full build makes afresh (each is then written by the same statements as a top-up's rows).
_FRESH = ("drop table if exists customer_day", "drop table if exists customer_facts",
          "drop table if exists customer_record_facts", "drop table if exists period_facts",
          "drop table if exists complaint_facts", "drop table if exists customer_rhythm",
          "drop table if exists customer_snapshot")
_SCOPE_DONE = ("drop macro if exists in_scope", "drop macro if exists in_scope_from",
               "drop macro if exists in_state_scope", "drop macro if exists in_state_scope_from",
               "drop table if exists state_scope", "drop table if exists facts_before",
               "drop table if exists derived_scope", "drop table if exists derived_scope_day",
               "drop table if exists customers_before", "drop table if exists complaints_before",
               # Page views and quarter KPIs earlier versions stored (the pages now compute every view live).
               "drop table if exists quarter_kpis", "drop table if exists regions_views",
               "drop table if exists churn_views", "drop table if exists complaints_views",
               "drop table if exists customers_views")


def top_up_possible(con) -> bool:
    """Whether this import may build the derived rows of the customers it touches only: the database it starts
    from holds order lines and derived tables of this version."""
    try:
        version = con.execute("select value from settings where key = 'derived_version'").fetchone()
        lines = con.execute("select count(*) > 0 from orders").fetchone()[0]
    except duckdb.Error:
        return False
    return bool(version) and version[0] == DERIVED_VERSION and lines


_SCOPE_STATEMENTS = ("every row: in_scope", "every row: in_scope_from", "every row: in_state_scope",
                     "every row: in_state_scope_from", "customers_before", "complaints_before", "derived_scope",
                     "derived_scope_day", "names_changed", "in_scope", "in_scope_from", "facts_before", "state_scope",
                     "in_state_scope", "in_state_scope_from")


def _scope_sql() -> dict[str, str]:
    """derived_scope.sql's statements by the name of what each makes (its comments say when each runs)."""
    statements = split_sql((SQL_DIR / "derived_scope.sql").read_text(encoding="utf-8"))
    assert len(statements) == len(_SCOPE_STATEMENTS), "derived_scope.sql and _SCOPE_STATEMENTS disagree"
    return dict(zip(_SCOPE_STATEMENTS, statements))


def before_top_up(con) -> None:
    """Before the merge of a top-up: what derived_scope.sql needs to know of the database as it was."""
    sql = _scope_sql()
    con.execute(sql["customers_before"])
    con.execute(sql["complaints_before"])


def top_up_scope(con, import_id: int) -> tuple[int, dt.date | None]:
    """After the merge of a top-up, before its order lines are written: derived_scope, the customers whose derived
    rows it changes, and derived_scope_day, the first day whose rows its lines change (derived_scope.sql).
    Returns how many customers, and that day (None when the import brings no dated line)."""
    sql = _scope_sql()
    con.execute(sql["derived_scope"], {"import_id": import_id})
    con.execute(sql["derived_scope_day"])
    con.execute(sql["in_scope"])
    con.execute(sql["in_scope_from"])
    return con.execute("select (select count(*) from derived_scope), (select first_day from derived_scope_day)"
                       ).fetchone()


def names_changed(con, import_id: int) -> bool:
    """After the merge of a top-up: whether the customer list the duplicate search reads changed (a record new, or
    its name, e-mail, phone or rep). When not, the pairs the last search found are kept as they are."""
    return bool(con.execute(_scope_sql()["names_changed"], {"import_id": import_id}).fetchone()[0])


def build_derived(con, duplicates: Beside | None = None, one_part_per_order: bool = False,
                  top_up: bool = False, keep_pairs: bool = False) -> None:
    """The summary tables (build_derived.sql) and the duplicate pairs (from `duplicates` when the import started
    the search already). top_up: derived_scope holds the customers this import touched
    (top_up_scope) and only their rows of the per-customer tables are built again; else every table is made
    afresh for every customer. keep_pairs: the customer list the duplicate search reads is unchanged
    (names_changed), so customer_duplicate_pairs is kept as it is. one_part_per_order: every order in the orders
    table is known to be one part of customer_day (_runs_share_their_order_keys, over all of the table's lines)."""
    con.register("regions_df", pd.DataFrame(ctry.country_regions()))
    con.execute("create or replace table country_regions as select * from regions_df")
    con.unregister("regions_df")
    scope = _scope_sql()
    if top_up:
        con.execute(scope["facts_before"])
    else:
        for statement in _FRESH:
            con.execute(statement)
        for name in ("every row: in_scope", "every row: in_scope_from", "every row: in_state_scope",
                     "every row: in_state_scope_from"):
            con.execute(scope[name])
    parts, totals, one_part_totals, *rest = split_sql((SQL_DIR / "build_derived.sql").read_text(encoding="utf-8"))
    cut = rest.index("drop view order_parts") + 1
    day_statements, others = rest[:cut], rest[cut:]
    con.execute(parts)
    con.execute(one_part_totals if one_part_per_order and not top_up else totals)
    for stmt in day_statements:
        con.execute(stmt)
    # The reorder rhythm (numpy) is worked out beside the other summary tables, which read no rhythm; this thread
    # writes it, then the snapshot that reads it.
    rhythm_rows = Beside(con, "customer rhythm (numpy)", rhythm.compute)
    try:
        for stmt in others:
            con.execute(stmt)
            if top_up and stmt == "drop view customer_facts_rows":
                # customer_facts is built again: which touched customers' other rows change on every day.
                for name in ("state_scope", "in_state_scope", "in_state_scope_from"):
                    con.execute(scope[name])
    finally:
        rhythm_rows.wait()
    rows = rhythm_rows.result()
    # Written in the order given (by date: what lets an as-of query skip row groups), without sorting again.
    con.register("rhythm_df", rows)
    con.execute("set preserve_insertion_order = true")
    try:
        con.execute("create table if not exists customer_rhythm as select * from rhythm_df limit 0")
        con.execute("delete from customer_rhythm where in_scope(customer_id)")
        con.execute("insert into customer_rhythm select * from rhythm_df")
    finally:
        con.execute("set preserve_insertion_order = false")
    con.unregister("rhythm_df")
    rows = None
    _build_customer_state(con, top_up)
    started = time.perf_counter()
    if not keep_pairs:
        _store_duplicates(con, (duplicates or duplicate_search(con)).result())
        timing("duplicate pairs (waiting for the search)", started)
    for statement in _SCOPE_DONE:
        con.execute(statement)
    con.execute("insert or replace into settings values ('derived_version', ?)", [DERIVED_VERSION])


def _build_customer_state(con, top_up: bool = False) -> None:
    """The customer-state macros and the quarter ends they hold (customer_state.sql), as many quarter ends per
    statement as make about SNAPSHOT_ROWS customer rows (at least one; a quarter end's rows are its customers with
    an order by then, so a history's early quarter ends go many to a statement): one statement for all of them held
    every quarter end's customers in one aggregation, which ran out of the import's memory on a six-year history (10 M
    lines, 200,000 customers, 24 quarter ends); four at a time for every company made a small file whose dates span
    centuries (4,400 quarter ends) take ~50 s. After a top-up, a quarter end new to the data is built for every
    customer, and of the quarter ends held already only the touched customers' rows that can have changed:
    every one of a customer whose record, complaints, home country or first order day changed (state_scope), and
    for the others those on or after the first day the import's lines change (derived_scope_day). A state as of an
    earlier day reads only lines, rhythm and money of days before it, which the import left as they were. A
    customer new to the database has state from their first line on, which is on or after that day."""
    live, quarter_ends, create, insert, *rest = split_sql((SQL_DIR / "customer_state.sql").read_text(encoding="utf-8"))
    con.execute(live)
    ends = con.execute(quarter_ends).fetchone()[0] or []
    con.execute(create)
    customers = con.execute("select count(*) from customers").fetchone()[0]
    todo = [(ends, None, customers)]
    if top_up:
        first_day = con.execute("select first_day from derived_scope_day").fetchone()[0]
        held = {d for (d,) in con.execute("select as_of from snapshot_days").fetchall()}
        con.execute("delete from customer_snapshot where not list_contains($ends, as_of) "
                    "or customer_id in (select customer_id from state_scope where whole_state) "
                    "or (as_of >= $first_day and customer_id in (select customer_id from state_scope))",
                    {"ends": ends, "first_day": first_day})
        whole, lines_only = [], []
        for customer_id, whole_state in con.execute("select customer_id, whole_state from state_scope").fetchall():
            (whole if whole_state else lines_only).append(customer_id)
        changed = [d for d in ends if d in held and first_day is not None and d >= first_day]
        todo = [([d for d in ends if d in held], whole, len(whole)), (changed, lines_only, len(lines_only)),
                ([d for d in ends if d not in held], None, customers)]
    # A quarter end has a row per customer with an order by then: early quarter ends have few, and go together.
    active = dict(con.execute(
        "select e.as_of, count(f.customer_id) from (select unnest($ends::date[]) as as_of) e "
        "left join customer_facts f on f.first_order_on <= e.as_of group by all", {"ends": ends}).fetchall())
    for days, only, count in todo:
        if only is not None and not only:
            continue
        for batch in _batches(days, lambda d: min(count, active.get(d, count))):
            con.execute(insert, {"days": batch, "only": only})
    for statement in rest:
        con.execute(statement)


def _batches(days: list, rows) -> list[list]:
    """The days in order, cut into runs whose rows (rows(day): about how many customer rows a day makes) add up to
    at most SNAPSHOT_ROWS, each run at least one day."""
    out, run, total = [], [], 0
    for day in days:
        n = rows(day)
        if run and total + n > SNAPSHOT_ROWS:
            out.append(run)
            run, total = [], 0
        run.append(day)
        total += n
    return out + [run] if run else out


def _store_duplicates(con, pairs: pd.DataFrame) -> None:
    """The pairs of probable duplicates in the whole customer list, searched once per import (over 200,000 names
    the search takes seconds): every view groups the pairs between its own customers (customers/duplicate_pairs.sql)."""
    con.register("pairs_df", pairs[["customer_a", "customer_b", "evidence", "confidence"]].astype(
        {"confidence": "float64"}))
    con.execute("create or replace table customer_duplicate_pairs "
                "(customer_a varchar, customer_b varchar, evidence varchar, confidence double)")
    con.execute("insert into customer_duplicate_pairs select * from pairs_df")
    con.unregister("pairs_df")
    # Tables of earlier versions (clusters kept with the identity of the list they were found in).
    con.execute("drop table if exists customer_duplicates")
    con.execute("delete from settings where key = 'duplicates_identity'")


def derived_is_current(db: str | Path) -> bool:
    try:
        con = connect(db)
    except duckdb.Error:
        return False
    try:
        row = con.execute("select value from settings where key = 'derived_version'").fetchone()
        return bool(row) and row[0] == DERIVED_VERSION
    except duckdb.Error:
        return False
    finally:
        con.close()


@functools.lru_cache(maxsize=1)
def _schema_columns() -> tuple[tuple[str, str, str], ...]:
    """(table, column, type) of every canonical table as schema.sql makes it (read from a scratch database)."""
    scratch = duckdb.connect()
    try:
        scratch.execute((SQL_DIR / "schema.sql").read_text(encoding="utf-8"))
        return tuple(scratch.execute("select table_name, column_name, data_type from duckdb_columns() "
                                     "where database_name = current_database() and schema_name = 'main' "
                                     "and not internal order by table_name, column_index").fetchall())
    finally:
        scratch.close()


def conform_canonical(con, db: Path) -> None:
    """Bring the canonical tables of a database made by an early version to schema.sql's columns and types before
    anything is built from them: early versions stored dates as timestamps and ids as BIGINT, and a column added
    since is missing. Only then are the tables set aside, made afresh by schema.sql and their rows copied back by
    name, cast (conform_set_aside.sql, conform_restore.sql: fixed statements, no SQL put together here). A value
    that cannot take the current type stops the import or upgrade, which then leaves the database as it was, with
    the columns that changed type named. First schema.sql makes any canonical table that is missing (empty)."""
    con.execute((SQL_DIR / "schema.sql").read_text(encoding="utf-8"))
    have = {(t, c): kind for t, c, kind in con.execute(
        "select table_name, column_name, data_type from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'main'").fetchall()}
    changed = [(t, c, have.get((t, c)), kind) for t, c, kind in _schema_columns() if have.get((t, c)) != kind]
    if not changed:
        return
    try:
        for name in ("conform_set_aside.sql", "schema.sql", "conform_restore.sql"):
            for statement in split_sql((SQL_DIR / name).read_text(encoding="utf-8")):
                con.execute(statement)
    except duckdb.Error as e:
        columns = ", ".join(f"{t}.{c} {old} → {kind}" for t, c, old, kind in changed if old is not None)
        raise ImportFailed(
            f"{db.name} was made by an older version of Customer Cockpit, whose columns had other types "
            f"({columns}), and a value cannot be read as the current type ({str(e).splitlines()[0]}). "
            f"The database is unchanged. Import the original files again into a new database "
            f"(python -m cockpit import FILES --db {db.name} --replace).") from e


def upgrade_derived(db: str | Path) -> None:
    """Rebuild the derived tables of a database made by an older version, on a copy swapped in atomically."""
    db = Path(db)
    if derived_is_current(db):
        return
    with new_version(db, "upgrading", start_from=db, keep_replaced=False) as version:
        if derived_is_current(db):   # another process upgraded it meanwhile
            version.discard()
            return
        con = writer(version.path)
        try:
            conform_canonical(con, db)
            build_derived(con)
            con.execute("checkpoint")
        finally:
            con.close()
