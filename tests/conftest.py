import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_CANDIDATES = [os.environ.get("COCKPIT_REALDATA"), ROOT.parent / "shared" / "realdata",
               ROOT.parent.parent / "shared" / "realdata", Path("/work/shared/realdata")]
REALDATA = next((Path(c) for c in _CANDIDATES if c and Path(c).exists()), ROOT.parent / "shared" / "realdata")


def realdata(*parts) -> Path:
    path = REALDATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data not present: {path}")
    return path


@pytest.fixture(scope="session", autouse=True)
def _keep_the_repo_clean(tmp_path_factory):
    """The audit log, uploads and saved presets go to a temporary folder, never into data/ of the checkout
    (servers started by the browser tests inherit these variables)."""
    scratch = tmp_path_factory.mktemp("scratch")
    for var, name in (("COCKPIT_AUDIT", "audit.log"), ("COCKPIT_UPLOADS", "uploads"), ("COCKPIT_PRESETS", "presets")):
        os.environ.setdefault(var, str(scratch / name))
    yield


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The sample company imported once into a fresh database file."""
    from cockpit.importer import run_import
    path = tmp_path_factory.mktemp("sample") / "cockpit.duckdb"
    run_import([ROOT / "data" / "sample"], path, currency="USD")
    return path


@pytest.fixture()
def sample_con(sample_db):
    from cockpit import db
    con = db.connect(sample_db)
    yield con
    con.close()


@pytest.fixture()
def app_env(sample_db, monkeypatch):
    """AppTest on dashboard.py against the sample database.

    Streamlit 1.67's AppTest resets PagesManager.uses_pages_directory before each run and then, because a
    folder named pages/ exists, takes the legacy multipage path on reruns, which drops the entry point's
    sidebar widgets. The real server sets the flag False once via st.navigation; we do the same here."""
    from streamlit.runtime.pages_manager import PagesManager
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
    monkeypatch.setenv("COCKPIT_DB", str(sample_db))
    yield sample_db


def copy_db(src: Path, dst_dir: Path) -> Path:
    dst = dst_dir / src.name
    shutil.copy2(src, dst)
    return dst
