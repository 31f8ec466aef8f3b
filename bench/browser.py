"""python -m bench.browser --db FILE [--port 8611]

What a person sees: starts the app on the database, opens each page once in Chromium (1920×1080) and reports
the seconds until the page stops changing (no running indicator, no new elements for 4 s), i.e. the first,
uncached view including Streamlit's rendering. Complements bench/run.py, which times only the query sets."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["overview", "regions", "complaints", "customers", "churn"]


def first_views(port: int, shots: Path | None = None) -> dict[str, float]:
    from playwright.sync_api import sync_playwright
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        for name in PAGES:
            started = time.perf_counter()
            page.goto(f"http://localhost:{port}/{'' if name == 'overview' else name}?lang=en", timeout=600_000)
            page.wait_for_selector("h1", timeout=600_000)
            last, stable_since = -1, time.perf_counter()
            while time.perf_counter() - stable_since < 4 and time.perf_counter() - started < 600:
                n = page.evaluate("document.querySelectorAll('[data-testid=stElementContainer]').length"
                                  " + document.querySelectorAll('.js-plotly-plot').length")
                busy = page.locator("[data-testid=stStatusWidget]").count() + page.locator("[data-testid=stSpinner]").count()
                if n != last or busy:
                    last, stable_since = n, time.perf_counter()
                page.wait_for_timeout(250)
            if page.locator("[data-testid=stException]").count():
                raise RuntimeError(f"{name}: the page shows an exception")
            out[name] = round(stable_since - started, 1)
            if shots:
                page.screenshot(path=str(shots / f"{name}.png"))
        browser.close()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.browser")
    ap.add_argument("--db", required=True)
    ap.add_argument("--port", type=int, default=8611)
    ap.add_argument("--shots", help="folder for a screenshot of each page")
    args = ap.parse_args(argv)
    env = dict(os.environ, COCKPIT_DB=str(Path(args.db).resolve()))
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(args.port),
                               "--server.headless", "true"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(5)
        shots = Path(args.shots) if args.shots else None
        if shots:
            shots.mkdir(parents=True, exist_ok=True)
        for name, seconds in first_views(args.port, shots).items():
            print(f"{name:<10} first view {seconds:6.1f} s")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
