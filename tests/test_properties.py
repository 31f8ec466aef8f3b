"""Property tests (hypothesis) for the date, money, country and header parsers."""
import datetime as dt
import string

import pandas as pd
import pycountry
from babel import Locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cockpit.countries import to_iso2
from cockpit.parse import parse_dates, parse_money
from cockpit.schema import TABLES, match_headers

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
dates = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2080, 12, 31))


@SETTINGS
@given(d=dates, style=st.sampled_from(["iso", "slash_ymd", "dot_ymd", "cn", "compact"]))
def test_unambiguous_dates_round_trip(d, style):
    text = {"iso": d.isoformat(), "slash_ymd": f"{d.year}/{d.month}/{d.day}", "dot_ymd": f"{d.year}.{d.month:02d}.{d.day:02d}",
            "cn": f"{d.year}年{d.month}月{d.day}日", "compact": d.strftime("%Y%m%d")}[style]
    r = parse_dates(pd.Series([text]))
    assert r.values.iloc[0] == pd.Timestamp(d) and not r.bad.any()


@SETTINGS
@given(ds=st.lists(dates, min_size=1, max_size=30), order=st.sampled_from(["DMY", "MDY"]),
       sep=st.sampled_from(["/", "-", "."]))
def test_day_month_columns_are_read_right_when_the_column_can_tell(ds, order, sep):
    # Add one date whose day is above 12, so the column proves its order.
    ds = ds + [dt.date(2024, 5, 23)]
    fmt = (lambda d: f"{d.day:02d}{sep}{d.month:02d}{sep}{d.year}") if order == "DMY" else \
        (lambda d: f"{d.month:02d}{sep}{d.day:02d}{sep}{d.year}")
    r = parse_dates(pd.Series([fmt(d) for d in ds]))
    assert [v.date() for v in r.values] == ds


@SETTINGS
@given(ds=st.lists(dates, min_size=1, max_size=20))
def test_excel_serials_round_trip(ds):
    serials = [(pd.Timestamp(d) - pd.Timestamp("1899-12-30")).days for d in ds]
    r = parse_dates(pd.Series(serials, dtype="int64"))
    assert [v.date() for v in r.values] == ds


@SETTINGS
@given(text=st.text(max_size=40))
def test_dates_never_raise(text):
    r = parse_dates(pd.Series([text, None, ""]))
    assert len(r.values) == 3 and len(r.bad) == 3


@SETTINGS
@given(cents=st.integers(min_value=-10**12, max_value=10**12),
       style=st.sampled_from(["plain", "us", "eu", "swiss", "space", "paren", "symbol_us", "symbol_eu", "code"]))
def test_money_round_trips(cents, style):
    value = cents / 100
    a = abs(value)
    us = f"{a:,.2f}"
    eu = us.replace(",", "X").replace(".", ",").replace("X", ".")
    sign = "-" if value < 0 else ""
    text = {"plain": f"{value:.2f}", "us": sign + us, "eu": sign + eu, "swiss": sign + us.replace(",", "'"),
            "space": sign + us.replace(",", " "), "paren": f"({us})" if value < 0 else us,
            "symbol_us": f"{sign}${us}", "symbol_eu": f"{sign}€ {eu}", "code": f"USD {sign}{us}"}[style]
    r = parse_money(pd.Series([text]))
    assert not r.bad.any(), text
    assert round(r.values.iloc[0], 2) == round(value, 2), text


@SETTINGS
@given(text=st.text(max_size=30))
def test_money_never_raises(text):
    r = parse_money(pd.Series([text]))
    assert len(r.values) == 1


COUNTRIES = [c for c in pycountry.countries if c.alpha_2 not in ("AQ", "BV", "HM", "UM")]
ZH = Locale.parse("zh").territories
EN = Locale.parse("en").territories


@SETTINGS
@given(c=st.sampled_from(COUNTRIES), form=st.sampled_from(["alpha2", "alpha3", "name", "cldr_en", "cldr_zh"]),
       case=st.sampled_from(["same", "upper", "lower"]), pad=st.booleans())
