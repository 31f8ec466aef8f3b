"""python -m bench.browser --db FILE [--repeat 3] [--json FILE]

What a person waits for, in Chromium (Debian's /usr/bin/chromium) at 1920×1080: the app on the database and, in the
same run on the same machine, a bare Streamlit app (bench/bare/app.py: st.navigation, a page of 5 Plotly charts, 4
st.metric sparklines and a 500-row dataframe). Each action is timed from the input event (pointer down or key
down; for a fresh tab, the navigation's start) to the last change on screen: the last DOM mutation seen by a
MutationObserver on `document`, once no running indicator has been shown and nothing has changed for 0.8 s.

Actions: the first visitor after the server started (a fresh-tab open of the Overview, then, after reading it for
READ_S seconds, each page's first visit by its link, against the bare app's first open and page link), a fresh-tab open of the Overview (server warm), every page link in the top navigation, a country picked in
the sidebar, one step of the what-if, a country clicked on the map; the bare app's fresh-tab open and page link.
Each is repeated and its median printed in seconds and as a ratio to the bare app's (open against open, the rest
against its page link)."""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-quic", "--no-first-run", "--disable-sync", "--disable-extensions"]
QUIET_MS = 800
READ_S = 8  # seconds the first visitor spends on the Overview before visiting the other pages
PAGES = {"Overview": "", "Regions": "regions", "Complaints": "complaints", "Customers": "customers", "Churn": "churn"}

# A point inside a country's shape on screen (its fill, inside the viewport), found with isPointInFill: Plotly's
# choropleth takes a click only there. The country is found by its ISO-3 code in the shape's data.
POINT_IN_COUNTRY = """(iso3) => {
    const path = Array.from(document.querySelectorAll('.js-plotly-plot path.choroplethlocation'))
        .find(p => p.__data__ && p.__data__.loc === iso3);
    if (!path) return null;
    // Of the points inside the fill, the one nearest the middle of the shape's box (not one on a border).
    const box = path.getBBox(), svg = path.ownerSVGElement, m = path.getScreenCTM();
    let best = null, bestDistance = Infinity;
    for (let i = 1; i < 40; i++) for (let j = 1; j < 40; j++) {
        const pt = svg.createSVGPoint();
        pt.x = box.x + box.width * i / 40; pt.y = box.y + box.height * j / 40;
        if (!path.isPointInFill(pt)) continue;
        const s = pt.matrixTransform(m), d = (i - 20) ** 2 + (j - 20) ** 2;
        if (s.x > 0 && s.y > 0 && s.x < innerWidth && s.y < innerHeight && d < bestDistance) {
            best = [s.x, s.y]; bestDistance = d;
        }
    }
    return best;
}"""

# Installed before any page script: the time of the last DOM change and of the last input event.
WATCH = """
window.__lastChange = performance.now();
window.__input = null;
new MutationObserver(() => { window.__lastChange = performance.now(); })
    .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
for (const kind of ['pointerdown', 'keydown'])
    document.addEventListener(kind, e => { window.__input = e.timeStamp; }, true);
"""


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(script: str, port: int, env: dict) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{script} did not start")


def settle(page, started: float | None = None, timeout_s: float = 300) -> float:
    """Seconds from `started` (a performance.now() value; None: the last input event) to the last change on screen,
    once nothing has changed for QUIET_MS and no running indicator shows."""
    deadline = time.time() + timeout_s
    page.wait_for_timeout(100)
    while time.time() < deadline:
        state = page.evaluate("""() => ({now: performance.now(), last: window.__lastChange, input: window.__input,
            busy: document.querySelectorAll('[data-testid=stStatusWidget], [data-testid=stSpinner]').length})""")
        if not state["busy"] and state["now"] - state["last"] >= QUIET_MS:
            if page.locator("[data-testid=stException]").count():
                raise RuntimeError("an exception is shown: " + page.locator("[data-testid=stException]").first.inner_text()[:500])
            begin = state["input"] if started is None else started
            return round((state["last"] - begin) / 1000, 3)
        page.wait_for_timeout(100)
    raise RuntimeError("the page did not settle")


def fresh_open(context, url: str) -> float:
    page = context.new_page()
    page.goto(url)
    seconds = settle(page, started=0.0)  # performance.now() counts from the navigation's start
    page.close()
    return seconds


def page_link(page, name: str) -> float:
    page.locator("header a, [data-testid=stTopNavLink], a").filter(has_text=name).first.click()
    return settle(page)


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 2)


