"""python -m bench [--scale 100k|1M|10M] [--shape bench|long] [--topup] [--json FILE] [--repeat N]

For each scale: generate the company (CSV and Parquet), import the CSV folder into a fresh database (lines/s,
peak RSS of the import process), then time every page's whole query set cold (a fresh process) and warm (p50 and
p95 of repeated runs in one process), and the pandas version of the same computations on the same data. With
--topup, also a month's top-up (TOPUP_LINES new lines of existing and new customers, bench/generate.py topup)
imported into a copy of each scale's database, as a monthly import lands on years of history."""
from __future__ import annotations

import argparse
import os
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def _child(args: list[str]) -> dict:
    """Run a measuring child process (a fresh Python) and return the JSON it prints."""
    proc = subprocess.run([sys.executable, "-m", "bench.run", *args], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM). Not ru_maxrss: Linux carries it over from the parent at fork,
    so a child of a parent that had generated 10 M rows would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


TOPUP_LINES = 100_000


def measure_topup(scale: str, folder: Path, db: Path, shape: str = "bench") -> dict:
    """A month's top-up (bench/generate.py topup: TOPUP_LINES new lines of existing and new customers) imported
    into a copy of the scale's database in a fresh process, as `python -m cockpit import DIR --db DB` runs it; then
    a month of as many lines, every order by a customer the history knows (no record new or changed: no duplicate
    search), into another copy."""
    from bench.generate import TOPUP_NEW_SHARE, topup
    result = {"scale": scale, "shape": shape}
    for suffix, new_share, folder_name in (("", TOPUP_NEW_SHARE, "topup"), ("_known", 0.0, "topup-known")):
        facts = topup(scale, folder / folder_name, TOPUP_LINES, shape=shape, new_share=new_share)
        target = folder / "topup.duckdb"
        shutil.copy2(db, target)  # setup, not timed: the history the top-up lands on
        os.sync()  # ...written out, so that the copy's writeback does not fall into the timed import
        try:
            m = _child(["--topup-into", str(target), "--csv", str(folder / folder_name / "csv")])
        finally:
            target.unlink(missing_ok=True)
        result |= {f"topup{suffix}_lines": facts["lines"], f"topup{suffix}_new_customers": facts["new_customers"],
                   f"topup{suffix}_s": round(m["seconds"], 2), f"topup{suffix}_peak_rss_mb": round(m["peak_rss_mb"])}
    return result


