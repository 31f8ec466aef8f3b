"""The running app in a real browser (Playwright driving Debian's /usr/bin/chromium): every page renders, draws its
charts, shows no exception, and nothing is requested from outside 127.0.0.1."""
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-quic", "--no-first-run", "--disable-sync", "--disable-extensions"]
PAGES = {"overview": "", "churn": "churn", "regions": "regions", "complaints": "complaints", "customers": "customers", "data": "data"}  # page name -> URL path (the default page lives at /)
CHARTLESS = {"data"}
SHOTS = os.environ.get("COCKPIT_SCREENSHOTS")  # a folder: save screenshots of every page there

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db, extra_env=None):
    port = free_port()
    env = dict(os.environ, COCKPIT_DB=str(db), **(extra_env or {}))
    # Output to a file, not a pipe nobody reads (a full pipe would stall the server).
    log = open(Path(db).with_suffix(".server.log"), "wb")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    proc.log_path = log.name
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if urllib.request.urlopen(base + "/_stcore/health", timeout=1).read() == b"ok":
                return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("streamlit did not start: " + Path(proc.log_path).read_text(errors="replace")[-2000:])


@pytest.fixture(scope="module")
def server(tmp_path_factory, sample_db):
    db = tmp_path_factory.mktemp("browser") / "cockpit.duckdb"
    shutil.copy2(sample_db, db)
    proc, base = start_server(db)
    yield base, db
    if proc.poll() is not None:
        print("server exited early:", Path(proc.log_path).read_text(errors="replace")[-3000:])
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def secured_server(tmp_path_factory, sample_db):
    from cockpit import auth
    folder = tmp_path_factory.mktemp("secured")
    db = folder / "cockpit.duckdb"
    shutil.copy2(sample_db, db)
    users = folder / "users.yaml"
    old = os.environ.get("COCKPIT_USERS")
    os.environ["COCKPIT_USERS"] = str(users)
    try:
        auth.add_user("boss", "executive", "correct horse battery")
    finally:
        if old is None:
            os.environ.pop("COCKPIT_USERS")
        else:
            os.environ["COCKPIT_USERS"] = old
    proc, base = start_server(db, {"COCKPIT_USERS": str(users), "COCKPIT_AUDIT": str(folder / "audit.log")})
    yield base, folder
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def wait_idle(page, timeout_s=40):
    page.wait_for_selector("[data-testid=stApp]", timeout=timeout_s * 1000)
    # page.wait_for_timeout, never time.sleep: route handlers only run while Playwright has control.
    deadline = time.time() + timeout_s
    page.wait_for_timeout(800)
    while time.time() < deadline:
        if page.locator("[data-testid=stStatusWidget]").count() == 0 and page.locator("[data-testid=stSpinner]").count() == 0:
            break
        page.wait_for_timeout(200)
    page.wait_for_timeout(800)


def open_page(browser, url, outside, width=1920, height=1080):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")

    def route(r):
        if r.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            return r.continue_()
        outside.append(r.request.url)
        return r.abort()
    context.route("**/*", route)
    page = context.new_page()
    page.goto(url)
    wait_idle(page)
    return context, page


# Every KPI card's value and label, and anything inside them, whose text is wider than its box (Streamlit then cuts
# it with an ellipsis).
CUT_OFF_CARDS = """() => Array.from(document.querySelectorAll('[data-testid=stMetricValue], [data-testid=stMetricLabel]'))
    .flatMap(m => [m, ...m.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => m.innerText + ' (' + e.scrollWidth + ' px in ' + e.clientWidth + ')'))"""
# The text a person can read: the page's text and every chart's (SVG text is not in innerText).
VISIBLE_TEXT = """() => document.body.innerText + '\\n' +
    Array.from(document.querySelectorAll('svg text')).map(t => t.textContent).join('\\n')"""
# What must never be shown: a missing value as Python or pandas prints it.
MISSING = re.compile(r"\b(None|nan|NaN|NaT)\b")
# In the Chinese view: English month names and the product's own English vocabulary (severity, status, import words).
# Customer names, countries' ISO codes, currencies and Streamlit's own uploader strings (docs/i18n.md) are allowed.
ENGLISH_IN_ZH = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|January|February|March|April|June|July|August|"
    r"September|October|November|December|Critical|Major|Minor|Urgent|On rhythm|At risk|Lapsed|Upload|done|"
    r"customer_id|sales_rep|ordered_on|Open|Resolved|Overdue|Verified|merge|replace|first start)\b")
