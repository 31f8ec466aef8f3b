"""Access: sign-in, roles and row-level visibility on every page, the review pack and the KPI command."""
import json
import subprocess
import sys

import pytest
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from cockpit import auth
from cockpit.i18n import fmt_amount
from tests import independent as ind
from tests.conftest import ROOT

PAGES = ["pages/overview.py", "pages/regions.py", "pages/complaints.py", "pages/customers.py", "pages/churn.py"]
USERS = {"boss": ("executive", None, ()), "mgr": ("manager", None, ("Li Wei", "Zhang Min")), "liwei": ("rep", "Li Wei", ())}
PASSWORD = "correct horse battery"


@pytest.fixture()
def users(app_env, tmp_path, monkeypatch):
    monkeypatch.setenv("COCKPIT_USERS", str(tmp_path / "users.yaml"))
    monkeypatch.setenv("COCKPIT_AUDIT", str(tmp_path / "audit.log"))
    for name, (role, rep, team) in USERS.items():
        auth.add_user(name, role, PASSWORD, rep=rep, team=team)
    return tmp_path


def allowed_for(name):
    crm = ind.sample_customers()
    role, rep, team = USERS[name]
    if role == "executive":
        return set(crm["customer_id"]) | set(crm["客户名称"])
    reps = {rep} if rep else set(team)
    mine = crm[crm["sales_rep"].isin(reps)]
    return set(mine["customer_id"]) | set(mine["客户名称"])


def sign_in(name, password=PASSWORD):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.session_state["lang"] = "en"
    at.run()
    at.text_input(key="login_user").set_value(name)
    at.text_input(key="login_password").set_value(password)
    at.button[0].click().run()
    return at


def all_cells(at) -> set:
    cells = set()
    for df in at.dataframe:
        frame = df.value
        for col in frame.columns:
            cells |= {str(v) for v in frame[col].dropna().tolist()}
    return cells


@pytest.mark.parametrize("name", ["liwei", "mgr", "boss"])
def test_every_page_shows_only_what_the_role_may_see(users, name):
    crm = ind.sample_customers()
    everyone = set(crm["customer_id"]) | set(crm["客户名称"])
    allowed = allowed_for(name)
    at = sign_in(name)
    assert not at.exception
    assert any("Signed in as" in c.value for c in at.caption)
    seen_anywhere = set()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        shown = all_cells(at) & everyone
        assert shown <= allowed, f"{page}: {name} sees {sorted(shown - allowed)[:5]}"
        seen_anywhere |= shown
    assert len(seen_anywhere) > 10
    # The rep's and manager's totals are their customers' totals, not the company's.
    at.switch_page("pages/overview.py").run()
    out = subprocess.run([sys.executable, "-m", "cockpit", "kpis", "--db", at_db(), "--from", "2026-07-01", "--to", "2026-09-30", "--as", name],
                         cwd=ROOT, capture_output=True, text=True, check=True, env=env())
    expected = json.loads(out.stdout)
    revenue = next(m.value for m in at.metric if m.label == "Revenue (USD)")
    assert revenue == fmt_amount(expected["revenue"], "en")
    orders = ind.sample_orders()
    q3 = orders[(orders["ordered_on"] >= "2026-07-01") & (orders["ordered_on"] <= "2026-09-30")]
    mine = q3[q3["customer_id"].isin(allowed)]
    assert expected["revenue"] == pytest.approx(round(mine["usd"].sum(), 2), abs=0.01)


def at_db():
    import os
    return os.environ["COCKPIT_DB"]


def env():
    import os
    return dict(os.environ)


@pytest.mark.parametrize("name", ["liwei", "mgr"])
def test_review_pack_and_kpis_apply_visibility(users, tmp_path, name):
    out = tmp_path / f"{name}.pptx"
    subprocess.run([sys.executable, "-m", "cockpit", "report", "--db", at_db(), "--quarter", "2026Q3", "--lang", "en",
                    "--as", name, "--out", str(out)], cwd=ROOT, check=True, capture_output=True, env=env())
    crm = ind.sample_customers()
    everyone = set(crm["客户名称"])
    allowed = allowed_for(name)
    texts = set()
    for slide in Presentation(str(out)).slides:
        for shape in slide.shapes:
            if shape.has_table:
                for row in shape.table.rows:
                    texts |= {cell.text for cell in row.cells}
    shown = texts & everyone
    assert shown and shown <= allowed


def test_rep_cannot_reach_the_data_page_and_wrong_passwords_are_refused(users, monkeypatch):
    at = sign_in("liwei")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/data.py")  # not even in the navigation for a rep
    # The throttle's clock held still: the attempts below meet the same delays however slowly the machine runs them.
    monkeypatch.setattr(auth.THROTTLE, "clock", lambda: 1_900_000_000.0)
    bad = sign_in("liwei", "wrong password")
    assert any("Wrong user name or password" in e.value for e in bad.error)
    assert not bad.metric
    for _ in range(5):
        sign_in("mgr", "nope nope nope")
    waiting = sign_in("mgr")  # the right password waits out the current delay (seconds, not a lock) ...
    assert any("try again in" in e.value and "seconds" in e.value for e in waiting.error)
    state = json.loads(auth.THROTTLE.path().read_text(encoding="utf-8"))
    count, last = state["names"]["mgr"]
    state["names"]["mgr"] = [count, last - auth.Throttle.MAX_DELAY_S]  # ... which has passed a minute later
    auth.THROTTLE.path().write_text(json.dumps(state), encoding="utf-8")
    assert sign_in("mgr").metric
    log = (users / "audit.log").read_text(encoding="utf-8")
    lines = [json.loads(line) for line in log.splitlines()]
    events = [line["event"] for line in lines]
    assert "sign in" in events and "sign in failed" in events and "view" in events and "sign in refused" in events
    assert {line["user"] for line in lines if line["event"] == "sign in failed"} == {"liwei", "mgr"}
    assert PASSWORD not in log and "wrong password" not in log


def test_demo_mode_without_users(app_env, tmp_path, monkeypatch):
    monkeypatch.setenv("COCKPIT_USERS", str(tmp_path / "none.yaml"))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.session_state["lang"] = "en"
    at.run()
    assert any("Demo mode" in w.value for w in at.sidebar.warning)
    assert at.metric


def test_session_expires(users, monkeypatch):
    at = sign_in("boss")
    assert at.metric
    at.session_state["_last_seen"] = 0.0
    at.run()
    assert any("session expired" in w.value.lower() for w in at.warning)
    assert not at.metric


def test_password_hashes_are_argon2(users):
    text = (users / "users.yaml").read_text(encoding="utf-8")
    assert "$argon2id$" in text and PASSWORD not in text
