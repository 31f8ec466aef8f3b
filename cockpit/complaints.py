"""Complaint lifecycle measures: latency (calendar or business hours), SLA, backlog, corrective actions.

One definition for the Complaints page, the KPI command and the review pack (docs/metrics.md)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

DEFAULT_TARGETS = {  # severity (lower case) -> (first response hours, resolution hours)
    "critical": (4, 72), "urgent": (4, 72), "high": (8, 120), "major": (12, 168), "medium": (24, 240),
    "normal": (24, 240), "minor": (24, 336), "low": (48, 480), "严重": (4, 72), "重要": (12, 168), "一般": (24, 336),
}
FALLBACK_TARGET = (24, 240)
AGE_BUCKETS = [(0, 1, "0–1 d"), (1, 3, "1–3 d"), (3, 7, "3–7 d"), (7, 30, "7–30 d"), (30, float("inf"), "> 30 d")]
RECURRENCE_DAYS = 180


@dataclass(frozen=True)
class WorkCalendar:
    """Working week and hours for business-hour latency."""
    weekmask: str = "1111100"          # Mon..Sun
    day_start: float = 9.0
    day_end: float = 18.0
    holidays: tuple[dt.date, ...] = field(default_factory=tuple)


def business_hours(start: pd.Series, end: pd.Series, cal: WorkCalendar) -> pd.Series:
    """Working hours between start and end: whole working days in between plus the working part of the first
    and last day. NaN where either end is missing or end < start."""
    s = pd.to_datetime(start)
    e = pd.to_datetime(end)
    ok = s.notna() & e.notna() & (e >= s)
    out = pd.Series(np.nan, index=start.index)
    if not ok.any():
        return out
    s, e = s[ok], e[ok]
    holidays = np.array(list(cal.holidays), dtype="datetime64[D]")
    sd = s.dt.normalize().to_numpy().astype("datetime64[D]")
    ed = e.dt.normalize().to_numpy().astype("datetime64[D]")
    day_len = cal.day_end - cal.day_start
    s_hour = (s - s.dt.normalize()).dt.total_seconds().to_numpy() / 3600
    e_hour = (e - e.dt.normalize()).dt.total_seconds().to_numpy() / 3600
    s_work = np.is_busday(sd, weekmask=cal.weekmask, holidays=holidays)
    e_work = np.is_busday(ed, weekmask=cal.weekmask, holidays=holidays)
    clip = lambda h: np.clip(h, cal.day_start, cal.day_end)  # noqa: E731
    same = sd == ed
    first = np.where(s_work, cal.day_end - clip(s_hour), 0.0)
    last = np.where(e_work, clip(e_hour) - cal.day_start, 0.0)
    between = np.busday_count(sd + 1, ed, weekmask=cal.weekmask, holidays=holidays)
    between = np.where(same, 0, np.maximum(between, 0))
    same_day = np.where(s_work, np.maximum(clip(e_hour) - clip(s_hour), 0.0), 0.0)
    hours = np.where(same, same_day, first + last + between * day_len)
    out[ok] = hours
    return out


def with_latency(rows: pd.DataFrame, mode: str = "calendar", cal: WorkCalendar | None = None) -> pd.DataFrame:
    """Add first_response_h and resolution_h in the chosen hours."""
    out = rows.copy()
    if mode == "business":
        cal = cal or WorkCalendar()
        out["first_response_h"] = business_hours(out["received_at"], out["first_response_at"], cal)
        out["resolution_h"] = business_hours(out["received_at"], out["resolved_at"], cal)
    else:
        out["first_response_h"] = out["hours_to_first_response"]
        out["resolution_h"] = out["hours_to_resolution"]
    return out


def in_period(rows: pd.DataFrame, date_from: dt.date, date_to: dt.date) -> pd.DataFrame:
    received = pd.to_datetime(rows["received_at"]).dt.date
    return rows[(received >= date_from) & (received <= date_to)]


def quantiles(values: pd.Series) -> tuple[float | None, float | None]:
    """Median and continuous 0.9 quantile (linear interpolation), over non-missing values."""
    v = values.dropna()
    if v.empty:
        return None, None
    return float(v.quantile(0.5)), float(v.quantile(0.9))


def latency_by(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """Median and P90 of both latencies per value of `by` (e.g. month, category, severity)."""
    g = rows.groupby(by, dropna=False)
    out = pd.DataFrame({
        "complaints": g.size(),
        "first_response_median_h": g["first_response_h"].median(),
        "first_response_p90_h": g["first_response_h"].quantile(0.9),
        "resolution_median_h": g["resolution_h"].median(),
        "resolution_p90_h": g["resolution_h"].quantile(0.9),
    }).reset_index()
    return out


def parse_targets(text: str | None) -> dict[str, tuple[float, float]]:
    """'Critical:4:72|Major:12:168' -> {'Critical': (4, 72), 'Major': (12, 168)}; bad parts are skipped."""
    out = {}
    for part in (text or "").split("|"):
        bits = part.split(":")
        if len(bits) != 3:
            continue
        try:
            fr, res = float(bits[1]), float(bits[2])
        except ValueError:
            continue
        if bits[0] and 0 < fr <= 10000 and 0 < res <= 100000:
            out[bits[0]] = (fr, res)
    return out


def format_targets(targets: dict[str, tuple[float, float]]) -> str:
    return "|".join(f"{k}:{v[0]:g}:{v[1]:g}" for k, v in targets.items())


def default_targets(severities: list[str]) -> dict[str, tuple[float, float]]:
    return {s: DEFAULT_TARGETS.get(str(s).strip().lower(), FALLBACK_TARGET) for s in severities}


def sla(rows: pd.DataFrame, targets: dict[str, tuple[float, float]], as_of: dt.datetime) -> pd.DataFrame:
    """Per complaint: targets, breached (True/False) or None while open and still within both targets.

    Breached = first response later than its target, or resolution later than its target; an open complaint (or
    one not yet answered) counts once its age at as_of passes the target."""
    out = rows.copy()
    # Looked up once per severity, not once per complaint.
    codes, uniques = pd.factorize(out["severity"], use_na_sentinel=False)
    found = [targets.get(s, DEFAULT_TARGETS.get(str(s).lower(), FALLBACK_TARGET)) for s in uniques]
    out["target_first_response_h"] = np.array([float(v[0]) for v in found], dtype=float)[codes]
    out["target_resolution_h"] = np.array([float(v[1]) for v in found], dtype=float)[codes]
    age_h = (pd.Timestamp(as_of) - pd.to_datetime(out["received_at"])).dt.total_seconds() / 3600
    fr = out["first_response_h"]
    res = out["resolution_h"]
    fr_breach = np.where(fr.notna(), fr > out["target_first_response_h"], age_h > out["target_first_response_h"])
    res_breach = np.where(res.notna(), res > out["target_resolution_h"], age_h > out["target_resolution_h"])
    judged = res.notna() | (age_h > out["target_resolution_h"]) | pd.Series(fr_breach, index=out.index)
    breached = pd.Series(fr_breach | res_breach, index=out.index)
    out["breached"] = breached.where(judged, None)
    return out


def breach_pct(rows_with_sla: pd.DataFrame) -> float | None:
    judged = rows_with_sla["breached"].dropna()
    return float(judged.astype(bool).mean() * 100) if len(judged) else None






def overdue_count(acts: pd.DataFrame) -> int:
    return int((acts["action_state"] == "overdue").sum())


def on_time_share(acts: pd.DataFrame, date_from: dt.date, date_to: dt.date) -> float | None:
    """Share of actions due in the period that were verified on or before their due date."""
    due = pd.to_datetime(acts["action_due_on"]).dt.date
    d = acts[(due >= date_from) & (due <= date_to)]
    return float((d["action_state"] == "verified_on_time").mean() * 100) if len(d) else None






AGE_BOUNDS_DAYS = [b[0] for b in AGE_BUCKETS]


def sla_params(targets: dict[str, tuple[float, float]]) -> dict:
    """The SLA targets as the parameters of queries/complaints/latency_by_month.sql (same lookup as sla())."""
    targets = targets or {"": FALLBACK_TARGET}
    return {"sla_severities": [str(k) for k in targets], "sla_first_response_h": [float(v[0]) for v in targets.values()],
            "sla_resolution_h": [float(v[1]) for v in targets.values()],
            "default_severities": list(DEFAULT_TARGETS), "default_first_response_h": [float(v[0]) for v in DEFAULT_TARGETS.values()],
            "default_resolution_h": [float(v[1]) for v in DEFAULT_TARGETS.values()],
            "fallback_first_response_h": float(FALLBACK_TARGET[0]), "fallback_resolution_h": float(FALLBACK_TARGET[1])}


def backlog_from_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """queries/complaints/open_backlog.sql (bucket number -> complaints) as backlog() gives it."""
    by = dict(zip(counts["bucket"].astype(int), counts["complaints"].astype(int)))
    return pd.DataFrame({"age_bucket": [b[2] for b in AGE_BUCKETS],
                         "complaints": [by.get(i + 1, 0) for i in range(len(AGE_BUCKETS))]})


def monthly(rows_with_sla: pd.DataFrame) -> pd.DataFrame:
    """Per month of receipt: median / P90 latencies and SLA breach %."""
    r = rows_with_sla.assign(month=pd.to_datetime(rows_with_sla["received_at"]).dt.to_period("M").dt.to_timestamp())
    out = latency_by(r, "month")
    breach = r.groupby("month")["breached"].agg(lambda s: s.dropna().astype(bool).mean() * 100 if s.notna().any() else np.nan)
    return out.merge(breach.rename("breach_pct").reset_index(), on="month")




CHOICES = 1000


def complaint_choices(rows: pd.DataFrame, text: str = "", keep: str | None = None, limit: int = CHOICES) -> dict[str, str]:
    """The complaints a picker offers, id -> 'id · customer · category': the `limit` most recently received among
    those whose id, customer or category contains `text` (any case), and `keep` (the complaint already chosen,
    for example from a shared link) if it is one of the rows. (40,000 complaints in a quarter: a picker holding
    them all took half a second to build and megabytes to send; a search reaches any of them.)"""
    pool = rows
    text = (text or "").strip()
    if text:
        hit = np.zeros(len(rows), dtype=bool)
        for col in ("complaint_id", "customer_name", "customer_id", "category"):
            hit |= rows[col].astype("string").str.contains(text, case=False, regex=False, na=False).to_numpy(dtype=bool)
        pool = rows[hit]
    received = pool["received_at"].to_numpy(dtype="datetime64[us]").astype("int64")
    top = pool.iloc[np.argsort(-received, kind="stable")[:limit]]
    if keep is not None and keep not in set(top["complaint_id"]):
        top = pd.concat([rows[rows["complaint_id"] == keep], top])
    who = top["customer_name"].astype(object).where(top["customer_name"].notna(), top["customer_id"].astype(object))
    return {i: f"{i} · {w} · {c}" for i, w, c in zip(top["complaint_id"].tolist(), who.tolist(),
                                                     top["category"].astype(object).tolist())}


# --------------------------------------------------------------------------------------------- the page's view

DIMENSIONS = ("category", "severity", "department", "country_code", "sales_rep")
TIMELINE_COLUMNS = ["complaint_id", "customer_id", "customer_name", "category", "received_at", "first_response_at",
                    "resolved_at", "action_due_on", "action_verified_on"]


def box_stats(rows: pd.DataFrame, value: str = "resolution_h") -> pd.DataFrame:
    """Per severity, the five numbers a box plot draws (Plotly's own rules: linear quartiles; whiskers at the
    furthest values within 1.5 × IQR), so the chart receives five numbers instead of every complaint."""
    out = []
    for sev, part in rows.groupby("severity", sort=True):
        v = part[value].dropna().to_numpy(dtype="float64")
        if not len(v):
            continue
        q1, med, q3 = np.quantile(v, [0.25, 0.5, 0.75])
        iqr = q3 - q1
        out.append({"severity": sev, "q1": float(q1), "median": float(med), "q3": float(q3),
                    "lowerfence": float(v[v >= q1 - 1.5 * iqr].min()), "upperfence": float(v[v <= q3 + 1.5 * iqr].max())})
    return pd.DataFrame(out, columns=["severity", "q1", "median", "q3", "lowerfence", "upperfence"])


def _one_dimension(rows: pd.DataFrame, dim: str) -> pd.DataFrame:
    """complaints/latency_by_dimension.sql's rows of one dimension, as latency_by gives them."""
    one = rows[rows["dimension"] == dim].drop(columns="dimension").rename(columns={"value": dim})
    return one.reset_index(drop=True)


