"""The managed upload folder and saved mapping presets: the only places the app writes on a user's behalf."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import unicodedata
import uuid
from pathlib import Path

from .db import ROOT
from .readers import SUPPORTED

PRESETS_SHIPPED = Path(__file__).parent / "presets"


def uploads_root() -> Path:
    return Path(os.environ.get("COCKPIT_UPLOADS") or ROOT / "data" / "uploads")


def presets_root() -> Path:
    return Path(os.environ.get("COCKPIT_PRESETS") or ROOT / "data" / "presets")


def server_upload_mb() -> float:
    """Streamlit's own limit (server.maxUploadSize in .streamlit/config.toml): the one documented upload limit."""
    from streamlit import config
    try:
        return float(config.get_option("server.maxUploadSize"))
    except Exception:  # noqa: BLE001 - outside a Streamlit process without a config file
        return 200.0


def max_upload_bytes() -> int:
    """The upload limit in bytes: the server's, or lower when COCKPIT_MAX_UPLOAD_MB says so."""
    mb = min(server_upload_mb(), float(os.environ.get("COCKPIT_MAX_UPLOAD_MB") or server_upload_mb()))
    return int(mb * 1024 * 1024)


class UploadRefused(Exception):
    pass


def safe_name(name: str, allowed_suffixes=SUPPORTED) -> str:
    """A file name that cannot leave its folder: no directories, no leading dots, no control or odd characters."""
    base = unicodedata.normalize("NFKC", str(name)).replace("\\", "/").split("/")[-1]
    base = re.sub(r"[^\w.\- ]", "_", base).strip(" .")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = suffix.lower()
    if allowed_suffixes is not None and f".{suffix}" not in allowed_suffixes:
        raise UploadRefused(f"{name}: unsupported file type (expected .csv, .xlsx, .xls or .parquet)")
    stem = (stem or "upload")[:100]
    return f"{stem}.{suffix}" if suffix else stem


def session_folder(token: str | None = None) -> tuple[Path, str]:
    token = token if token and re.fullmatch(r"[0-9a-f]{32}", token) else uuid.uuid4().hex
    folder = uploads_root() / token
    folder.mkdir(parents=True, exist_ok=True)
    return folder, token


def save_upload(folder: Path, name: str, data: bytes, upload_id: str | None = None) -> Path:
    """The upload saved under a name of its own inside folder: a prefix from the upload's id (Streamlit's file_id,
    the same for the same upload on every rerun; a random one without it), then the cleaned name. Uploads whose
    names differ only in a path ('../../x.csv', '/tmp/x.csv', 'x.csv') never overwrite each other. The name the
    user gave is kept beside it (original_name)."""
    if len(data) > max_upload_bytes():
        raise UploadRefused(f"{name}: {len(data) / 1048576:,.1f} MB is over the upload limit of "
                            f"{max_upload_bytes() / 1048576:,.0f} MB")
    prefix = hashlib.sha256((upload_id or uuid.uuid4().hex).encode("utf-8")).hexdigest()[:12]
    target = (folder / f"{prefix}_{safe_name(name)}").resolve()
    if target.parent != folder.resolve():
        raise UploadRefused(f"{name}: not a plain file name")
    target.write_bytes(data)
    names = _names(folder)
    names[target.name] = str(name)[:500]
    (folder / NAMES).write_text(json.dumps(names, ensure_ascii=False), encoding="utf-8")
    return target


NAMES = ".names.json"  # saved file name -> the name the user's browser gave


def _names(folder: Path) -> dict:
    try:
        return json.loads((folder / NAMES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def original_name(path: Path) -> str:
    """The name the user uploaded path as (the saved name when unknown)."""
    return _names(path.parent).get(path.name, path.name)


def clear_folder(folder: Path) -> None:
    if folder.resolve().parent == uploads_root().resolve() and folder.exists():
        shutil.rmtree(folder)


def list_presets() -> dict[str, Path]:
    """Shipped presets first (name 'shipped:…'), then the ones saved from the data page."""
    out = {f"shipped:{p.stem}": p for p in sorted(PRESETS_SHIPPED.glob("*.yaml"))}
    if presets_root().exists():
        out |= {f"saved:{p.stem}": p for p in sorted(presets_root().glob("*.yaml"))}
    return out


def save_preset(name: str, text: str) -> Path:
    folder = presets_root()
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / safe_name(f"{name}.yaml", allowed_suffixes={".yaml"})).resolve()
    if target.parent != folder.resolve():
        raise UploadRefused(f"{name}: not a plain preset name")
    target.write_text(text, encoding="utf-8")
    return target
