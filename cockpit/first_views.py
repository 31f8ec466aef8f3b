"""What each page asks the cache for on its first view (the sidebar's default filters, every setting at its
default), in the order a visitor meets the pages: the list ui.warm_first_views works out when the app starts or a
new import lands, so that the first visit reads what later visits read. Each entry is the call the page script makes
(pages/*.py, through ui.computed) with the same arguments; tests/test_app.py opens every page after a warm-up and
holds that none of them works anything out again."""
from __future__ import annotations

from . import churn, complaints, records, regions
from . import overview as ov
from .filters import Filters


def calls(filters: Filters) -> list[tuple]:
    """(function, its filters, the arguments after them, kwargs) of every page's first view for `filters` (a calendar
    quarter, as the default period is)."""
    return [
        # The Overview: its eight quarters, the movers against the quarter before, the months and the year before.
        (ov.quarters, filters, (), {}),
        (ov.movers, filters, (filters.previous_period(),), {}),
        (ov.revenue_by_month, filters, (), {}),
        (ov.revenue_by_month, filters.year_before(), (), {}),
        (regions.view, filters, (), {}),
        (complaints.view, filters, ("calendar", complaints.WorkCalendar(), None), {"every_dim": True}),
        (records.view, filters, (), dict(records.VIEW_DEFAULTS)),  # (the rep, quarters and customer: None)
        (churn.view, filters, (churn.RhythmRules(), (), (), None), {}),
    ]