def _defaults(con, filters) -> tuple[dict, list]:
    from . import db
    severities = db.run(con, "complaints/severity_options", filters.viewer())["severity"].tolist()
    return default_targets(severities), severities


def oldest_open(con, filters, max_rows: int | None = 50) -> pd.DataFrame:
    """complaints/oldest_open.sql: the oldest complaints still open at the period's end, the first max_rows."""
    from . import db
    return db.run(con, "complaints/oldest_open", filters.params() | {"as_of": filters.date_to, "max_rows": max_rows})


def view(con, filters, mode: str = "calendar", cal: WorkCalendar | None = None, targets: dict | None = None,
         dim: str = "category", every_dim: bool = False) -> dict:
    """Everything the Complaints page shows for the filters: the KPI cards, the monthly trend, the resolution-time
    boxes, latency by the chosen dimension, the backlog, the oldest open complaints, the overdue actions, recurrence,
    and the 1,000 most recent complaints for the timeline picker. targets: the SLA targets (None: the defaults).
    every_dim=True: latency by every dimension ("by_all"), not only by `dim` ("by")."""
    from . import db
    defaults, severities = _defaults(con, filters)
    targets = dict(defaults if targets is None else targets)
    cal = cal or WorkCalendar()
    p = filters.params()
    as_of = filters.date_to
    at_end = p | {"as_of": as_of}
    end = dt.datetime.combine(as_of, dt.time(23, 59, 59))
    business = mode == "business"
    # Calendar hours are counted in SQL, each chart's numbers by its own query, and only the complaints the timeline
    # offers travel here; business hours need every complaint's times in Python (and the year before, for the trend).
    raw, counts, acts, lat, month, rec, oldest, by_dimension, boxes = db.concurrently(
        lambda: db.run(con, "complaints/complaint_rows", p | {"history_days": 365 if business else 0,
                                                              "newest": None if business else CHOICES}),
        lambda: db.run(con, "complaints/open_backlog", at_end | {"as_ofs": [as_of], "age_bounds_days": AGE_BOUNDS_DAYS}),
        lambda: db.run(con, "complaints/corrective_actions", at_end | {"as_ofs": [as_of]}),
        lambda: None if business else db.run(con, "complaints/period_latency", p | sla_params(targets) | {
            "period_starts": [filters.date_from], "period_ends": [filters.date_to], "as_ofs": [as_of]}),
        lambda: None if business else db.run(con, "complaints/latency_by_month", p | sla_params(targets)),
        lambda: db.run(con, "complaints/recurrence", p | {"recurrence_days": RECURRENCE_DAYS}),
        lambda: db.run(con, "complaints/oldest_open", at_end | {"max_rows": 50}),
        lambda: None if business else db.run(con, "complaints/latency_by_dimension", p),
        lambda: None if business else db.run(con, "complaints/resolution_boxes", p))
    rows = with_latency(raw, mode, cal)
    period = in_period(rows, filters.date_from, filters.date_to)
    if business:
        # Business hours over a holiday calendar are counted in Python (WorkCalendar: SQL has no reasonable way to
        # walk working hours and holidays per complaint), and so are their medians and breaches, by the rules of
        # queries/complaints/period_latency.sql (a test holds the two equal on a calendar of every hour).
        judged = sla(period, targets, end)
        fr_med, fr_p90 = quantiles(period["first_response_h"])
        res_med, res_p90 = quantiles(period["resolution_h"])
        breached = breach_pct(judged)
    else:
        lat = lat.iloc[0]
        fr_med, fr_p90, res_med, res_p90, breached = (None if pd.isna(v) else float(v) for v in lat[[
            "first_response_median_h", "first_response_p90_h", "resolution_median_h", "resolution_p90_h", "breach_pct"]])
    if business:
        month = monthly(sla(rows[pd.to_datetime(rows["received_at"]).dt.date >= filters.date_from - dt.timedelta(days=365)],
                            targets, end))
    rec = rec.iloc[0]
    recent = period.iloc[np.argsort(-period["received_at"].to_numpy(dtype="datetime64[us]").astype("int64"),
                                    kind="stable")[:CHOICES]]
    overdue = acts[acts["action_state"] == "overdue"].sort_values("days_overdue", ascending=False)
    if business:
        boxes, by = box_stats(period), {d: latency_by(period, d) for d in DIMENSIONS}
    else:
        by = {d: _one_dimension(by_dimension, d) for d in DIMENSIONS}
    return {
        "severities": severities, "targets": targets,
        "complaints": int(len(period) if business else lat["complaints"]), "open_total": int(counts["complaints"].sum()),
        "actions": int(len(acts)),
        "first_response_median_h": fr_med, "first_response_p90_h": fr_p90,
        "resolution_median_h": res_med, "resolution_p90_h": res_p90, "breach_pct": breached,
        "overdue_actions": overdue_count(acts), "on_time_pct": on_time_share(acts, filters.date_from, filters.date_to),
        "recurrence_pct": float(rec["recurred"] * 100 / rec["complaints"]) if rec["complaints"] else None,
        "month": month,
        "boxes": boxes,
        **({"by_all": by} if every_dim else {"by": by[dim]}),
        "backlog": backlog_from_counts(counts),
        "oldest": oldest,
        "overdue": overdue,
        "recent": recent[TIMELINE_COLUMNS].reset_index(drop=True),
    }
