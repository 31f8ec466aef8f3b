"""The summary tables the pages read (build_derived.sql, the reorder rhythm, the snapshot, stored views,
duplicate clusters), and bringing an older database to this version's tables."""

from __future__ import annotations

import functools
import time
from pathlib import Path

import duckdb
import pandas as pd

from .. import countries as ctry
from .. import import_views, rhythm
from .. import records as rx
from ..db import connect
from .connection import SQL_DIR, Beside, Fetching, split_sql, timing, writer
from .files import new_version
from .model import ImportFailed


DERIVED_VERSION = "28"
# Quarter ends materialised per statement (_build_customer_state).
SNAPSHOT_ROWS = 800_000  # customer rows per statement of the state build (200,000 customers x 4 quarter ends)


def duplicate_search(con) -> Beside:
    """The pairs of probable duplicates in the customers table as it is now (records.duplicate_pairs), searched
    beside."""
    return Beside(con, "duplicate search", lambda cursor: rx.duplicate_pairs(cursor.sql(
        "select customer_id, customer_name, email, phone, sales_rep from customers order by customer_id").df()))


def build_derived(con, duplicates: Beside | None = None, one_part_per_order: bool = False) -> None:
    """The summary tables (build_derived.sql), the duplicate clusters (from `duplicates` when the import started
    the search already) and every stored view. one_part_per_order: every order in the orders table is known to be
    one part of customer_day (_runs_share_their_order_keys, over all of the table's lines)."""
    con.register("regions_df", pd.DataFrame(ctry.country_regions()))
    con.execute("create or replace table country_regions as select * from regions_df")
    con.unregister("regions_df")
    parts, totals, one_part_totals, customer_day, drop_totals, drop_parts, *others = split_sql(
        (SQL_DIR / "build_derived.sql").read_text(encoding="utf-8"))
    con.execute(parts)
    con.execute(one_part_totals if one_part_per_order else totals)
    con.execute(customer_day)
    con.execute(drop_totals)
    con.execute(drop_parts)
    # The reorder rhythm (numpy) is worked out beside the other summary tables, which read no rhythm; this thread
    # writes it, then the snapshot that reads it.
    rhythm_rows = Beside(con, "customer rhythm (numpy)", rhythm.compute)
    try:
        for stmt in others:
            con.execute(stmt)
    finally:
        rhythm_rows.wait()
    rows = rhythm_rows.result()
    # The views that read neither the rhythm nor the snapshot start now, beside the statements that write them.
    views = import_views.StoredViews(con)
    try:
        views.start()
        # Written in the order given (by date: what lets an as-of query skip row groups), without sorting again.
        con.register("rhythm_df", rows)
        con.execute("set preserve_insertion_order = true")
        try:
            con.execute("create or replace table customer_rhythm as select * from rhythm_df")
        finally:
            con.execute("set preserve_insertion_order = false")
        con.unregister("rhythm_df")
        rows = None
        _build_customer_state(con)

        def find_duplicates() -> None:
            search = duplicates or duplicate_search(con)
            cur = Fetching(con.cursor())  # its own connection: the stored views run queries beside it
            try:
                _store_duplicates(cur, search.result())
            finally:
                cur.close()
        started = time.perf_counter()
        views.finish(find_duplicates)
        timing("duplicate clusters and stored views", started)
    finally:
        views.close()
    con.execute("insert or replace into settings values ('derived_version', ?)", [DERIVED_VERSION])


def _build_customer_state(con) -> None:
    """The customer-state macros and the quarter ends they hold (customer_state.sql), as many quarter ends per
    statement as make about SNAPSHOT_ROWS customer rows (at least one): one statement for all of them held every
    quarter end's customers in one aggregation, which ran out of the import's memory on a six-year history (10 M
    lines, 200,000 customers, 24 quarter ends); four at a time for every company made a small file whose dates span
    centuries (4,400 quarter ends) take ~50 s."""
    live, quarter_ends, create, insert, *rest = split_sql((SQL_DIR / "customer_state.sql").read_text(encoding="utf-8"))
    con.execute(live)
    ends = con.execute(quarter_ends).fetchone()[0] or []
    con.execute(create)
    customers = con.execute("select count(*) from customers").fetchone()[0]
    batch = max(1, SNAPSHOT_ROWS // max(customers, 1))
    for i in range(0, len(ends), batch):
        con.execute(insert, {"days": ends[i:i + batch]})
    for statement in rest:
        con.execute(statement)


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
