"""The managed upload folder and saved mapping presets: the only places the app writes on a user's behalf."""
from __future__ import annotations

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


def max_upload_bytes() -> int:
    return int(float(os.environ.get("COCKPIT_MAX_UPLOAD_MB", "200")) * 1024 * 1024)


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


def save_upload(folder: Path, name: str, data: bytes) -> Path:
    if len(data) > max_upload_bytes():
        raise UploadRefused(f"{name}: {len(data) / 1048576:,.1f} MB is over the upload limit of "
                            f"{max_upload_bytes() / 1048576:,.0f} MB (COCKPIT_MAX_UPLOAD_MB)")
    target = (folder / safe_name(name)).resolve()
    if target.parent != folder.resolve():
        raise UploadRefused(f"{name}: not a plain file name")
    target.write_bytes(data)
    return target


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
