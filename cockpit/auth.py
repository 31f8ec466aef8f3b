"""Sign-in, roles and row-level visibility, sign-in throttling and the audit log.

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
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .db import ROOT

ROLES = ("executive", "manager", "rep")
_hasher = PasswordHasher()
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


class Throttle:
    """Growing delays after failed sign-ins, never a lock-out (in the spirit of NIST SP 800-63B, 5.2.2).

    Per user name: the first FREE_FAILURES failures cost nothing; after that each attempt for the name waits
    1, 2, 4, … seconds after its latest failure, at most MAX_DELAY_S. Overall: when more than GLOBAL_FREE failures
    (any names) fell in the last GLOBAL_WINDOW_S, every attempt waits 1, 2, 4, … seconds (one doubling per ten
    more failures, at most MAX_DELAY_S) after the latest of them, which slows guessing across names. Once the
    current delay has passed, a correct password always succeeds and clears its name's count. The counts are kept
    in a small JSON file beside the users file (mode 600), so a restart does not reset them."""

    FREE_FAILURES = 3
    GLOBAL_FREE = 30
    GLOBAL_WINDOW_S = 600
    MAX_DELAY_S = 60.0
    MAX_NAMES = 10_000   # names kept (the oldest forgotten first): guesses of random names cannot fill the disk

    def __init__(self, path: Path | None = None, clock=time.time):
        self._path = path
        self._lock = threading.Lock()
        self.clock = clock  # seconds since the epoch (a test may hold it still)

    def path(self) -> Path:
        return self._path or users_path().with_name("signin-throttle.json")

    def _load(self) -> dict:
        try:
            state = json.loads(self.path().read_text(encoding="utf-8"))
            return {"names": dict(state.get("names") or {}), "recent": list(state.get("recent") or [])}
        except (OSError, ValueError, AttributeError):
            return {"names": {}, "recent": []}

    def _save(self, state: dict) -> None:
        p = self.path()
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, p)

    @classmethod
    def _doubling(cls, over: int) -> float:
        return 0.0 if over <= 0 else min(cls.MAX_DELAY_S, 2.0 ** (over - 1))

    def wait_for(self, username: str, now: float | None = None) -> float:
        """Seconds before an attempt for username may be checked (0: now)."""
        now = self.clock() if now is None else now
        with self._lock:
            state = self._load()
        failures, last = state["names"].get(username.strip().lower(), (0, 0.0))
        recent = [t for t in state["recent"] if now - t < self.GLOBAL_WINDOW_S]
        name_wait = last + self._doubling(failures - self.FREE_FAILURES + 1) - now if failures >= self.FREE_FAILURES else 0
        overall = len(recent) - self.GLOBAL_FREE
        global_wait = max(recent) + self._doubling(overall // 10 + 1) - now if overall > 0 else 0
        return max(0.0, name_wait, global_wait)

    def fail(self, username: str, now: float | None = None) -> None:
        now = self.clock() if now is None else now
        key = username.strip().lower()
        with self._lock:
            state = self._load()
            failures, _ = state["names"].get(key, (0, 0.0))
            state["names"][key] = (failures + 1, now)
            if len(state["names"]) > self.MAX_NAMES:
                for old in sorted(state["names"], key=lambda k: state["names"][k][1])[:len(state["names"]) - self.MAX_NAMES]:
                    del state["names"][old]
            state["recent"] = [t for t in state["recent"] if now - t < self.GLOBAL_WINDOW_S][-1000:] + [now]
            self._save(state)

    def succeed(self, username: str) -> None:
        key = username.strip().lower()
        with self._lock:
            state = self._load()
            if state["names"].pop(key, None) is not None:
                self._save(state)


THROTTLE = Throttle()


def audit_name(typed: str) -> str:
    """What the audit log says a sign-in attempt was for: the typed user name, or "(redacted)" when what was typed
    is a user's password (typed into the wrong field); "(blank)" for nothing."""
    typed = (typed or "").strip()
    if not typed:
        return "(blank)"
    users = _load_raw()
    if typed in users:
        return typed
    for body in list(users.values())[:50]:
        try:
            if (body or {}).get("password_hash") and _hasher.verify(body["password_hash"], typed):
                return "(redacted)"
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            continue
    return typed[:64]


def verify(username: str, password: str) -> User | None:
    """The user if the password matches; None otherwise (and the failure counts towards the throttle's delays)."""
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
        THROTTLE.fail(username)
        return None
    THROTTLE.succeed(username)
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