def run_scale(scale: str, repeat: int, shape: str = "bench") -> list[dict]:
    from bench.generate import generate
    folder = OUT / (scale if shape == "bench" else f"{scale}-{shape}")
    facts = generate(scale, folder, shape=shape)
    db = folder / "bench.duckdb"
    for f in folder.glob(".bench.duckdb*"):
        f.unlink() if f.is_file() else None
    if db.exists():
        db.unlink()
    imported = _child(["--import-into", str(db), "--csv", str(folder / "csv")])
    rows = []
    for page in ("overview", "regions", "complaints", "customers", "churn"):
        m = _child(["--measure", page, "--db", str(db), "--repeat", str(repeat)])
        pd_ = _child(["--measure-pandas", page, "--parquet", str(folder / "parquet"), "--repeat", str(max(1, repeat // 3))])
        rows.append({"scale": scale, "shape": shape, "page": page, "lines": facts["lines"], "import_s": round(imported["seconds"], 2),
                     "import_lines_per_s": round(facts["lines"] / imported["seconds"]), "cold_ms": m["cold_ms"],
                     "warm_p50_ms": m["warm_p50_ms"], "warm_p95_ms": m["warm_p95_ms"], "pandas_ms": pd_["pandas_ms"],
                     "ratio": round(pd_["pandas_ms"] / m["warm_p50_ms"], 1) if m["warm_p50_ms"] else None,
                     # The product's memory: the import process and this page's process (the pandas comparison
                     # runs in its own process and is reported separately).
                     "peak_rss_mb": round(max(imported["peak_rss_mb"], m["peak_rss_mb"])),
                     "import_peak_rss_mb": round(imported["peak_rss_mb"]), "page_peak_rss_mb": round(m["peak_rss_mb"]),
                     "pandas_peak_rss_mb": round(pd_["peak_rss_mb"])})
    return rows


def topup_into(db_path: str, csv_dir: str) -> dict:
    """Inside a fresh process: a top-up exactly as `python -m cockpit import DIR --db DB` runs it (merge by key)."""
    started = time.perf_counter()
    from cockpit.importer import run_import
    run_import([csv_dir], db_path, imported_by="bench")
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": _peak_mb()}


def import_into(db_path: str, csv_dir: str) -> dict:
    """Inside a fresh process: the import exactly as `python -m cockpit import DIR --db DB --replace` runs it."""
    started = time.perf_counter()
    from cockpit.importer import run_import
    run_import([csv_dir], db_path, replace=True, imported_by="bench")
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": _peak_mb()}


def measure(page: str, db_path: str, repeat: int) -> dict:
    """Inside a fresh process: cold = opening the database and the first run (no DuckDB cache yet; the Python
    modules are loaded first, as they are in a running app), then warm repeats."""
    from bench import pages
    from cockpit import db
    started = time.perf_counter()
    con = db.connect(db_path)
    pages.PAGES[page](con)
    cold = (time.perf_counter() - started) * 1000
    warm = []
    for _ in range(repeat):
        t = time.perf_counter()
        pages.PAGES[page](con)
        warm.append((time.perf_counter() - t) * 1000)
    warm.sort()
    return {"cold_ms": round(cold, 1), "warm_p50_ms": round(statistics.median(warm), 1),
            "warm_p95_ms": round(warm[min(len(warm) - 1, int(round(0.95 * (len(warm) - 1))))], 1),
            "peak_rss_mb": _peak_mb()}


def measure_pandas(page: str, parquet: str, repeat: int) -> dict:
    """Inside a fresh process: the pandas version on frames already in memory (reading is not charged)."""
    from bench import pages
    frames = pages.load_frames(Path(parquet))
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        pages.PANDAS[page](frames)
        runs.append((time.perf_counter() - t) * 1000)
    return {"pandas_ms": round(statistics.median(runs), 1), "peak_rss_mb": _peak_mb()}


TARGETS = ("import >= 500,000 lines/s, peak < 2,048 MB and a month's top-up <= 3 s (issue 31); each page's view "
           "<= 150 ms warm p50 and its default view <= 100 ms cold (issue 28)")


def verdict(rows: list[dict]) -> list[str]:
    """One line per target of the open issues (28: every click fast; 31: imports), met or not, for the rows of one
    scale. The pandas ratio is printed beside, not judged."""
    def check(ok: bool, text: str) -> str:
        return f"  [{'met' if ok else 'NOT met'}] {text}"
    lines = [check(rows[0]["import_lines_per_s"] >= 500_000, f"import {rows[0]['import_lines_per_s']:,} lines/s (target 500,000)")]
    if "topup_s" in rows[0]:
        lines.append(check(rows[0]["topup_s"] <= 3, f"top-up of {rows[0]['topup_lines']:,} lines in {rows[0]['topup_s']:.1f} s "
                                                    "(target 3 s)"))
    for r in rows:
        lines.append(check(r["warm_p50_ms"] <= 150 and r["cold_ms"] <= 100,
                           f"{r['page']}: warm {r['warm_p50_ms']:,.0f} ms, cold {r['cold_ms']:,.0f} ms "
                           f"({r['ratio']}x pandas)"))
    peak = max(r["peak_rss_mb"] for r in rows)
    lines.append(check(peak < 2048, f"peak memory {peak:,} MB (target < 2,048)"))
    return lines


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
    ap.add_argument("--shape", choices=["bench", "long"], default="bench",
                    help="the company's shape (bench/generate.py): 'long' is six years of numbered order lines")
    ap.add_argument("--topup", action="store_true",
                    help=f"also time a month's top-up of {TOPUP_LINES:,} new lines into each scale's database")
    ap.add_argument("--json")
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--parquet", help=argparse.SUPPRESS)
    ap.add_argument("--measure-pandas", help=argparse.SUPPRESS)
    ap.add_argument("--import-into", help=argparse.SUPPRESS)
    ap.add_argument("--csv", help=argparse.SUPPRESS)
    ap.add_argument("--topup-into", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.db, args.repeat)))
        return 0
    if args.measure_pandas:
        print(json.dumps(measure_pandas(args.measure_pandas, args.parquet, args.repeat)))
        return 0
    if args.import_into:
        print(json.dumps(import_into(args.import_into, args.csv)))
        return 0
    if args.topup_into:
        print(json.dumps(topup_into(args.topup_into, args.csv)))
        return 0
    rows = []
    for scale in args.scale or ["100k", "1M", "10M"]:
        rows += run_scale(scale, args.repeat, args.shape)
        print(table([r for r in rows if r["scale"] == scale]), flush=True)
        if args.topup:
            folder = OUT / (scale if args.shape == "bench" else f"{scale}-{args.shape}")
            t = measure_topup(scale, folder, folder / "bench.duckdb", args.shape)
            for r in rows:
                if r["scale"] == scale:
                    r |= t
            print(f"top-up at {scale}: {t['topup_lines']:,} new lines ({t['topup_new_customers']:,} new customers) "
                  f"in {t['topup_s']:.1f} s, peak {t['topup_peak_rss_mb']:,} MB; the month's lines of known customers "
                  f"only in {t['topup_known_s']:.1f} s, peak {t['topup_known_peak_rss_mb']:,} MB", flush=True)
        print(f"targets at {scale} ({TARGETS}):", *verdict([r for r in rows if r["scale"] == scale]), sep="\n", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
