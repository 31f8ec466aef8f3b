"""Two databases compared table by table: what an incremental build must give, the database a full one gives."""
import json

import duckdb

# The import's own bookkeeping: when and by which import a row came, its log and settings.
SKIPPED_TABLES = ("import_log", "settings")
SKIPPED_COLUMNS = ("imported_at", "import_id", "source_file", "source_row")


def assert_same_tables(expected, actual) -> list[str]:
    """Every table of the database at `expected` (but the import's bookkeeping) holds the rows of the same table at
    `actual`: numbers to a billionth (sums of the same rows in another order differ in their last bits), stored
    views as the same JSON. Returns the tables compared."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{expected}' as whole (read_only)")
        con.execute(f"attach '{actual}' as topped (read_only)")
        tables = [t for (t,) in con.execute("select table_name from duckdb_tables() where database_name = 'whole' "
                                            "order by 1").fetchall() if t not in SKIPPED_TABLES]
        assert tables == [t for (t,) in con.execute(
            "select table_name from duckdb_tables() where database_name = 'topped' order by 1").fetchall()
            if t not in SKIPPED_TABLES]
        for t in tables:
            columns = con.execute("select column_name, data_type from duckdb_columns() where database_name = 'whole' "
                                  "and table_name = ? order by column_index", [t]).fetchall()
            columns = [(c, kind) for c, kind in columns if c not in SKIPPED_COLUMNS]
            if any(c.endswith("_json") for c, _ in columns):
                key = columns[0][0]
                a, b = (con.execute(f'select * exclude ("{key}"), "{key}" from {db}.{t} order by "{key}"').fetchall()
                        for db in ("whole", "topped"))
                parse = lambda row: [json.loads(x) if isinstance(x, str) and x[:1] in "[{" else x for x in row]  # noqa: E731
                assert len(a) == len(b) and all(close(parse(ra), parse(rb)) for ra, rb in zip(a, b)), t
                continue
            # Both tables in one order (text, dates and counts first, then money rounded), then row by row.
            names = ", ".join(f'"{c}"' for c, _ in columns)
            order = ", ".join([f'"{c}"' for c, kind in columns if kind not in ("DOUBLE", "FLOAT")] +
                              [f'round("{c}", 3)' for c, kind in columns if kind in ("DOUBLE", "FLOAT")])
            a, b = (con.execute(f"select {names} from {db}.{t} order by {order}").fetchall() for db in ("whole", "topped"))
            assert len(a) == len(b), f"{t}: {len(a)} rows against {len(b)}"
            assert all(close(list(ra), list(rb)) for ra, rb in zip(a, b)), t
        return tables
    finally:
        con.close()


def close(a, b) -> bool:
    number = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)  # noqa: E731
    if number(a) and number(b) and (isinstance(a, float) or isinstance(b, float)):
        return (a != a and b != b) or abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))  # (NaN: a missing value)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    return a == b
