"""The global filters: one immutable object that gives query parameters and describes itself in words."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import pandas as pd

from . import db
from .i18n import t


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    q0 = (day.month - 1) // 3 * 3 + 1
    start = dt.date(day.year, q0, 1)
    end = (dt.date(day.year + (q0 + 3 > 12), (q0 + 3 - 1) % 12 + 1, 1) - dt.timedelta(days=1))
    return start, end


def quarter_label(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_labels(first: dt.date, last: dt.date) -> list[str]:
    """The calendar quarters from `first` to `last`, newest first ('2026Q3', '2026Q2', ...)."""
    out = []
    start, _ = quarter_of(last)
    while start >= quarter_of(first)[0]:
        out.append(quarter_label(start))
        start = quarter_of(start - dt.timedelta(days=1))[0]
    return out


def parse_quarter(text: str) -> tuple[dt.date, dt.date]:
    """'2025Q3' or '2025-Q3' -> (first day, last day)."""
    s = text.strip().upper().replace("-", "")
    if len(s) != 6 or s[4] != "Q" or not s[:4].isdigit() or s[5] not in "1234":
        raise ValueError(f"'{text}' is not a quarter such as 2025Q3")
    return quarter_of(dt.date(int(s[:4]), (int(s[5]) - 1) * 3 + 1, 1))


@dataclass(frozen=True)
class Filters:
    date_from: dt.date
    date_to: dt.date
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    reps: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    # Row-level visibility (cockpit/auth.py). The default sees nothing: access must be granted explicitly.
    all_customers: bool = False
    visible_reps: tuple[str, ...] = ()
    names: dict = field(default_factory=dict, compare=False, hash=False)  # code -> display name, for describe()

    def params(self) -> dict:
        return {
            "date_from": self.date_from, "date_to": self.date_to,
            "countries": list(self.countries), "regions": list(self.regions),
            "reps": list(self.reps), "segments": list(self.segments),
            "all_customers": bool(self.all_customers), "visible_reps": list(self.visible_reps),
        }

    def viewer(self) -> dict:
        return {"all_customers": bool(self.all_customers), "visible_reps": list(self.visible_reps)}

    def every_country(self) -> "Filters":
        """These filters without the country list (the world map: every country a click can pick)."""
        return replace(self, countries=())

    def seen_by(self, viewer: dict) -> "Filters":
        """These filters for a viewer given as viewer() gives one (all_customers, visible_reps)."""
        return replace(self, all_customers=bool(viewer["all_customers"]), visible_reps=tuple(viewer["visible_reps"]))

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous_period(self) -> "Filters":
        """The period of the same length just before; a whole quarter compares with the quarter before."""
        if quarter_of(self.date_from) == (self.date_from, self.date_to):
            start, end = quarter_of(self.date_from - dt.timedelta(days=1))
            return replace(self, date_from=start, date_to=end)
        end = self.date_from - dt.timedelta(days=1)
        return replace(self, date_from=end - dt.timedelta(days=self.days - 1), date_to=end)

    def year_before(self) -> "Filters":
        def shift(d: dt.date) -> dt.date:
            try:
                return d.replace(year=d.year - 1)
            except ValueError:
                return d.replace(year=d.year - 1, day=28)
        return replace(self, date_from=shift(self.date_from), date_to=shift(self.date_to))

    def period_words(self, lang: str) -> str:
        if quarter_of(self.date_from) == (self.date_from, self.date_to):
            return quarter_label(self.date_from)
        return t("period_range", lang, start=self.date_from.isoformat(), end=self.date_to.isoformat())

    def describe(self, lang: str = "en") -> str:
        """The filters in a sentence: 'Period 2025Q3; countries: Germany, France; all sales reps; all segments.'"""
        from .countries import country_name

        def listed(values, key_some, key_all, is_country=False):
            if not values:
                return t(key_all, lang)
            shown = [self.names.get(v) or (country_name(v, lang) if is_country and v != "unknown" else
                                           t("unknown", lang) if is_country else v) or t("none_value", lang)
                     for v in values[:6]]
            more = t("and_more", lang, n=len(values) - 6) if len(values) > 6 else ""
            return t(key_some, lang, items=t("list_sep", lang).join(shown) + more)
        parts = [
            t("filter_period", lang, period=self.period_words(lang)),
            listed(self.countries, "filter_countries", "filter_all_countries", is_country=True),
            listed(self.regions, "filter_regions", "filter_all_regions"),
            listed(self.reps, "filter_reps", "filter_all_reps"),
            listed(self.segments, "filter_segments", "filter_all_segments"),
        ]
        return t("sentence_sep", lang).join(parts) + t("sentence_end", lang)


def default_quarter(first: dt.date, last: dt.date) -> str:
    """The latest complete quarter in the data (a running quarter would compare badly with a full one)."""
    q_start, q_end = quarter_of(last)
    if last < q_end and q_start > first:
        return quarter_label(q_start - dt.timedelta(days=1))
    return quarter_label(q_start)


def first_view(con) -> Filters | None:
    """The filters of the app's first view (the sidebar's defaults): the latest complete quarter, no country, region,
    rep or segment, every customer visible (an executive, or the demo without sign-in). None without data."""
    first, last, _ = data_range(con)
    if last is None:
        return None
    start, end = parse_quarter(default_quarter(first, last))
    return Filters(start, end, all_customers=True)


def quarter_filters(filters: Filters, quarter_start: dt.date) -> Filters:
    start, end = quarter_of(quarter_start)
    return replace(filters, date_from=start, date_to=end)


def quarters_ending(filters: Filters, n: int = 8) -> list[Filters]:
    """The filters of the n calendar quarters ending with the period's end quarter, oldest first."""
    start, _ = quarter_of(filters.date_to)
    starts = []
    for _ in range(n):
        starts.append(start)
        start = quarter_of(start - dt.timedelta(days=1))[0]
    return [quarter_filters(filters, s) for s in starts[::-1]]


def data_range(con) -> tuple[dt.date | None, dt.date | None, str]:
    """The first and last day of the data (queries/filters/data_range.sql: order days, else complaint days, else
    customer record days; None without any) and the reporting currency."""
    row = db.run(con, "filters/data_range", {}).iloc[0]
    to_date = lambda v: None if v is None or v != v else (v.date() if hasattr(v, "date") else v)  # noqa: E731
    return to_date(row["first_day"]), to_date(row["last_day"]), row["reporting_currency"] or "USD"


def period_params(filters_list: list[Filters]) -> dict:
    """The parameters of a set-based KPI query: the filters (the same for every period) and the periods' dates."""
    first = filters_list[0]
    if any(replace(f, date_from=first.date_from, date_to=first.date_to) != first for f in filters_list):
        raise ValueError("set-based KPIs take periods of the same filters")
    return first.params() | {"period_starts": [f.date_from for f in filters_list],
                             "period_ends": [f.date_to for f in filters_list]}


def by_period(frame: pd.DataFrame) -> dict:
    """A set-based query's rows by (first day, last day) of their period."""
    return {(a.date(), b.date()): rows for (a, b), rows in frame.groupby(["period_from", "period_to"], sort=False)}
