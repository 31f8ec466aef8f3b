"""What an attacker tries (issue: security): formulas in cells, Markdown and links in names, sign-in guessing and
lock-outs, colliding uploads, secrets in logs."""
from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from cockpit import safety

# Each of these would run as a formula (or a command) in Excel, LibreOffice or Google Sheets.
RISKY = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "|cmd", " =1+1", "  =1+1", "\n=1+1", "\r\n=1+1", "\t=1+1", "\t1",
         "\r1", "＝1+1", "＋1", "－1", "＠SUM(A1)", "｜cmd", "\u3000=1+1", "\u00a0=1+1", " \t\n=HYPERLINK(\"http://evil\")"]
HARMLESS = ["fine", "Müller GmbH", "a=b", "1-2", "email@example.com", "", "（株）", "100 %"]


@pytest.mark.parametrize("cell", RISKY)
def test_every_formula_variant_is_neutralised(cell):
    assert safety.risky_cell(cell)
    assert safety.neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", HARMLESS)
def test_ordinary_text_is_left_as_it_is(cell):
    assert safety.neutralise(cell) == cell


def test_csv_excel_and_pack_cells_carry_the_guard(tmp_path):
    from cockpit import report
    from cockpit.ui import to_csv, to_xlsx
    df = pd.DataFrame({"name": RISKY + HARMLESS, "n": range(len(RISKY) + len(HARMLESS))})
    text = to_csv(df).decode("utf-8-sig")
    back = list(csv.reader(io.StringIO(text, newline="")))[1:]
    assert [r[0] for r in back[:len(RISKY)]] == ["'" + v for v in RISKY]
    assert [r[0] for r in back[len(RISKY):]] == HARMLESS
    excel = pd.read_excel(io.BytesIO(to_xlsx(df)), engine="calamine", keep_default_na=False)
    assert all(str(v).startswith("'") for v in excel["name"][:len(RISKY)])
    assert report.plain("＝cmd|' /C calc'!A0") == "'＝cmd|' /C calc'!A0"


@pytest.mark.parametrize("value", ["**bold** [link](http://evil.example)", "[phish](http://evil.example)",
                                   "<b>html</b>", "# heading", "- list", ":red[colour] :material/home:", "$x^2$",
                                   "`code`", "line one\n# line two", "http://evil.example", "www.evil.example",
                                   "_under_ ~~strike~~ ![img](http://evil.example/x.png)", "1. first", "mail@evil.example",
                                   "a | b", "&lt;b&gt;"])
def test_markdown_from_data_is_shown_as_text(value):
    """md_text escapes every punctuation character; what Markdown then shows is the value itself, on one line."""
    escaped = safety.md_text(value)
    import re
    unescaped = re.sub(r"\\(.)", r"\1", escaped).replace(safety.WORD_JOINER, "")
    assert unescaped == " ".join(value.splitlines())
    assert not re.search(r"(?<!\\)([\[\]()*_`<>$!~@&|]|:[a-z/]|^[#\-+=])", escaped)


def test_uploads_with_the_same_name_never_overwrite_each_other(tmp_path, monkeypatch):
    from cockpit import uploads
    monkeypatch.setenv("COCKPIT_UPLOADS", str(tmp_path / "up"))
    folder, _ = uploads.session_folder()
    names = ["../../x.csv", "/tmp/x.csv", "..\\x.csv", "x.csv"]
    saved = [uploads.save_upload(folder, n, f"id,n\n{i},{i}\n".encode(), upload_id=f"{i:032x}")
             for i, n in enumerate(names)]
    assert len({p.name for p in saved}) == 4 and all(p.parent == folder.resolve() for p in saved)
    assert [p.read_text().splitlines()[1] for p in saved] == ["0,0", "1,1", "2,2", "3,3"]
    assert [uploads.original_name(p) for p in saved] == names
    # The same upload saved again (a rerun) keeps its name; without an id every save gets a new one.
    assert uploads.save_upload(folder, "x.csv", b"id\n3\n", upload_id=f"{3:032x}") == saved[3]
    assert uploads.save_upload(folder, "x.csv", b"a\n") != uploads.save_upload(folder, "x.csv", b"a\n")


def test_the_upload_limit_is_the_servers_and_errors_show_no_details():
    import tomllib

    from cockpit import uploads
    from tests.conftest import ROOT
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] is False
    assert config["server"]["maxUploadSize"] == 200
    assert uploads.max_upload_bytes() <= config["server"]["maxUploadSize"] * 1024 * 1024


def test_sign_in_throttles_with_growing_delays_and_never_locks_out(tmp_path):
    from cockpit.auth import Throttle
    th = Throttle(tmp_path / "signin-throttle.json")
    t0 = 1_000_000.0
    delays = []
    for i in range(12):
        now = t0 + i * 100  # each attempt long after the one before: only the delay after the latest counts
        assert th.wait_for("boss", now) == 0
        th.fail("boss", now)
        delays.append(th.wait_for("boss", now))
    assert delays == [0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60, 60]  # growing, never more than a minute
    # Once the delay has passed, the name may try again; a success clears its count.
    assert th.wait_for("boss", t0 + 1100 + 60) == 0
    th.succeed("boss")
    assert th.wait_for("boss", t0 + 1200) == 0
    # The counts survive a restart (a new Throttle on the same file).
    th.fail("mgr", t0)
    assert Throttle(tmp_path / "signin-throttle.json")._load()["names"]["mgr"][0] == 1


def test_guessing_across_names_slows_everyone_down_but_only_for_seconds(tmp_path):
    from cockpit.auth import Throttle
    th = Throttle(tmp_path / "t.json")
    t0 = 2_000_000.0
    for i in range(Throttle.GLOBAL_FREE + 25):
        th.fail(f"guess{i}", t0 + i)
    last = t0 + Throttle.GLOBAL_FREE + 24
    assert 0 < th.wait_for("boss", last) <= Throttle.MAX_DELAY_S  # a name never tried waits too
    assert th.wait_for("boss", last + Throttle.MAX_DELAY_S) == 0
    assert th.wait_for("boss", last + Throttle.GLOBAL_WINDOW_S + 1) == 0


def test_a_password_typed_as_the_user_name_is_not_logged(tmp_path, monkeypatch):
    from cockpit import auth
    monkeypatch.setenv("COCKPIT_USERS", str(tmp_path / "users.yaml"))
    auth.add_user("boss", "executive", "correct horse battery")
    assert auth.audit_name("correct horse battery") == "(redacted)"
    assert auth.audit_name("boss") == "boss" and auth.audit_name("somebody") == "somebody"
    assert auth.audit_name("") == "(blank)"


def test_downloads_hold_numbers_as_the_screen_shows_them():
    import pandas as pd

    from cockpit import ui
    frame = pd.DataFrame({"customer": ["A"], "revenue": [1234.5678], "breach_pct": [19.33783570954634],
                          "top_share": [12.345], "gap_ratio": [1.2345], "orders": [3]})
    text = ui.to_csv(frame).decode("utf-8-sig")
    assert text.splitlines()[1] == "A,1234.57,19.3,12.3,1.2,3"
    back = pd.read_excel(__import__("io").BytesIO(ui.to_xlsx(frame)), engine="calamine")
    assert back.loc[0, "breach_pct"] == 19.3 and back.loc[0, "revenue"] == 1234.57
