"""Database access: open read-only, run named query files with only the parameters each one uses."""
from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
DEFAULT_DB = ROOT / "data" / "cockpit.duckdb"
SAMPLE_DIR = ROOT / "data" / "sample"

_COMMENT_OR_STRING = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'", re.S)
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def db_path() -> Path:
    return Path(os.environ.get("COCKPIT_DB") or DEFAULT_DB)


@functools.lru_cache(maxsize=None)
def sql_text(name: str) -> str:
    path = (QUERIES / f"{name}.sql").resolve()
    if QUERIES.resolve() not in path.parents:
        raise ValueError(f"query name outside queries/: {name}")
    return path.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=None)
def params_used(name: str) -> frozenset[str]:
    """Named parameters a query uses, found after removing comments and string literals."""
    return frozenset(_PARAM.findall(_COMMENT_OR_STRING.sub(" ", sql_text(name))))


def query_names() -> list[str]:
    return sorted(p.relative_to(QUERIES).with_suffix("").as_posix() for p in QUERIES.rglob("*.sql"))


def connect(path: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection: viewers never block an import, which writes a copy and renames it.

    The file is ATTACHed to a private in-memory database rather than opened with duckdb.connect(path): DuckDB
    caches open databases by path within a process, so after an import renames a new file into place,
    connect(path) would hand back the old, still-open file. ATTACH opens the file now on disk."""
    target = Path(path or db_path())
    if not target.exists():
        raise FileNotFoundError(f"no database at {target}")
    con = duckdb.connect(":memory:")
    con.execute("attach $path as cockpit (read_only)", {"path": str(target)}).fetchall()
    con.execute("use cockpit").fetchall()
    return con


def run(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> pd.DataFrame:
    """Run queries/<name>.sql with the named parameters it uses (DuckDB refuses unused ones)."""
    used = params_used(name)
    missing = used - params.keys()
    if missing:
        raise KeyError(f"query {name} needs parameter(s) {', '.join(sorted(missing))}")
    cur = con.cursor()
    try:
        # A cursor starts in the in-memory catalog; point it at the attached file.
        cur.execute("use cockpit").fetchall()
        return cur.execute(sql_text(name), {k: params[k] for k in used}).df()
    finally:
        cur.close()


def file_signature(path: str | Path) -> tuple:
    """Changes when an import swaps in a new file (new inode) or the file is rewritten."""
    st = os.stat(path)
    return (st.st_ino, st.st_mtime_ns, st.st_size)