STREAMLIT_UPLOADER = ("Upload", "per file")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)], ids=["1920", "1366"])
def test_every_page_as_an_executive_sees_it(server, browser, lang, size):
    """Every page, in both languages, on a projector and on a laptop: it renders offline with its charts and no
    exception; no 'None', 'nan' or 'NaT' anywhere on it; no KPI card's value or label cut short; at 1366 × 768 its
    first screen shows a number; and in Chinese no English month name nor any of the product's English words."""
    base, _ = server
    width, height = size
    outside: list[str] = []
    for name, path in PAGES.items():
        context, page = open_page(browser, f"{base}/{path}?lang={lang}", outside, width=width, height=height)
        try:
            exc = page.locator("[data-testid=stException]")
            assert exc.count() == 0, f"{name}: exception shown: {exc.first.inner_text()[:1500]}"
            assert "Page not found" not in page.inner_text("body"), f"{name}: page not found"
            if name not in CHARTLESS:
                page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20000)
                page.wait_for_selector("[data-testid=stMetricValue]", timeout=20000)
                # A card can be measured mid-layout (its columns still settling); a cut that stays for 5 s is real.
                try:
                    page.wait_for_function(f"() => ({CUT_OFF_CARDS})().length === 0", timeout=5000)
                except Exception:
                    pass
                assert page.evaluate(CUT_OFF_CARDS) == [], f"{name} ({lang}, {width}): card text cut off"
                first = page.locator("[data-testid=stMetricValue]").first.bounding_box()
                assert first and first["y"] + first["height"] <= height, f"{name} ({lang}, {width}): no number on the first screen"
            text = page.evaluate(VISIBLE_TEXT)
            assert not MISSING.findall(text), f"{name} ({lang}, {width}): {sorted(set(MISSING.findall(text)))}"
            if lang == "zh":
                for phrase in STREAMLIT_UPLOADER:
                    text = text.replace(phrase, "")
                english = sorted(set(ENGLISH_IN_ZH.findall(text)))
                assert english == [], f"{name} (zh, {width}): English left in the Chinese view: {english}"
            if SHOTS:
                Path(SHOTS).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{SHOTS}/{name}-{lang}-{width}.png", full_page=True)
        finally:
            context.close()
    assert outside == [], f"requests left 127.0.0.1: {outside[:5]}"


def test_map_draws_country_shapes_with_the_network_blocked(server, browser):
    base, _ = server
    outside: list[str] = []
    context, page = open_page(browser, f"{base}/regions?lang=zh", outside)
    try:
        page.wait_for_selector(".js-plotly-plot .geo path.choroplethlocation", timeout=30000)
        shapes = page.locator(".js-plotly-plot path.choroplethlocation").count()
        assert shapes >= 40, f"only {shapes} country shapes drawn"
        land = page.locator(".js-plotly-plot .geo .layer.land path, .js-plotly-plot .geo .countries path").count()
        assert land >= 1
    finally:
        context.close()
    assert outside == [], outside


def test_customer_360_draws_the_order_timeline(server, browser):
    base, _ = server
    outside: list[str] = []
    context, page = open_page(browser, f"{base}/customers?lang=en&customer=C10002", outside)
    try:
        assert page.locator("[data-testid=stException]").count() == 0
        title = page.locator(".js-plotly-plot .gtitle", has_text="Orders over time")
        title.first.wait_for(timeout=30000)
        chart = page.locator(".js-plotly-plot", has=page.locator(".gtitle", has_text="Orders over time"))
        assert chart.locator("g.point path").count() > 5, "no order bars drawn"
        assert "customer=C10002" in page.url
    finally:
        context.close()
    assert outside == []


def _live_q3_view(sample_db, view):
    """A page's view (view(con, filters)) of the app's default period, 2026Q3, whole company."""
    import datetime as dt

    from cockpit import db as cdb
    from cockpit.filters import Filters
    con = cdb.connect(sample_db)
    try:
        return view(con, Filters(dt.date(2026, 7, 1), dt.date(2026, 9, 30), all_customers=True))
    finally:
        con.close()


def _csv_buttons(page, shown: str):
    """The page's CSV download buttons, once they are drawn, `shown` is on the page and the page is idle."""
    buttons = page.locator("[data-testid=stDownloadButton]", has_text="CSV")
    buttons.first.wait_for(timeout=30000)
    page.get_by_text(shown).first.wait_for(timeout=30000)
    wait_idle(page)
    return buttons