def test_every_country_in_every_common_form(c, form, case, pad):
    if form == "alpha2" and c.alpha_2 == "NA":
        form = "alpha3"  # a bare "NA" in an export means "not available" (documented in docs/data-model.md)
    text = {"alpha2": c.alpha_2, "alpha3": c.alpha_3, "name": c.name, "cldr_en": EN.get(c.alpha_2, c.name),
            "cldr_zh": ZH.get(c.alpha_2, c.name)}[form]
    text = {"same": text, "upper": text.upper(), "lower": text.lower()}[case]
    if pad:
        text = f"  {text} "
    assert to_iso2(text) == c.alpha_2


@SETTINGS
@given(text=st.text(max_size=30))
def test_countries_never_raise(text):
    code = to_iso2(text)
    assert code is None or (len(code) == 2 and code.isupper())


FIELDS = [(table, f) for table, fields in TABLES.items() for f in fields]


@SETTINGS
@given(pick=st.sampled_from(FIELDS), data=st.data(), case=st.sampled_from(["upper", "lower", "title"]),
       joiner=st.sampled_from([" ", "_", "", "-", "  "]))
def test_header_aliases_survive_case_and_spacing(pick, data, case, joiner):
    table, field = pick
    alias = data.draw(st.sampled_from(field.aliases))
    words = alias.split()
    text = joiner.join(words)
    text = {"upper": text.upper(), "lower": text.lower(), "title": text.title()}[case]
    got = match_headers(table, [text])
    # The alias may legitimately belong to an earlier field of the same table (e.g. 'owner'); it maps to one field.
    assert len(got) == 1
    owner = next(name for name, _ in got.items())
    first_owner = next(f.name for f in TABLES[table] if any(
        "".join(a.split()).lower().replace("_", "").replace("-", "") == "".join(words).lower().replace("_", "").replace("-", "")
        for a in f.aliases))
    assert owner == first_owner


@SETTINGS
@given(headers=st.lists(st.text(alphabet=string.printable + "客户编号金额日期", max_size=20), max_size=12))
def test_header_matching_never_raises(headers):
    for table in TABLES:
        got = match_headers(table, headers)
        assert set(got.values()) <= set(headers)


# Text that exercises the column versions of the duplicate keys: ASCII separators, digits of other scripts,
# several '@', the strings 'nan' / 'None', public mail domains, and mixed case.
_contact_text = st.one_of(
    st.none(),
    st.sampled_from(["nan", "None", "", "  ", "x@GMAIL.com", "a@b@c.de", "bob@", "@x.org", "İ@X.COM", "１２３４５６７８"]),
    st.text(alphabet=st.sampled_from(list("0123456789 +-()@.abcXYZ\t\x1c\x1f") + ["٣", "ü", "é", "中"]), max_size=24),
)


@SETTINGS
@given(values=st.lists(_contact_text, max_size=30), dtype=st.sampled_from([object, "string", "str"]))
def test_column_duplicate_keys_equal_the_per_value_functions(values, dtype):
    from cockpit import records
    column = pd.Series(values, dtype=dtype)
    assert records.phone_digits_of(column).tolist() == column.map(records.phone_digits).tolist()
    assert records.email_domains_of(column).tolist() == column.map(records.email_domain).tolist()


# The reorder rhythm's SQL definition (docs/metrics.md), which cockpit/rhythm.py computes with numpy at import.
RHYTHM_SQL = """
with steps as (
    select customer_id, ordered_on,
        date_diff('day', lag(ordered_on) over w, ordered_on) as gap_days,
        row_number() over w as order_dates,
        lead(ordered_on) over w as valid_to,
        min(ordered_on) over (partition by customer_id) as first_order_on
    from dates
    window w as (partition by customer_id order by ordered_on)
)
select customer_id, ordered_on as valid_from, valid_to, order_dates, first_order_on,
    median(gap_days) over (partition by customer_id order by ordered_on rows between unbounded preceding and current row)
        as median_gap_days
from steps
order by valid_from, customer_id
"""


@SETTINGS
@given(days=st.lists(st.tuples(st.sampled_from(["A", "B", "C", "客户", "D-1"]),
                               st.integers(min_value=0, max_value=400)), max_size=80),
       spread=st.sampled_from([1, 3, 90]))
