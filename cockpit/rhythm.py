"""The reorder-rhythm table (customer_rhythm), built at import with numpy instead of SQL window functions.

One row per customer and order date (positive lines): valid from that date until the customer's next one, with the
order dates so far, the first order date and the median of the gaps between order dates so far (docs/metrics.md,
reorder rhythm; docs/data-model.md). The SQL definition, kept in tests/test_properties.py as the reference this is
held equal to on random data, is:

    median(gap_days) over (partition by customer_id order by ordered_on
                           rows between unbounded preceding and current row)

DuckDB computes that running median with a merge-sort tree per customer: at 10 M order lines (2.3 M order dates)
the window took ~3.5 of the table's ~5.5 CPU seconds. Here every customer's running medians come from one sort and
a walk backwards through each customer's gaps, all customers at once (below): ~0.5 s.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# The order dates of the customers being built (in_scope: every customer, or those a top-up touched;
# build_derived.sql), one row per customer and date, sorted so that each customer's dates are together and in order.
DATES_SQL = """
select customer_id, ordered_on
from customer_day
where positive_line_count > 0 and in_scope(customer_id)
group by all
order by customer_id, ordered_on
"""


def running_medians(values: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """For each group (consecutive blocks of values, sizes[g] long, each in insertion order), the median of its first
    k values at its k-th position (the mean of the two middle values when k is even), as float64.

    Walks each group backwards from its whole set, deleting the newest value each step from a linked list of the
    group's values in sorted order; a pointer to the lower middle value moves at most one place per deletion. All
    groups advance together, one numpy step per position: the work is one sort and a few array operations per
    value, whatever the groups' sizes (a per-group sorted insert would cost the square of a group's size)."""
    total = len(values)
    out = np.full(total, np.nan)
    if total == 0:
        return out
    group = np.repeat(np.arange(len(sizes)), sizes)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    order = np.lexsort((values, group))           # sorted positions: each group's block, by value
    rank = np.empty(total, dtype=np.int64)
    rank[order] = np.arange(total)
    sorted_values = values[order].astype(np.float64)
    # Linked list over sorted positions, shifted by one so that -1 and total have slots (sentinels).
    nxt = np.arange(1, total + 2, dtype=np.int64)  # nxt[p + 1] = next position of p, + 1
    prv = np.arange(-1, total + 1, dtype=np.int64)  # prv[p + 1] = previous position of p, + 1
    live = sizes > 0
    ids = np.flatnonzero(live)
    ids = ids[np.argsort(-sizes[ids], kind="stable")]  # largest groups first: the active ones are a prefix
    group_start, group_size = starts[ids], sizes[ids]
    lo = group_start + (group_size - 1) // 2       # the lower middle of the whole group
    # At step s (0, 1, ...) the groups with more than s values: a prefix of the groups, largest first.
    active_until = np.searchsorted(-group_size, -np.arange(1, group_size[0] + 1), side="right") if len(ids) else []
    for step in range(len(active_until)):
        k = active_until[step]                     # groups with more than `step` values
        size = group_size[:k] - step               # values left in each active group
        low = lo[:k]
        odd = (size % 2) == 1
        above = nxt[low + 1] - 1
        median = np.where(odd, sorted_values[low], (sorted_values[low] + sorted_values[np.minimum(above, total - 1)]) / 2)
        newest = group_start[:k] + size - 1        # the value this median is for, then deleted
        out[newest] = median
        r = rank[newest]
        before, after = prv[r + 1], nxt[r + 1]     # (shifted by one)
        nxt[before] = after
        prv[after] = before
        # Where the lower middle goes once r is gone (sizes before deletion: odd keeps one fewer below it).
        moved = np.where(r == low, np.where(odd, before - 1, after - 1),
                         np.where(r < low, np.where(odd, low, nxt[low + 1] - 1),
                                  np.where(odd, prv[low + 1] - 1, low)))
        lo[:k] = moved
    return out


def rhythm_table(dates: pa.Table) -> pa.Table:
    """customer_rhythm's rows, in its order (valid_from, customer_id), from DATES_SQL's (customer_id, ordered_on)."""
    n = dates.num_rows
    ids = dates.column("customer_id").combine_chunks()
    day = dates.column("ordered_on").combine_chunks()
    days = day.cast(pa.int32()).to_numpy(zero_copy_only=False).astype(np.int64)
    new = np.ones(n, dtype=bool)
    if n > 1:
        new[1:] = pc.fill_null(pc.not_equal(ids.slice(1), ids.slice(0, n - 1)), True).to_numpy(zero_copy_only=False)
    index = np.arange(n)
    first_row = np.maximum.accumulate(np.where(new, index, 0)) if n else index
    last = np.ones(n, dtype=bool)
    last[:-1] = new[1:]
    valid_to = np.empty(n, dtype=np.int64)
    valid_to[:-1] = days[1:]
    # Gaps: every order date after a customer's first, in days since the one before.
    gap_rows = np.flatnonzero(~new)
    gaps = days[gap_rows] - days[gap_rows - 1]
    sizes = np.diff(np.append(np.flatnonzero(new), n)) - 1   # each customer's gaps
    median = np.full(n, np.nan)
    median[gap_rows] = running_medians(gaps, sizes)
    as_date = lambda a, mask=None: pa.array(a.astype(np.int32), mask=mask).cast(pa.date32())  # noqa: E731
    table = pa.table({
        "customer_id": ids,
        "valid_from": day,
        "valid_to": as_date(valid_to, last),
        "order_dates": pa.array(index - first_row + 1, type=pa.int64()),
        "first_order_on": as_date(days[first_row]),
        "median_gap_days": pa.array(median, mask=np.isnan(median)),
    })
    # In the table's order, (valid_from, customer_id): a stable sort by date keeps each day's customers in order.
    return table.take(pa.array(np.argsort(days, kind="stable")))


def compute(cursor) -> pa.Table:
    """customer_rhythm's rows of the customers being built, read from customer_day on `cursor` (the import runs this on
    a thread beside the other summary tables; the import's own connection writes the result)."""
    return rhythm_table(cursor.sql(DATES_SQL).to_arrow_table())
