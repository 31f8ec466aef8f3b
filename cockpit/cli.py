"""Command line: python -m cockpit import | check | kpis."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from . import db
from .i18n import t
from .importer import ImportFailed, plan_text, run_import


def _bar(stream=sys.stderr):
    state = {"last": -1}
    interactive = stream.isatty()

    def progress(fraction: float, step: str, **values) -> None:
        message = t(step, "en", **values)
        pct = int(fraction * 100)
        if pct == state["last"]:
            return
        state["last"] = pct
        filled = pct // 4
        line = f"[{'#' * filled}{'.' * (25 - filled)}] {pct:3d}% {message}"
        if interactive:
            stream.write("\r" + line.ljust(78))
            if fraction >= 1:
                stream.write("\n")
        elif fraction >= 1 or pct % 20 == 0:
            stream.write(line + "\n")
        stream.flush()
    return progress


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date such as 2025-03-31") from exc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cockpit", description="Customer Cockpit / 外贸客户精细化管理看板")
    sub = parser.add_subparsers(dest="command", required=True)

    for name, helptext in (("import", "import export files into the database"),
                           ("check", "validate export files without writing anything")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("paths", nargs="+", help="files or folders (CSV, XLSX, XLS, Parquet)")
        p.add_argument("--db", default=str(db.db_path()), help="database file (default: $COCKPIT_DB or data/cockpit.duckdb)")
        p.add_argument("--mapping", help="YAML mapping file for headers, sheets and defaults")
        p.add_argument("--currency", help="reporting currency, e.g. USD (default: the database's, else USD)")
        p.add_argument("--replace", action="store_true", help="start from an empty database instead of merging")
        p.add_argument("--json", action="store_true", help="print the report as JSON")

    k = sub.add_parser("kpis", help="print the headline KPIs as JSON")
    k.add_argument("--db", default=str(db.db_path()))
    k.add_argument("--from", dest="date_from", type=_date)
    k.add_argument("--to", dest="date_to", type=_date)
    k.add_argument("--country", nargs="*", default=[], help="ISO-2 codes or names")
    k.add_argument("--lang", choices=["en", "zh"], default="en")
    k.add_argument("--as", dest="as_user", help="apply this user's visibility (users file)")

    r = sub.add_parser("report", help="build the quarterly review pack (.pptx or .html)")
    r.add_argument("--db", default=str(db.db_path()))
    r.add_argument("--quarter", required=True, help="e.g. 2025Q3")
    r.add_argument("--lang", choices=["en", "zh"], default="en")
    r.add_argument("--country", nargs="*", default=[], help="ISO-2 codes or names")
    r.add_argument("--out", required=True, help="pack.pptx or pack.html")
    r.add_argument("--as", dest="as_user", help="apply this user's visibility (users file)")

    u = sub.add_parser("users", help="manage the users file (sign-in and roles)")
    usub = u.add_subparsers(dest="users_command", required=True)
    ua = usub.add_parser("add", help="add or update a user; the password is asked for (or read from stdin)")
    ua.add_argument("name")
    ua.add_argument("--role", choices=["executive", "manager", "rep"], required=True)
    ua.add_argument("--rep", help="the rep's name as written on customer records")
    ua.add_argument("--team", nargs="*", default=[], help="a manager's reps")
    ua.add_argument("--email", help="for OIDC sign-in (st.login)")
    ua.add_argument("--display-name")
    ua.add_argument("--password-stdin", action="store_true")
    usub.add_parser("list", help="list users and roles (never hashes)")

    rb = sub.add_parser("rollback", help="list kept database versions or roll back to one")
    rb.add_argument("--db", default=str(db.db_path()))
    rb.add_argument("--to", dest="version", help="version file name (see --list); default: the newest")
    rb.add_argument("--list", action="store_true", help="list kept versions and exit")

    args = parser.parse_args(argv)
    if args.command in ("import", "check"):
        try:
            report = run_import(args.paths, args.db, mapping=args.mapping, currency=args.currency,
                                replace=args.replace, check_only=args.command == "check", progress=_bar())
        except ImportFailed as exc:
            if exc.plan and not args.json:
                print("\n".join(plan_text(exc.plan)))
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str) if args.json else report.text())
        return 0
    if args.command == "kpis":
        return _kpis(args)
    if args.command == "report":
        return _report(args)
    if args.command == "rollback":
        return _rollback(args)
    if args.command == "users":
        return _users(args)
    return 1


def _viewer(as_user: str | None) -> dict | None:
    """Visibility for --as USER; without it, the command runs with the server operator's full view."""
    from . import auth
    if not as_user:
        return {"all_customers": True, "visible_reps": ()}
    user = auth.load_users().get(as_user)
    if user is None:
        print(f"error: no user '{as_user}' in {auth.users_path()}", file=sys.stderr)
        return None
    all_customers, reps = user.visibility()
    return {"all_customers": all_customers, "visible_reps": tuple(reps)}