def test_numpy_rhythm_equals_the_sql_window_definition(days, spread):
    """Random order dates per customer (repeats, single dates, long runs of small or large gaps): the numpy rhythm
    gives the SQL definition's rows exactly, in the table's order."""
    import duckdb
    import pyarrow as pa

    from cockpit import rhythm
    start = dt.date(2023, 1, 1)
    pairs = sorted({(c, start + dt.timedelta(days=n * spread)) for c, n in days})
    dates = pa.table({"customer_id": pa.array([c for c, _ in pairs], pa.string()),
                      "ordered_on": pa.array([d for _, d in pairs], pa.date32())})
    con = duckdb.connect()
    expected = con.sql(RHYTHM_SQL).fetchall()
    got = rhythm.rhythm_table(dates)
    con.register("got", got)
    assert con.sql("select * from got").fetchall() == expected


def test_running_medians_of_long_groups():
    """Groups of hundreds of values beside groups of none, one and two: each position's median of the values so far."""
    import numpy as np

    from cockpit import rhythm
    rng = np.random.default_rng(7)
    sizes = np.array([0, 1, 2, 517, 3, 0, 250, 1])
    values = rng.integers(0, 60, sizes.sum())
    got = rhythm.running_medians(values, sizes)
    at = 0
    for size in sizes:
        block = values[at: at + size]
        assert np.array_equal(got[at: at + size], [np.median(block[: k + 1]) for k in range(size)])
        at += size


# Company names: legal forms (with dots and spaces), 'the', one-letter words, punctuation runs, underscores, the
# ASCII separators, and some non-ASCII names (which take name_key itself).
_name_text = st.one_of(
    st.none(),
    st.sampled_from(["nan", "None", "NaN", "", "  ", "S. A.", "Sp. z o.o.", "The", "Acme Trading Co., Ltd.", "3M",
                     "Müller GmbH", "上海恒达贸易有限公司", "a_b", "O'Brien & Sons"]),
    st.lists(st.sampled_from(["Ltd", "GMBH", "co.", "the", "x", "Q", "ab", "Acme", "s.a.", "-", "&", "__", "9", "\t",
                              "\x1c", "é", "中"]), max_size=6).map(" ".join),
    st.text(alphabet=st.sampled_from(list("aB .,_-&'/\t\x1f0") + ["ü"]), max_size=16),
)


@SETTINGS
@given(values=st.lists(_name_text, max_size=30), dtype=st.sampled_from([object, "string", "str"]))
def test_column_name_keys_equal_name_key(values, dtype):
    from cockpit import records
    column = pd.Series(values, dtype=dtype)
    assert records.name_keys_of(column).tolist() == column.map(records.name_key).tolist()


# Columns of date-times, mostly distinct, as ISO text: with empty cells, date-only values, seconds and fractions,
# and now and then something that is not ISO (a D/M/Y date, text, an impossible day, a padded value, NULL).
_iso_cell = st.one_of(
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2035, 12, 31)).map(
        lambda d: d.strftime("%Y-%m-%dT%H:%M")),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2035, 12, 31)).map(
        lambda d: d.isoformat(sep=" ")),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2035, 12, 31)).map(str),
    st.just(""),
)
_odd_cell = st.sampled_from(["05/03/2024", "2024-02-30", "2024-13-01T10:00", " 2024-01-05", "NULL", "soon", None,
                            "2024-01-05T10:00+08:00", "2024-01-05 noon"])


@SETTINGS
@given(cells=st.lists(_iso_cell, min_size=8, max_size=40), odd=st.lists(_odd_cell, max_size=2),
       where=st.integers(min_value=0))