def test_whole_list_downloads_are_made_when_clicked(server, browser, sample_db):
    """The churn page shows the heads of its lists; the CSV button fetches the whole list from the database when
    clicked (a Streamlit deferred download): every flagged customer, as many as the cards count."""
    import csv
    import io

    from cockpit import churn as ch
    counts = _live_q3_view(sample_db, ch.view)["counts"]
    base, _ = server
    outside: list[str] = []
    context, page = open_page(browser, f"{base}/churn?lang=en", outside)
    try:
        buttons = _csv_buttons(page, "At-risk and lapsed customers")
        text, seen = None, []
        for i in range(buttons.count()):  # the flagged list's file, whichever button it is
            with page.expect_download(timeout=60000) as got:
                buttons.nth(i).click()
            seen.append(got.value.suggested_filename)
            if got.value.suggested_filename.startswith("at-risk-"):
                text = Path(got.value.path()).read_text(encoding="utf-8-sig")
                break
        assert text is not None, f"no download of the flagged list among {seen}"
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) - 1 == counts["at_risk"] + counts["lapsed"] > 0
        assert page.locator("[data-testid=stException]").count() == 0
    finally:
        context.close()
    assert outside == []


def test_customers_whole_list_downloads(server, browser, sample_db):
    """The Customers page's lists (fix list, duplicates, public pool) show their heads; each CSV button writes the
    whole list when clicked (records.view_lists): the public pool's file holds every candidate the card counts."""
    import csv
    import io

    from cockpit import records as rx
    view = _live_q3_view(sample_db, rx.view)
    base, _ = server
    outside: list[str] = []
    context, page = open_page(browser, f"{base}/customers?lang=en", outside)
    try:
        buttons = _csv_buttons(page, "Public pool")
        files = {}
        for i in range(buttons.count()):
            with page.expect_download(timeout=60000) as got:
                buttons.nth(i).click()
            files[got.value.suggested_filename] = Path(got.value.path()).read_text(encoding="utf-8-sig")
        rows = {name: list(csv.reader(io.StringIO(text)))[1:] for name, text in files.items()}
        assert len(rows["public-pool.csv"]) == view["pool_count"] > rx.SHOWN
        assert len(rows["duplicate-customers.csv"]) == view["duplicates_count"] > 0
        fix = next(name for name in rows if name.startswith("fix-list-"))
        assert len(rows[fix]) == view["fix_count"] > 0
        assert page.locator("[data-testid=stException]").count() == 0
    finally:
        context.close()
    assert outside == []


def test_html_review_pack_opens_offline(server, browser, tmp_path):
    _, db = server
    out = tmp_path / "pack.html"
    subprocess.run([sys.executable, "-m", "cockpit", "report", "--db", str(db), "--quarter", "2026Q3", "--lang", "en",
                    "--out", str(out)], cwd=ROOT, check=True, capture_output=True)
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    requests: list[str] = []
    context.route("**/*", lambda r: (requests.append(r.request.url), r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort()))
    page = context.new_page()
    try:
        page.goto(out.as_uri())
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20000)
        assert page.locator(".js-plotly-plot").count() >= 3
        assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    finally:
        context.close()


def test_filters_survive_a_copied_link(server, browser):
    base, _ = server
    outside: list[str] = []
    context, page = open_page(browser, f"{base}/?lang=en&period=2025Q2&countries=DE&countries=US", outside)
    try:
        text = page.inner_text("[data-testid=stMain]")
        assert "Period 2025Q2; countries: Germany, United States" in text
    finally:
        context.close()


def metric_value(page, label: str) -> str:
    card = page.locator("[data-testid=stMetric]", has=page.locator("[data-testid=stMetricLabel]", has_text=label)).first
    return card.locator("[data-testid=stMetricValue]").inner_text().strip()


def test_upload_import_and_roll_back_through_the_data_page(server, browser, tmp_path):
    base, db = server
    gbk = tmp_path / "订单_2026Q3.csv"
    gbk.write_bytes(("订单号,客户编号,客户名称,国家,下单日期,金额,币种\n"
                     "N-1,N900001,杭州新客户贸易有限公司,德国,2026/8/3,\"12,000.00\",USD\n"
                     "N-2,N900002,Nouveau Client SARL,法国,2026/8/4,5000,USD\n"
                     "N-3,N900003,New Buyer Inc.,美国,2026/8/5,7000,USD\n").encode("gb18030"))
    outside: list[str] = []
    context, page = open_page(browser, f"{base}/?lang=en", outside)
    try:
        before = int(metric_value(page, "New customers").replace(",", ""))
        page.goto(f"{base}/data?lang=en")
        wait_idle(page)
        page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(gbk))
        page.get_by_text("Orders (lines or orders)").first.wait_for(timeout=30000)
        wait_idle(page)
        text = page.inner_text("[data-testid=stMain]")
        assert "encoding gb18030" in text and "下单日期" in text
        # The plan: what the importer decided and why, before anything is imported.
        assert "Read as Orders (lines or orders) because of the headers" in text and "the file name" in text
        assert "Encoding gb18030: not UTF-8, and its non-ASCII text is common Chinese characters" in text
        page.get_by_role("button", name="Import").click()
        page.get_by_text("Imported:").first.wait_for(timeout=60000)
        # Lines without exchange rates into a database that holds lines: a top-up, whose summary tables are built
        # again for its three (new) customers only, and the page says so.
        page.get_by_text("A top-up: the summary tables were built again for the 3 customer(s)").first.wait_for(timeout=10000)
        # ...of the days from the first one its lines bring.
        assert "only the rows from 2026-08-03 on were built again" in page.inner_text("[data-testid=stMain]")

        page.goto(f"{base}/?lang=en")
        wait_idle(page)
        assert int(metric_value(page, "New customers").replace(",", "")) == before + 3

        page.goto(f"{base}/data?lang=en")
        wait_idle(page)
        page.get_by_role("button", name="Roll back to this version").click()
        page.get_by_text("Rolled back to").first.wait_for(timeout=30000)
        page.goto(f"{base}/?lang=en")
        wait_idle(page)
        assert int(metric_value(page, "New customers").replace(",", "")) == before
    finally:
        context.close()
    assert outside == []


