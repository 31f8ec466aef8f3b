"""The connection that writes a new database version: its memory caps, statements read to the end, cursors
working beside it, step timings (COCKPIT_IMPORT_TIMINGS) and the SQL files under cockpit/sql."""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd


SQL_DIR = Path(__file__).parent.parent / "sql"


def split_sql(text: str) -> list[str]:
    return [s.strip() for s in text.split("\n;\n") if s.strip() and not all(
        line.strip().startswith("--") or not line.strip() for line in s.strip().splitlines())]


def import_memory() -> str:
    """DuckDB's memory cap while importing (COCKPIT_IMPORT_MEMORY, default 1GB)."""
    return os.environ.get("COCKPIT_IMPORT_MEMORY", "1GB")


def write_memory() -> str:
    """DuckDB's cap while the order lines are written (COCKPIT_IMPORT_WRITE_MEMORY; else COCKPIT_IMPORT_MEMORY when
    set; else 600MB)."""
    return os.environ.get("COCKPIT_IMPORT_WRITE_MEMORY") or os.environ.get("COCKPIT_IMPORT_MEMORY") or "600MB"


def writer(path: Path) -> "Fetching":
    """The connection that writes a database copy. Rows need no particular order inside a table (every query orders
    what it shows): letting DuckDB write them as they come saves time and memory; its memory is capped."""
    con = duckdb.connect(str(path), config={"preserve_insertion_order": False, "memory_limit": import_memory()})
    con.execute("set enable_progress_bar = false")  # a long statement would draw DuckDB's bar over our progress lines
    return Fetching(con)


_TIMINGS = bool(os.environ.get("COCKPIT_IMPORT_TIMINGS"))


_CPU_SEEN = [0.0, 0.0]


def timing(what: str, started: float) -> None:
    """COCKPIT_IMPORT_TIMINGS=1 prints each import step's seconds to stderr (used to profile bench/), with the
    process's user and system CPU seconds since the previous line (on two cores, CPU is what the import runs out of)."""
    if _TIMINGS:
        t = os.times()
        user, system = t.user - _CPU_SEEN[0], t.system - _CPU_SEEN[1]
        _CPU_SEEN[:] = [t.user, t.system]
        status = Path("/proc/self/status")
        mem = dict(line.split()[:2] for line in status.read_text().splitlines()
                   if line.startswith(("VmRSS:", "VmHWM:"))) if status.exists() else {}
        mb = lambda k: int(mem[k]) // 1024 if k in mem else "?"  # noqa: E731
        print(f"{time.perf_counter() - started:7.2f}s  cpu {user:6.2f} + {system:5.2f}  rss {mb('VmRSS:'):>6} MB"
              f"  peak {mb('VmHWM:'):>6} MB  {what}",
              file=sys.stderr, flush=True)


class Fetching:
    """DuckDB 2 refuses new work while a result is unread: every statement here is read to the end at once."""

    def __init__(self, con):
        self.con = con

    def execute(self, sql: str, params=None):
        started = time.perf_counter()
        rows = self.con.execute(sql, params).fetchall() if params is not None else self.con.execute(sql).fetchall()
        timing(" ".join(sql.split())[:70], started)
        return _Rows(rows)

    def frame(self, sql: str) -> pd.DataFrame:
        """A query's rows as a DataFrame (read to the end at once, like every statement here)."""
        started = time.perf_counter()
        out = self.con.sql(sql).df()
        timing(" ".join(sql.split())[:70], started)
        return out

    def register(self, name, frame):
        self.con.register(name, frame)

    def unregister(self, name):
        self.con.unregister(name)

    def cursor(self):
        """A cursor of the same database (cockpit.db.run queries through one)."""
        return self.con.cursor()

    def close(self):
        self.con.close()


class _Rows:
    def __init__(self, rows):
        self.rows = rows

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def fetchall(self):
        return self.rows


class Beside:
    """fn(cursor) run on a thread beside the import's own statements, on a cursor of its own (made here, on the
    calling thread: a connection busy with a statement refuses to make one), closed when fn ends. `what` names it
    in COCKPIT_IMPORT_TIMINGS."""

    def __init__(self, con, what: str, fn: Callable):
        cursor = con.cursor()

        def run():
            started = time.perf_counter()
            try:
                return fn(cursor)
            finally:
                cursor.close()
                timing(what, started)
        pool = ThreadPoolExecutor(max_workers=1)
        self._future = pool.submit(run)
        pool.shutdown(wait=False)

    def result(self):
        return self._future.result()

    def wait(self) -> None:
        """Until fn has ended, however it ended (the connection must not close under its cursor: DuckDB would
        refuse, and that refusal would hide the error that stopped the import)."""
        futures_wait([self._future])