def _users(args) -> int:
    import getpass
    from . import auth
    if args.users_command == "list":
        for name, user in sorted(auth.load_users().items()):
            print(f"{name}\t{user.role}\t{user.rep or ''}\t{', '.join(user.team)}")
        return 0
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass(f"Password for {args.name}: ")
    try:
        auth.add_user(args.name, args.role, password, rep=args.rep, team=args.team, email=args.email,
                      display_name=args.display_name)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"saved {args.name} ({args.role}) in {auth.users_path()}")
    return 0


def _rollback(args) -> int:
    from .importer import list_versions, rollback
    versions = list_versions(Path(args.db))
    if args.list or not versions:
        for v in versions:
            print(f"{v.name}  {v.stat().st_size:,} bytes")
        if not versions:
            print("no kept versions", file=sys.stderr)
            return 0 if args.list else 2
        return 0
    try:
        source = rollback(args.db, args.version or versions[0].name)
    except ImportFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"rolled back {args.db} to {source.name}")
    return 0


def _countries(values) -> list[str] | None:
    from .countries import to_iso2
    out = []
    for c in values:
        code = "unknown" if c.lower() == "unknown" else to_iso2(c)
        if code is None:
            print(f"error: '{c}' is not a country (expected an ISO-2 code such as DE, or a name)", file=sys.stderr)
            return None
        out.append(code)
    return out


def _report(args) -> int:
    from .filters import Filters, parse_quarter
    from .report import build
    out = Path(args.out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("pptx", "html"):
        print("error: --out must end in .pptx or .html", file=sys.stderr)
        return 2
    try:
        start, end = parse_quarter(args.quarter)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    countries = _countries(args.country)
    viewer = _viewer(args.as_user)
    if countries is None or viewer is None:
        return 2
    if not Path(args.db).exists():
        print(f"error: no database at {args.db}", file=sys.stderr)
        return 2
    con = db.connect(args.db)
    try:
        payload = build(con, Filters(start, end, tuple(countries), **viewer), args.lang, fmt)
    finally:
        con.close()
    out.write_bytes(payload)
    print(f"wrote {out} ({len(payload):,} bytes)")
    return 0


def _kpis(args) -> int:
    from .filters import Filters
    from .kpis import ALL_FROM, ALL_TO, compute
    if not Path(args.db).exists():
        print(f"error: no database at {args.db}", file=sys.stderr)
        return 2
    countries = _countries(args.country)
    viewer = _viewer(args.as_user)
    if countries is None or viewer is None:
        return 2
    con = db.connect(args.db)
    try:
        filters = Filters(args.date_from or ALL_FROM, args.date_to or ALL_TO, countries=tuple(countries), **viewer)
        result = compute(con, filters)
    finally:
        con.close()
    result["filters"] = filters.describe(args.lang)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0
