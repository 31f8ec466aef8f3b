"""python -m bench [--scale 100k|1M|10M] [--json FILE] [--repeat N]

For each scale: generate the company (CSV and Parquet), import the CSV folder into a fresh database (lines/s,
peak RSS of the import process), then time every page's whole query set cold (a fresh process) and warm (p50 and
p95 of repeated runs in one process), and the pandas version of the same computations on the same data."""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def _child(args: list[str]) -> tuple[float, float, str]:
    """Run a child process; wall seconds, its peak RSS in MB, stdout."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, peak, proc.stdout


def run_scale(scale: str, repeat: int) -> list[dict]:
    from bench.generate import generate
    folder = OUT / scale
    facts = generate(scale, folder)
    db = folder / "bench.duckdb"
    for f in folder.glob(".bench.duckdb*"):
        f.unlink() if f.is_file() else None
    if db.exists():
        db.unlink()
    import_s, import_rss, _ = _child(["-m", "cockpit", "import", str(folder / "csv"), "--db", str(db), "--replace"])
    rows = []
    for page in ("overview", "regions", "complaints", "customers", "churn"):
        _, cold_rss, out = _child(["-m", "bench.run", "--measure", page, "--db", str(db), "--repeat", str(repeat),
                                   "--parquet", str(folder / "parquet")])
        m = json.loads(out)
        rows.append({"scale": scale, "page": page, "lines": facts["lines"], "import_s": round(import_s, 2),
                     "import_lines_per_s": round(facts["lines"] / import_s), "cold_ms": m["cold_ms"],
                     "warm_p50_ms": m["warm_p50_ms"], "warm_p95_ms": m["warm_p95_ms"], "pandas_ms": m["pandas_ms"],
                     "ratio": round(m["pandas_ms"] / m["warm_p50_ms"], 1) if m["warm_p50_ms"] else None,
                     "peak_rss_mb": round(max(import_rss, m["peak_rss_mb"]))})
    return rows


def measure(page: str, db_path: str, repeat: int, parquet: str) -> dict:
    """Inside a fresh process: cold = the first run (connection opened here), then warm repeats, then pandas."""
    started = time.perf_counter()
    from bench import pages
    from cockpit import db
    con = db.connect(db_path)
    pages.PAGES[page](con)
    cold = (time.perf_counter() - started) * 1000
    warm = []
    for _ in range(repeat):
        t = time.perf_counter()
        pages.PAGES[page](con)
        warm.append((time.perf_counter() - t) * 1000)
    frames = pages.load_frames(Path(parquet))
    pandas_runs = []
    for _ in range(max(1, repeat // 3)):
        t = time.perf_counter()
        pages.PANDAS[page](frames)
        pandas_runs.append((time.perf_counter() - t) * 1000)
    warm.sort()
    return {"cold_ms": round(cold, 1), "warm_p50_ms": round(statistics.median(warm), 1),
            "warm_p95_ms": round(warm[min(len(warm) - 1, int(round(0.95 * (len(warm) - 1))))], 1),
            "pandas_ms": round(statistics.median(pandas_runs), 1),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def table(rows: list[dict]) -> str:
    head = f"{'scale':>5} {'import s':>8} {'lines/s':>9} {'page':<10} {'cold ms':>8} {'warm p50':>8} {'warm p95':>8} " \
           f"{'pandas ms':>9} {'ratio':>6} {'peak MB':>7}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['scale']:>5} {r['import_s']:>8.1f} {r['import_lines_per_s']:>9,} {r['page']:<10} {r['cold_ms']:>8,.0f} "
                     f"{r['warm_p50_ms']:>8,.1f} {r['warm_p95_ms']:>8,.1f} {r['pandas_ms']:>9,.0f} "
                     f"{(r['ratio'] or 0):>6.1f} {r['peak_rss_mb']:>7,}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench")
    ap.add_argument("--scale", choices=["100k", "1M", "10M"], action="append")
    ap.add_argument("--json")
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--parquet", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.db, args.repeat, args.parquet)))
        return 0
    rows = []
    for scale in args.scale or ["100k", "1M", "10M"]:
        rows += run_scale(scale, args.repeat)
        print(table([r for r in rows if r["scale"] == scale]), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
