"""File safety: one writer at a time (a lock), every change written to a new version beside the database and swapped
in atomically (`new_version`, the one place that replaces the file), the replaced versions kept for rollback."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from pathlib import Path
from typing import Iterator

from .model import ImportFailed

KEEP_VERSIONS = int(os.environ.get("COCKPIT_KEEP_VERSIONS", "5"))
# What a new version is called while it is written: .<db>.<purpose>-<pid>.
PURPOSES = ("importing", "upgrading", "rollback")


class NewVersion:
    """The file a change is written to (path); `discard()` keeps the database as it is (a check)."""

    def __init__(self, path: Path):
        self.path = path
        self.wanted = True

    def discard(self) -> None:
        self.wanted = False


@contextlib.contextmanager
def new_version(db: Path, purpose: str, start_from: Path | None = None,
                keep_replaced: bool = True) -> Iterator[NewVersion]:
    """Under the database's lock: a new version of db, started as a copy of start_from (when it exists) or empty,
    for the caller to write; when the block ends without an exception and the version was not discarded, it is
    made durable and renamed over db (the replaced file kept as a version first, when keep_replaced). Whatever happens, the lock is
    released and no temporary file stays behind, so open dashboards read either the old file or the new one."""
    assert purpose in PURPOSES
    held = lock(db)
    version = NewVersion(db.with_name(f".{db.name}.{purpose}-{os.getpid()}"))
    try:
        remove_stale_temporaries(db)
        if start_from is not None and start_from.exists():
            shutil.copy2(start_from, version.path)
        yield version
        if version.wanted:
            fsync(version.path)
            if keep_replaced:
                keep_version(db)
            os.replace(version.path, db)
            fsync_dir(db.parent)
    finally:
        for leftover in (version.path, version.path.with_name(version.path.name + ".wal")):
            if leftover.exists():
                leftover.unlink()
        unlock(held)


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    try:
        fsync(path)
    except OSError:
        pass


def remove_stale_temporaries(db: Path) -> None:
    """New versions left half-written by a process that was killed (we hold the lock, so none is in use)."""
    for purpose in PURPOSES:
        for f in db.parent.glob(f".{db.name}.{purpose}-*"):
            try:
                f.unlink()
            except OSError:
                pass


def lock(db: Path):
    db.parent.mkdir(parents=True, exist_ok=True)
    fh = open(db.with_name(f".{db.name}.lock"), "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        fh.close()
        raise ImportFailed(f"another import into {db.name} is running; try again when it has finished") from exc
    return fh


def unlock(fh) -> None:
    try:
        fcntl.flock(fh, fcntl.LOCK_UN)
    finally:
        fh.close()


def versions_dir(db: Path) -> Path:
    return db.with_name(f".{db.name}.versions")


def keep_version(db: Path) -> None:
    """Keep the database being replaced (a hard link: no copy) so the data page can roll back to it."""
    if not db.exists():
        return
    vdir = versions_dir(db)
    vdir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{time.time_ns() % 1_000_000:06d}"
    target = vdir / f"{stamp}.duckdb"
    try:
        os.link(db, target)
    except OSError:
        shutil.copy2(db, target)
    old = sorted(vdir.glob("*.duckdb"))
    for f in old[:-KEEP_VERSIONS]:
        f.unlink()


def list_versions(db: Path) -> list[Path]:
    """Kept database versions, newest first."""
    vdir = versions_dir(Path(db))
    return sorted(vdir.glob("*.duckdb"), reverse=True) if vdir.exists() else []


def rollback(db: str | Path, version: str) -> Path:
    """Make a kept version the current database (atomically); the current one is kept as a version first."""
    db = Path(db)
    candidates = {v.name: v for v in list_versions(db)}
    if version not in candidates:
        raise ImportFailed(f"no kept version named '{version}' (kept: {', '.join(candidates) or 'none'})")
    source = candidates[version]
    with new_version(db, "rollback", start_from=source):
        pass
    return source