def test_iso_time_shortcut_equals_the_general_path(cells, odd, where):
    """parse._iso_times (a column of mostly distinct ISO times parsed in one call) gives what the general path
    gives, value for value, bad cells and decision included; anything not ISO sends the column to the general path."""
    import numpy as np
    from cockpit import parse
    for i, cell in enumerate(odd):
        cells.insert((where + i) % (len(cells) + 1), cell)
    column = pd.Series(pd.array(cells, dtype="str"))
    sample, parse.DISTINCT_SAMPLE = parse.DISTINCT_SAMPLE, 4  # the shortcut considered on short columns too
    try:
        fast = parse_dates(column)
        shortcut = parse._iso_times(column)
        real = parse._iso_times
        parse._iso_times = lambda s: None
        try:
            general = parse_dates(column)
        finally:
            parse._iso_times = real
    finally:
        parse.DISTINCT_SAMPLE = sample
    # The shortcut looks at the first DISTINCT_SAMPLE cells' distinct values (missing cells not counted).
    if any(c is not None and c != "" for c in odd) or len({c for c in cells[:4] if c is not None}) < 2:
        pass  # the shortcut may or may not apply; the results must agree either way
    else:
        assert shortcut is not None
    assert fast.values.to_numpy(dtype="datetime64[us]").tolist() == general.values.to_numpy(dtype="datetime64[us]").tolist()
    assert np.array_equal(fast.bad, general.bad) and fast.decision == general.decision


@SETTINGS
@given(names=st.lists(st.lists(st.sampled_from(["acme", "trading", "zeta", "ab", "b", "x1", "müller", "中国", "shanghai"]),
                               max_size=5).map(" ".join), min_size=1, max_size=12))
def test_ratio_of_sorted_words_is_token_sort_ratio(names):
    """The duplicate search scores names by fuzz.ratio of their words sorted once (records._duplicate_clusters):
    for name keys (words joined by one space) that is token_sort_ratio, pair for pair."""
    import numpy as np
    from rapidfuzz import fuzz, process
    presorted = [" ".join(sorted(n.split())) for n in names]
    assert np.array_equal(process.cdist(names, names, scorer=fuzz.token_sort_ratio),
                          process.cdist(presorted, presorted, scorer=fuzz.ratio))


_marker_cell = st.one_of(
    st.sampled_from(["", "null", "NULL", "Null", "nUlL", "nan", "NaN", "NAT", "n/a", "N/A", "None", "NONE", "-", "--",
                     "nulls", "na", "n/a/", " none", "-1", "SO123", "EUR", "é", "NaNa", None]),
    st.text(alphabet="nulNULa/-tTeoO ", max_size=5))


@SETTINGS
@given(cells=st.lists(_marker_cell, min_size=1, max_size=30), large=st.booleans())
def test_blank_marker_lookup_equals_lowering_each_value(cells, large):
    """parse._holds_blank_marker looks every spelling of the blank markers up in one pass; it finds a marker
    exactly when some value, ASCII-lowered, is one (the rule _blank_mask applies value by value)."""
    import pyarrow as pa
    from cockpit import parse
    data = pa.chunked_array([pa.array(cells[:len(cells) // 2], pa.large_string() if large else pa.string()),
                             pa.array(cells[len(cells) // 2:], pa.large_string() if large else pa.string())])
    ascii_lower = lambda v: "".join(c.lower() if "A" <= c <= "Z" else c for c in v)  # noqa: E731
    assert parse._holds_blank_marker(data) == any(c is not None and ascii_lower(c) in parse._BLANK_MARKERS for c in cells)


@SETTINGS
@given(cells=st.lists(st.one_of(_iso_cell, _odd_cell, st.datetimes(min_value=dt.datetime(1990, 1, 1),
                                                                    max_value=dt.datetime(2035, 12, 31)).map(
    lambda d: d.strftime("%d/%m/%Y %H:%M"))), min_size=1, max_size=30), repeat=st.integers(min_value=1, max_value=3))
def test_days_cut_while_distinct_equal_the_whole_column_normalised(cells, repeat):
    """parse_dates(days=True) cuts each distinct value to its day (the importer's date fields); that equals
    normalising the whole parsed column, value for value, with the same bad cells and decision."""
    import numpy as np
    column = pd.Series(pd.array(cells * repeat, dtype="str"))
    days, whole = parse_dates(column, days=True), parse_dates(column)
    assert days.values.tolist() == whole.values.dt.normalize().tolist()
    assert np.array_equal(days.bad, whole.bad) and days.decision == whole.decision