def measure_bare(browser, base: str, repeat: int) -> dict:
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.add_init_script(WATCH)
    first = fresh_open(context, base)  # (then Streamlit's and Plotly's JavaScript is in the browser's cache)
    opens = [fresh_open(context, base) for _ in range(repeat)]
    page = context.new_page()
    page.goto(base)
    settle(page, started=0.0)
    links = []
    for _ in range(repeat):
        links.append(page_link(page, "Second"))
        links.append(page_link(page, "First"))
    context.close()
    return {"first open": first, "open": _median(opens), "page_link": _median(links)}


def _click_map_country(page, iso3: str) -> None:
    chart = page.locator(".js-plotly-plot", has=page.locator("path.choroplethlocation")).first
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    point = page.evaluate(POINT_IN_COUNTRY, iso3)
    if not point:
        raise RuntimeError(f"{iso3} is not on the map")
    page.mouse.click(*point)


def measure_app(browser, base: str, repeat: int) -> dict:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="en-US")
    context.add_init_script(WATCH)
    # The first visitor after the server started: nothing cached in the server or the browser. Then each page's
    # first visit (the server works the page out, or has while the visitor read the Overview: ui.warm_first_views).
    out: dict[str, float] = {"first open after the start": fresh_open(context, f"{base}/?lang=en")}
    page = context.new_page()
    page.goto(f"{base}/?lang=en")
    settle(page, started=0.0)
    page.wait_for_timeout(READ_S * 1000)  # the visitor reads the Overview before going on
    for name in list(PAGES)[1:] + ["Overview"]:
        out[f"first link {name}"] = page_link(page, name)
    out["open"] = _median([fresh_open(context, f"{base}/?lang=en") for _ in range(repeat)])
    for name in list(PAGES)[1:] + ["Overview"]:
        out[f"link {name}"] = _median([page_link(page, name) for _ in range(repeat)])
    # A country in the sidebar, on the Overview, then back to every country (each pick a new view).
    picks = []
    for country in ("Germany", "France", "Japan")[:max(1, repeat)]:
        picker = page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first
        picker.click()
        page.keyboard.type(country)
        page.keyboard.press("Enter")
        picks.append(settle(page))
        page.keyboard.press("Escape")
        page.locator("[data-testid=stSidebar] [data-testid=stMultiSelect]").first.get_by_role(
            "button", name=f"Remove {country}").first.click()
        settle(page)
    out["sidebar country"] = _median(picks)
    # One step of the what-if (top country's revenue down 5 % more each time).
    page.goto(f"{base}/regions?lang=en&wi_countries=US")
    settle(page, started=0.0)
    steps = []
    for _ in range(repeat):
        drop = page.locator("[data-testid=stNumberInput]", has_text="Revenue drop").first
        drop.scroll_into_view_if_needed()
        drop.locator("button[data-testid=stNumberInputStepUp]").click()
        steps.append(settle(page))
    out["what-if step"] = _median(steps)
    # A country clicked on the map (and clicked again, which clears it: both are timed).
    page.goto(f"{base}/regions?lang=en")
    settle(page, started=0.0)
    clicks = []
    for iso3 in ("DEU", "DEU", "FRA", "FRA", "JPN", "JPN")[:2 * repeat]:
        _click_map_country(page, iso3)
        clicks.append(settle(page))
    out["map click"] = _median(clicks)
    context.close()
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.browser")
    ap.add_argument("--db", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", help="write the results to this file")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright
    env = dict(os.environ, COCKPIT_DB=str(Path(args.db).resolve()))
    app_port, bare_port = free_port(), free_port()
    servers = [_serve("dashboard.py", app_port, env), _serve("bench/bare/app.py", bare_port, env)]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            bare = measure_bare(browser, f"http://127.0.0.1:{bare_port}", args.repeat)
            app = measure_app(browser, f"http://127.0.0.1:{app_port}", args.repeat)
            browser.close()
    finally:
        for s in servers:
            s.terminate()
            s.wait(timeout=30)
    rows = []
    for action, seconds in app.items():
        against = {"open": bare["open"], "first open after the start": bare["first open"]}.get(action, bare["page_link"])
        rows.append({"action": action, "seconds": seconds, "bare_seconds": against,
                     "ratio": round(seconds / against, 2) if against else None})
    print(f"bare Streamlit: first open {bare['first open']:.2f} s, open {bare['open']:.2f} s, "
          f"page link {bare['page_link']:.2f} s")
    print(f"{'action':<28} {'seconds':>8} {'× bare':>7}")
    for r in rows:
        print(f"{r['action']:<28} {r['seconds']:8.2f} {r['ratio']:7.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"bare": bare, "app": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
