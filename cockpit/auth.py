"""Sign-in, roles and row-level visibility, rate limiting and the audit log.

Roles: executive (every customer), manager (the customers of the reps in their team), rep (their own customers).
Visibility reaches SQL as two mandatory parameters, $all_customers and $visible_reps, added to every query by
ui.query and carried by Filters, so no page, download, pack or KPI call can leave them out.
Passwords are stored as argon2id hashes (argon2-cffi); nothing secret is ever logged or shown."""
from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .db import ROOT

ROLES = ("executive", "manager", "rep")
_hasher = PasswordHasher()
MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60
SESSION_HOURS = float(os.environ.get("COCKPIT_SESSION_HOURS", "8"))


@dataclass(frozen=True)
class User:
    username: str
    role: str
    display_name: str = ""
    rep: str | None = None                  # the rep name on customer records (role rep)
    team: tuple[str, ...] = field(default_factory=tuple)  # reps a manager oversees
    email: str | None = None

    def visibility(self) -> tuple[bool, tuple[str, ...]]:
        if self.role == "executive":
            return True, ()
        if self.role == "manager":
            return False, tuple(self.team) + ((self.rep,) if self.rep else ())
        return False, (self.rep,) if self.rep else ()


EXECUTIVE_ALL = User("(all)", "executive")


def users_path() -> Path:
    return Path(os.environ.get("COCKPIT_USERS") or ROOT / "data" / "users.yaml")


def audit_path() -> Path:
    return Path(os.environ.get("COCKPIT_AUDIT") or ROOT / "data" / "audit.log")


def _load_raw() -> dict:
    p = users_path()
    if not p.exists():
        return {}
    doc = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    return doc.get("users") or {}


def load_users() -> dict[str, User]:
    out = {}
    for name, body in _load_raw().items():
        body = body or {}
        role = body.get("role", "rep")
        if role not in ROLES:
            continue
        out[str(name)] = User(str(name), role, body.get("name") or str(name), body.get("rep"),
                              tuple(body.get("team") or ()), body.get("email"))
    return out


def users_configured() -> bool:
    return bool(_load_raw())


def add_user(username: str, role: str, password: str, rep: str | None = None, team=(), email: str | None = None,
             display_name: str | None = None) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if role == "rep" and not rep:
        raise ValueError("a rep needs --rep, the name on their customer records")
    if len(password) < 8:
        raise ValueError("the password needs at least 8 characters")
    p = users_path()
    doc = {"users": _load_raw()}
    entry = {"role": role, "password_hash": _hasher.hash(password)}
    for k, v in (("name", display_name), ("rep", rep), ("team", list(team) or None), ("email", email)):
        if v:
            entry[k] = v
    doc["users"][username] = entry
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=True), encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, p)


class RateLimiter:
    """At most MAX_FAILURES failed sign-ins per user name in LOCK_SECONDS; then the name is locked that long."""

    def __init__(self):
        self._failures: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def locked_for(self, username: str, now: float | None = None) -> float:
        now = now or time.time()
        with self._lock:
            q = self._failures[username.lower()]
            while q and now - q[0] > LOCK_SECONDS:
                q.popleft()
            return (q[0] + LOCK_SECONDS - now) if len(q) >= MAX_FAILURES else 0.0

    def fail(self, username: str, now: float | None = None) -> None:
        with self._lock:
            self._failures[username.lower()].append(now or time.time())

    def reset(self, username: str) -> None:
        with self._lock:
            self._failures.pop(username.lower(), None)


LIMITER = RateLimiter()


def verify(username: str, password: str) -> User | None:
    """The user if the password matches; None otherwise (and the failure counts towards the lock)."""
    raw = _load_raw().get(username)
    ok = False
    if raw and raw.get("password_hash"):
        try:
            ok = _hasher.verify(raw["password_hash"], password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
    else:
        # Spend the same time on unknown names, so timing does not reveal which names exist.
        try:
            _hasher.verify(_DUMMY, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            pass
    if not ok:
        LIMITER.fail(username)
        return None
    LIMITER.reset(username)
    return load_users().get(username)


_DUMMY = _hasher.hash("not-a-real-password")
_audit_lock = threading.Lock()


def audit(event: str, user: str | None, **fields) -> None:
    """Append one JSON line: when, who, what. Callers never pass secrets; 'password' keys are dropped anyway."""
    record = {"at": dt.datetime.now().isoformat(timespec="seconds"), "user": user or "(demo)", "event": event}
    record |= {k: v for k, v in fields.items() if "password" not in k.lower() and "secret" not in k.lower()}
    p = audit_path()
    with _audit_lock:
        p.parent.mkdir(parents=True, exist_ok=True)
        with open(p, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