def test_an_import_in_the_chinese_view_is_said_in_chinese(server, browser, tmp_path):
    """The data page in Chinese, through an upload and an import: the plan, the fields each column maps to, the
    progress and the result are in Chinese (no 'done', no 'ordered_on'); the import is then rolled back."""
    base, _ = server
    upload = tmp_path / "订单_2026Q4.csv"
    upload.write_bytes(("订单号,客户编号,国家,下单日期,金额,币种\n"
                        "Z-1,Z900001,德国,2026/9/3,\"1,200.00\",USD\n").encode("gb18030"))
    outside: list[str] = []
    context, page = open_page(browser, f"{base}/data?lang=zh", outside, width=1366, height=768)
    try:
        page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(upload))
        page.get_by_text("文件的每一列及其对应字段").first.wait_for(timeout=30000)
        wait_idle(page)
        text = page.inner_text("[data-testid=stMain]")
        assert "判定为订单（明细或整单）" in text
        mapped = [s.inner_text().strip() for s in page.locator("[data-testid=stSelectbox]").all()]
        assert {"订单号", "客户编号", "下单日期", "金额", "币种"} <= set(mapped), mapped
        page.get_by_role("button", name="导入", exact=True).click()
        page.get_by_text("导入完成").first.wait_for(timeout=60000)
        wait_idle(page)
        text = page.evaluate(VISIBLE_TEXT)
        assert "完成" in text and "增量导入" in text and "2026-09-03" in text
        for phrase in STREAMLIT_UPLOADER:
            text = text.replace(phrase, "")
        assert sorted(set(ENGLISH_IN_ZH.findall(text))) == []
        page.get_by_role("button", name="回滚到此版本").click()
        page.get_by_text("已回滚到").first.wait_for(timeout=30000)
    finally:
        context.close()
    assert outside == []


def test_missing_required_column_is_refused_on_the_data_page(server, browser, tmp_path):
    import hashlib
    base, db = server
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    bad = tmp_path / "orders_bad.csv"
    bad.write_bytes("客户编号,金额\nA1,100\nA1,abc\n".encode("gb18030"))
    outside: list[str] = []
    context, page = open_page(browser, f"{base}/data?lang=en", outside)
    try:
        page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(bad))
        page.get_by_text("orders_bad.csv").first.wait_for(timeout=30000)
        wait_idle(page)
        page.get_by_role("button", name="Import").click()
        page.get_by_text("Import refused").first.wait_for(timeout=30000)
        text = page.inner_text("[data-testid=stMain]")
        assert "orders_bad.csv" in text and "ordered_on" in text and "row 3" in text
    finally:
        context.close()
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest


def test_sign_in_through_the_form(secured_server, browser):
    base, folder = secured_server
    outside: list[str] = []
    context, page = open_page(browser, f"{base}/?lang=en", outside)
    try:
        assert page.locator("[data-testid=stMetric]").count() == 0
        page.get_by_role("textbox", name="User name").fill("boss")
        page.get_by_role("textbox", name="Password").fill("wrong password")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("Wrong user name or password.").wait_for(timeout=20000)
        page.get_by_role("textbox", name="Password").fill("correct horse battery")
        page.get_by_role("button", name="Sign in").click()
        page.locator("[data-testid=stMetric]").first.wait_for(timeout=30000)
        wait_idle(page)
        assert "Overview" in page.inner_text("[data-testid=stMain]")
        assert page.locator("[data-testid=stException]").count() == 0
    finally:
        context.close()
    assert outside == []
    log = (folder / "audit.log").read_text(encoding="utf-8")
    assert '"sign in failed"' in log and '"sign in"' in log and "correct horse" not in log
