"""Customer records: the Customers page's view (completeness, fix lists, duplicates, public pool, ABC and RFM
segments, the customer 360) from the queries under queries/customers/, and the duplicate search the import runs.

The record rules, quality score, ABC classes and RFM segments are defined in SQL (record_flags, abc_classes,
customers/rfm_segments.sql; docs/metrics.md); this module arranges their rows and groups duplicate pairs into
clusters (connected components, which SQL does not express simply)."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .parse import arrow_data

QUALITY_FIELDS = ["customer_name", "country_code", "sales_rep", "segment", "industry", "source_channel", "email",
                  "phone", "website"]
PUBLIC_MAIL = {"gmail.com", "googlemail.com", "hotmail.com", "outlook.com", "live.com", "msn.com", "yahoo.com",
               "yahoo.co.uk", "aol.com", "icloud.com", "me.com", "mail.com", "gmx.de", "gmx.net", "web.de", "qq.com",
               "163.com", "126.com", "sina.com", "sohu.com", "yeah.net", "foxmail.com", "aliyun.com", "yandex.ru",
               "mail.ru", "protonmail.com", "naver.com", "hanmail.net", "rediffmail.com", "libero.it", "orange.fr"}
LEGAL_SUFFIXES = {"ltd", "limited", "llc", "inc", "incorporated", "corp", "corporation", "co", "company", "gmbh", "ag",
                  "kg", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "bvba", "plc", "pty", "pte", "lda", "ltda",
                  "oy", "ab", "as", "aps", "sro", "spzoo", "sp", "zoo", "ooo", "oao", "kk", "cv", "de", "group",
                  "holding", "holdings", "intl", "international", "trading co", "as", "aş", "a", "s", "llp", "lp"}
CJK_SUFFIXES = ["股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "(香港)", "（香港）", "香港"]


def _filled(v) -> bool:
    return v is not None and not pd.isna(v) and str(v).strip() not in ("", "nan", "None")


# What a blank cell reads as (the duplicate search's keys skip these; the record KPIs' rule is is_filled in
# cockpit/sql/build_derived.sql).
_EMPTY_TEXT = pa.array(["", "nan", "None"])


def missing_fields(masks: pd.Series) -> np.ndarray:
    """The names of the quality fields each record misses, from its missing_mask (bit i: QUALITY_FIELDS[i] missing;
    record_flags, cockpit/sql/customer_state.sql): one list per pattern, shared by the records with that pattern."""
    patterns, inverse = np.unique(masks.to_numpy(dtype=np.int64), return_inverse=True)
    names = np.empty(len(patterns), dtype=object)
    for i, pattern in enumerate(patterns.tolist()):
        names[i] = [f for bit, f in enumerate(QUALITY_FIELDS) if (pattern >> bit) & 1]
    return names[inverse] if len(masks) else np.empty(0, dtype=object)


def _named(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows of a records query with their missing fields named (missing_fields) and stale as a plain boolean."""
    rows["missing_fields"] = missing_fields(rows["missing_mask"])
    if "stale" in rows:
        rows["stale"] = rows["stale"].astype(bool)
    return rows


def completeness_tables(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """From customers/record_completeness.sql's rows: per quality field the % of customers with a value (field,
    filled_pct), and per owner ('' = none) the same %s, customers and mean quality score."""
    total = rows[rows["rep"].isna()]
    shares = [float(total[f].iloc[0]) if len(total) and pd.notna(total[f].iloc[0]) else 0.0 for f in QUALITY_FIELDS]
    by_rep = rows[rows["rep"].notna()].reset_index(drop=True)
    return pd.DataFrame({"field": QUALITY_FIELDS, "filled_pct": shares}), by_rep


# --------------------------------------------------------------------------------------------- duplicates

_NOT_WORD = re.compile(r"[^\w\u4e00-\u9fff]+")
_DIGITS = re.compile(r"\d+")
_NOT_DIGIT = re.compile(r"\D")


def name_key(name) -> str:
    """Company name without case, accents, punctuation, legal forms ('Ltd', 'GmbH', 'S.A.', '有限公司')."""
    if not _filled(name):
        return ""
    t = str(name)
    if t.isascii():
        t = t.casefold()  # ASCII: nothing for NFKC to fold, no accents, no CJK forms (200,000 names: 2.6 s -> 1 s)
    else:
        t = unicodedata.normalize("NFKC", t).casefold()
        for suffix in CJK_SUFFIXES:
            t = t.replace(suffix, " ")
        t = "".join(ch for ch in unicodedata.normalize("NFKD", t) if not unicodedata.combining(ch))
    t = _NOT_WORD.sub(" ", t)
    words = [w for w in t.split() if w not in LEGAL_SUFFIXES and w != "the"]
    # Legal forms written with dots or spaces ("S. A.", "Sp. z o.o.") leave single letters behind.
    while words and len(words[-1]) == 1:
        words.pop()
    return fold_spelling(" ".join(words))


# German umlauts are written out (ü → ue) or dropped (ü → u): both spellings fold to the plain vowel, so Müller,
# Mueller and Muller share a key (ß became "ss" by casefold, accents went by NFKD). Applied to every key alike.
_FOLD = [("ae", "a"), ("oe", "o"), ("ue", "u")]


def fold_spelling(key: str) -> str:
    for a, b in _FOLD:
        key = key.replace(a, b)
    return key


def email_domain(email) -> str:
    if not _filled(email) or "@" not in str(email):
        return ""
    d = str(email).strip().lower().rsplit("@", 1)[1]
    return "" if d in PUBLIC_MAIL else d


def phone_digits(phone) -> str:
    d = _NOT_DIGIT.sub("", str(phone)) if _filled(phone) else ""
    return d[-9:] if len(d) >= 7 else ""


# What str.strip() removes from ASCII text (str.isspace: the six usual ones and the four separators 0x1c-0x1f).
_ASCII_SPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"


def _per_value(values: pd.Series, fn, ascii_fn) -> pd.Series:
    """fn over a text column, with ascii_fn (Arrow kernels: ASCII-only, giving the same results as fn on ASCII text)
    for the values that are ASCII and fn itself for the rest. 200,000 e-mails or phones: ~40 ms instead of ~0.5 s.
    A missing value is read as '' (ASCII), for which both give ''."""
    data = arrow_data(values)
    if data is None:
        data = pa.array(values.astype("string").to_numpy(dtype=object, na_value=None), type=pa.large_string())
    text = pc.fill_null(pa.chunked_array([data]) if isinstance(data, pa.Array) else data, "")
    out = np.asarray(ascii_fn(text).to_numpy(zero_copy_only=False), dtype=object)
    others = np.flatnonzero(~pc.string_is_ascii(text).to_numpy(zero_copy_only=False))
    # (Read as one list: a value at a time through .iloc cost ~5 µs each, 1.2 s for 110,000 Chinese names.)
    for i, v in zip(others.tolist(), values.iloc[others].tolist()):
        out[i] = fn(v)
    return pd.Series(out, index=values.index, dtype=object)


def _filled_ascii(text: pa.Array) -> pa.Array:
    return pc.invert(pc.is_in(pc.utf8_trim(text, _ASCII_SPACE), value_set=_EMPTY_TEXT))


def _phone_digits_ascii(text: pa.Array) -> pa.Array:
    d = pc.replace_substring_regex(text, r"[^0-9]", "")
    d = pc.if_else(pc.greater_equal(pc.utf8_length(d), 7), pc.utf8_slice_codeunits(d, -9), "")
    return pc.if_else(_filled_ascii(text), d, "")


_PUBLIC_MAIL = pa.array(sorted(PUBLIC_MAIL))


def _email_domain_ascii(text: pa.Array) -> pa.Array:
    d = pc.struct_field(pc.extract_regex(pc.ascii_lower(pc.utf8_trim(text, _ASCII_SPACE)), r"@(?P<d>[^@]*)$"), [0])
    d = pc.fill_null(d, "")
    return pc.if_else(pc.and_(_filled_ascii(text), pc.invert(pc.is_in(d, value_set=_PUBLIC_MAIL))), d, "")


_NAME_STOP_WORDS = pa.array(sorted(LEGAL_SUFFIXES | {"the"}))


def _name_key_ascii(text: pa.Array) -> pa.Array:
    """name_key of ASCII names by Arrow kernels: lower case, every run of non-word characters one space, the words
    without legal forms and 'the', then without trailing one-letter words (the last word longer than one letter
    marks where each name's key ends), joined again."""
    n = len(text)
    lists = pc.split_pattern(pc.replace_substring_regex(pc.ascii_lower(text), r"[^a-z0-9_]+", " "), " ")
    if isinstance(lists, pa.ChunkedArray):
        lists = lists.combine_chunks()
    words = pc.list_flatten(lists)
    owner = pc.list_parent_indices(lists).to_numpy()
    length = pc.binary_length(words).to_numpy()
    kept = np.flatnonzero((length > 0) & ~pc.is_in(words, value_set=_NAME_STOP_WORDS).to_numpy(zero_copy_only=False))
    own, rank = owner[kept], np.arange(len(kept))
    longer = length[kept] > 1
    last_long = np.full(n, -1)
    np.maximum.at(last_long, own[longer], rank[longer])
    keep = rank <= last_long[own]
    offsets = pa.array(np.concatenate([[0], np.cumsum(np.bincount(own[keep], minlength=n))]), type=pa.int64())
    joined = pc.binary_join(pa.LargeListArray.from_arrays(offsets, words.take(pa.array(kept[keep]))),
                            pa.scalar(" ", words.type))
    for a, b in _FOLD:
        joined = pc.replace_substring(joined, a, b)
    return pc.if_else(_filled_ascii(text), joined, "")


def name_keys_of(values: pd.Series) -> pd.Series:
    """name_key of a whole column (200,000 names: 0.16 s instead of 0.38)."""
    return _per_value(values, name_key, _name_key_ascii)


def phone_digits_of(values: pd.Series) -> pd.Series:
    """phone_digits of a whole column."""
    return _per_value(values, phone_digits, _phone_digits_ascii)


def email_domains_of(values: pd.Series) -> pd.Series:
    """email_domain of a whole column."""
    return _per_value(values, email_domain, _email_domain_ascii)


def duplicate_clusters(records: pd.DataFrame, threshold: float = 95.0) -> pd.DataFrame:
    """Clusters of probable duplicates among these records (the rules searched over them alone), with each member's
    share of its cluster's lifetime revenue. The pages read the pairs the import found in the whole customer list
    instead (view_clusters)."""
    return with_revenue_split(_duplicate_clusters(records, threshold), records)


def with_revenue_split(found: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """Each member's lifetime revenue and share of its cluster's, from these records (revenue depends on the
    as-of date; the clusters do not)."""
    if "lifetime_revenue" not in records.columns or not len(found):
        return found
    rev = records.set_index("customer_id")["lifetime_revenue"]
    return _split(found.assign(lifetime_revenue=found["customer_id"].map(rev).astype(float)))


def _split(found: pd.DataFrame) -> pd.DataFrame:
    """Each member's share of its cluster's lifetime revenue (revenue_split_pct; none when the cluster has none)."""
    total = found.groupby("cluster")["lifetime_revenue"].transform("sum")
    return found.assign(revenue_split_pct=np.where(total > 0, found["lifetime_revenue"] / total * 100, np.nan))


def view_clusters(con, params: dict) -> pd.DataFrame:
    """The duplicate clusters a view shows: the customers in view joined by the pairs the import found in the whole
    customer list (customers/duplicate_pairs.sql; a pair is evidence whatever the filters), grouped into
    connected clusters here, each member with its lifetime revenue as of params' as_of and its share of its
    cluster's."""
    from . import db
    return clusters_of(db.run(con, "customers/duplicate_pairs", params))


BLOCK_CAP = 500


def _blocks(keys: pd.Series):
    """Row labels of the names to compare with each other: names sharing their first letter, split by longer
    prefixes while a group holds more than BLOCK_CAP names. Work and memory then grow with the number of
    customers, not its square (200,000 customers named 'Company …' once made one block of 200,000 and a
    40-billion-cell matrix); names that differ within their first letters are not compared."""
    values = keys.to_numpy(dtype=object)
    order = np.argsort(values, kind="stable")
    ordered, labels = values[order], keys.index.to_numpy()[order]

    def split(lo: int, hi: int, depth: int):
        # Sorted keys: names sharing a prefix are neighbours, so each group is a slice.
        start, prefix = lo, ordered[lo][:depth]
        for i in range(lo + 1, hi + 1):
            if i == hi or ordered[i][:depth] != prefix:
                if i - start <= BLOCK_CAP or depth >= 32:
                    yield list(labels[start:i])
                else:
                    yield from split(start, i, depth + 1)
                if i < hi:
                    start, prefix = i, ordered[i][:depth]
    if len(values):
        yield from split(0, len(values), 1)


PAIR_COLUMNS = ["customer_a", "name_a", "rep_a", "customer_b", "name_b", "rep_b", "evidence", "confidence"]


def _duplicate_clusters(records: pd.DataFrame, threshold: float = 95.0) -> pd.DataFrame:
    """Clusters of probable duplicates among these records: clusters_of(duplicate_pairs(records))."""
    return clusters_of(duplicate_pairs(records, threshold))


def duplicate_pairs(records: pd.DataFrame, threshold: float = 95.0) -> pd.DataFrame:
    """Pairs of probable duplicates (PAIR_COLUMNS, confidence 0-1). Evidence: same normalised name (or names at
    least `threshold` similar by rapidfuzz's token_sort_ratio within the same first letters), same non-public
    e-mail domain, same phone digits. Confidence = 1 − Π(1 − evidence weight); pairs at 0.6 or more are kept.
    Work grows with the number of customers (blocks split until small), not its square."""
    from rapidfuzz import fuzz, process

    r = records.reset_index(drop=True)
    keys = name_keys_of(r["customer_name"])
    domains = email_domains_of(r["email"]) if "email" in r else pd.Series("", index=r.index)
    phones = phone_digits_of(r["phone"]) if "phone" in r else pd.Series("", index=r.index)
    pairs: dict[tuple[int, int], dict] = {}
    has_rep = "sales_rep" in r

    def add(i, j, kind, weight):
        a, b = (i, j) if i < j else (j, i)
        pairs.setdefault((a, b), {})[kind] = max(weight, pairs.get((a, b), {}).get(kind, 0))

    # token_sort_ratio is ratio() of the names with their words sorted: sorted once here, not once per pair
    # (rapidfuzz's ratio over 22 M pairs of 200,000 names: 0.35-0.55 s against 0.9 s for token_sort_ratio).
    key_values = np.array([" ".join(sorted(k.split())) for k in keys.tolist()], dtype=object)  # labels are positions
    # The numbers in a name tell branches apart ('X Trading 1', 'X Trading 2'): names whose numbers differ are never
    # the same customer, however similar the rest. Read for the names of similar pairs only (every name's: 0.4 s of
    # 200,000).
    names = r["customer_name"].to_numpy(dtype=object)
    numbers_of: dict[int, str] = {}

    def numbers(i: int) -> str:
        if i not in numbers_of:
            numbers_of[i] = " ".join(_DIGITS.findall(str(names[i]))) if _filled(names[i]) else ""
        return numbers_of[i]

    for idx in _blocks(keys[keys != ""]):
        if len(idx) < 2:
            continue
        block = key_values[idx].tolist()
        # Threads only pay off on a big block (1,800 blocks of 200,000 customers: 1.2 s with them on each).
        scores = process.cdist(block, block, scorer=fuzz.ratio, score_cutoff=threshold,
                               workers=-1 if len(block) > 200 else 1, dtype=np.uint8)
        ii, jj = np.nonzero(np.triu(scores, 1))   # each pair once, not a name with itself
        for a, b in zip(ii.tolist(), jj.tolist()):
            if numbers(idx[a]) == numbers(idx[b]):
                s = float(scores[a, b])
                add(idx[a], idx[b], "name", 0.9 if s >= 99.99 else 0.6 + 0.3 * (s - threshold) / (100 - threshold))
    for series, kind, weight in ((domains, "email domain", 0.7), (phones, "phone", 0.8)):
        present = series[series != ""]
        counts = present.value_counts()
        # A shared switchboard or forwarder domain is not evidence.
        shared = present[present.isin(counts.index[(counts >= 2) & (counts <= 20)])]
        for _, idx in shared.groupby(shared).groups.items():
            idx = list(idx)
            if 2 <= len(idx) <= 20:
                for a in range(len(idx)):
                    for b in range(a + 1, len(idx)):
                        add(idx[a], idx[b], kind, weight)

    ids = r["customer_id"].to_numpy(dtype=object)
    reps = r["sales_rep"].to_numpy(dtype=object) if has_rep else np.full(len(r), None, dtype=object)
    rows = []
    for (a, b), ev in pairs.items():
        confidence = 1 - float(np.prod([1 - w for w in ev.values()]))
        if confidence >= 0.6:
            rows.append((ids[a], names[a], reps[a], ids[b], names[b], reps[b], ", ".join(sorted(ev)), confidence))
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def clusters_of(pairs: pd.DataFrame) -> pd.DataFrame:
    """Connected clusters of customers joined by pairs (PAIR_COLUMNS), one row per member: cluster number (by the
    cluster's first customer id), id, name, the evidence of its pairs, its strongest pair's confidence (%), owner."""
    columns = ["cluster", "customer_id", "customer_name", "evidence", "confidence_pct", "lifetime_revenue",
               "sales_rep", "revenue_split_pct"]
    if pairs.empty:
        return pd.DataFrame({c: pd.Series(dtype=float if c in ("confidence_pct", "lifetime_revenue",
                                                               "revenue_split_pct") else object) for c in columns})
    parent: dict = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for a, b in zip(pairs["customer_a"], pairs["customer_b"]):
        parent[find(a)] = find(b)
    # Each cluster's evidence and strongest pair, in one pass over the pairs (a walk of every pair for every
    # cluster grew with their product: 200,000 patterned names did not finish in ten minutes).
    evidence_of: dict = {}
    conf_of: dict = {}
    who: dict = {}
    for row in pairs.itertuples(index=False):
        root = find(row.customer_a)
        evidence_of.setdefault(root, set()).update(row.evidence.split(", "))
        conf_of[root] = max(conf_of.get(root, 0.0), float(row.confidence))
        who[row.customer_a] = (row.name_a, row.rep_a, float(getattr(row, "revenue_a", 0.0)))
        who[row.customer_b] = (row.name_b, row.rep_b, float(getattr(row, "revenue_b", 0.0)))
    groups: dict = {}
    for customer in who:
        groups.setdefault(find(customer), []).append(customer)
    rows = []
    for n, (root, members) in enumerate(sorted(groups.items(), key=lambda kv: min(kv[1])), start=1):
        evidence = ", ".join(sorted(evidence_of[root]))
        for customer in sorted(members):
            name, owner, revenue = who[customer]
            rows.append({"cluster": n, "customer_id": customer, "customer_name": name, "evidence": evidence,
                         "confidence_pct": round(conf_of[root] * 100, 1), "lifetime_revenue": revenue,
                         "sales_rep": owner, "revenue_split_pct": np.nan})
    return _split(pd.DataFrame(rows, columns=columns))


# --------------------------------------------------------------------------------------------- customer 360

CHOICES = 1000


def choice_labels(rows: pd.DataFrame) -> dict[str, str]:
    """customers/customer_choices.sql's rows as a picker's labels, id -> 'name (id)'. A picker with every one of
    200,000 customers would send megabytes to the browser and take seconds to build: it offers the CHOICES largest,
    and a search reaches any of them."""
    names = rows["customer_name"].astype(object).where(rows["customer_name"].notna(), None).tolist()
    return {i: f"{n or '—'} ({i})" for i, n in zip(rows["customer_id"].tolist(), names)}


def choice_params(filters, text: str = "", keep: str | None = None) -> dict:
    """customers/customer_choices.sql's parameters: the CHOICES largest customers as of the period's end whose id or
    name contains text, and keep."""
    return filters.params() | {"as_of": filters.date_to, "text": (text or "").strip(), "keep": keep, "limit": CHOICES}


# --------------------------------------------------------------------------------------------- segments

def migration_matrix(rows: pd.DataFrame) -> pd.DataFrame:
    """customers/abc_migration.sql's rows as a matrix: customers by ABC class in one quarter (rows, 'from') and
    another (columns, 'to'); '—' = no positive revenue in that quarter."""
    order = ["A", "B", "C", "—"]
    matrix = rows.pivot_table(index="from_abc", columns="to_abc", values="customers", aggfunc="sum", fill_value=0)
    matrix = matrix.reindex(index=order, columns=order, fill_value=0).astype(int)
    matrix.index.name, matrix.columns.name = "from", "to"
    return matrix


# --------------------------------------------------------------------------------------------- the page's view

SHOWN = 500  # rows a list on the page shows (the most important first); its downloads hold every row


def default_migration(quarters: list[str], date_to) -> tuple[str, str]:
    """The migration chart's default quarters: the period's quarter and the one before it (quarters newest first)."""
    from .filters import quarter_label
    if not quarters:  # no revenue in any quarter (a database of complaints or customers alone)
        return quarter_label(date_to), quarter_label(date_to)
    to = quarter_label(date_to) if quarter_label(date_to) in quarters else quarters[0]
    return quarters[min(quarters.index(to) + 1, len(quarters) - 1)], to


# view()'s settings at their defaults (the page's first view).
VIEW_DEFAULTS = {"stale_days": 365, "pool_days": 180, "a_pct": 80, "b_pct": 95, "migration_quarters": None,
                 "fix_rep": None, "customer": None}


def view(con, filters, stale_days: int = 365, pool_days: int = 180, a_pct: int = 80, b_pct: int = 95,
         migration_quarters: tuple[str, str] | None = None, fix_rep: str | None = None, customer: str | None = None,
         whole: bool = False) -> dict:
    """Everything the Customers page shows for the filters and its settings: the record KPIs, completeness by field
    and by rep, the fix list of one rep, duplicates, the public pool (first 500 of each list, with counts), ABC and
    RFM, the ABC migration between two quarters, and the 360 of one customer (None: the largest). Each list and
    count is a query of its own over the record rules (record_flags), cut to SHOWN rows in SQL; only the duplicate
    clusters are grouped here. whole=True: the lists complete (for downloads), not their first 500."""
    from . import db
    as_of = filters.date_to
    p = filters.params()
    rules = p | {"as_of": as_of, "stale_days": stale_days, "pool_days": pool_days}
    limit = None if whole else SHOWN
    b_pct = max(b_pct, a_pct + 1)
    quarters = _quarters(con)
    mig = migration_quarters or default_migration(quarters, as_of)
    kpis, quality_rows, pool, rfm, abc_rows, clusters, choice_rows, moved = db.concurrently(
        lambda: db.run(con, "customers/record_kpis", rules | {"as_ofs": [as_of], "with_day_counts": True}).iloc[0],
        lambda: db.run(con, "customers/record_completeness", rules),
        lambda: db.run(con, "customers/public_pool", rules | {"limit": limit}),
        lambda: db.run(con, "customers/rfm_segments", p | {"as_of": as_of}),
        lambda: db.run(con, "customers/abc_counts", p | {"period_starts": [filters.date_from], "period_ends": [as_of],
                                                         "a_pct": a_pct, "b_pct": b_pct}),
        lambda: view_clusters(con, p | {"as_of": as_of}),
        lambda: db.run(con, "customers/customer_choices", choice_params(filters, keep=customer)),
        lambda: migration_part(con, filters, mig))
    completeness, by_rep = completeness_tables(quality_rows)
    reps = sorted(by_rep["rep"])
    rep = fix_rep if fix_rep in reps else (reps[0] if reps else "")
    choices = choice_labels(choice_rows)
    cid = customer if customer in choices else next(iter(choices), None)
    fix, one = db.concurrently(
        lambda: _fix(con, filters, rep, stale_days, pool_days, limit),
        lambda: None if cid is None else _customer_360(con, filters, cid, stale_days, pool_days, clusters))
    one = one or {"customer": None, "me": None, "mates": [], "orders": None, "complaints": None, "status": None}
    dups = clusters.sort_values(["confidence_pct", "cluster", "customer_id"], ascending=[False, True, True])
    head = (lambda f: f) if whole else (lambda f: f.head(SHOWN))  # noqa: E731
    return {
        "completeness_pct": float(kpis["record_completeness_pct"]), "stale": int(kpis["stale_records"]),
        "duplicate_clusters": int(clusters["cluster"].nunique()), "pool_count": int(kpis["public_pool_candidates"]),
        "abc_counts": {r.abc: int(r.customers) for r in abc_rows.itertuples()}, "customers": int(kpis["customers"]),
        "completeness": completeness, "by_rep": by_rep,
        "reps": reps, "fix_rep": rep, "fix": fix["fix"], "fix_count": fix["fix_count"],
        "duplicates": head(dups), "duplicates_count": int(len(dups)),
        "pool": pool,
        "abc": abc_rows[["abc", "customers", "revenue"]], "rfm": rfm,
        "quarters": quarters, **moved,
        "choices": choices, **one,
    }


def _fix(con, filters, rep: str, stale_days: int, pool_days: int, limit: int | None) -> dict:
    """The fix list of rep ('' = no owner), customers/fix_list.sql: its first `limit` rows (None: all) with their
    missing fields named, and its length."""
    from . import db
    rows = _named(db.run(con, "customers/fix_list", filters.params() | {
        "as_of": filters.date_to, "stale_days": stale_days, "pool_days": pool_days, "fix_rep": rep, "limit": limit}))
    return {"fix": rows, "fix_count": int(rows["listed"].iloc[0]) if len(rows) else 0}


def fix_part(con, filters, rep: str, stale_days: int = 365) -> dict | None:
    """The fix list of one rep alone: view(fix_rep=rep)'s fix_rep, fix and fix_count (first 500), without working
    out the page's other lists. None when the filters leave the rep no customer (view() then shows its first rep's
    list)."""
    from . import db
    if filters.reps and rep not in filters.reps:
        return None
    if not db.first_row(con, "customers/record_kpis", filters.params() | {
            "reps": [rep], "as_ofs": [filters.date_to], "stale_days": stale_days,
            "pool_days": VIEW_DEFAULTS["pool_days"], "with_day_counts": False})["customers"]:
        return None
    return {"fix_rep": rep, **_fix(con, filters, rep, stale_days, VIEW_DEFAULTS["pool_days"], SHOWN)}


def migration_part(con, filters, quarters) -> dict:
    """view()'s ABC migration between two quarters (labels such as '2026Q2'), for the filters."""
    from . import db
    from .filters import parse_quarter
    (f0, f1), (t0, t1) = parse_quarter(quarters[0]), parse_quarter(quarters[1])
    p = filters.params()
    rows = db.run(con, "customers/abc_migration", p | {"from_start": f0, "from_end": f1, "to_start": t0, "to_end": t1,
                                                       "a_pct": VIEW_DEFAULTS["a_pct"], "b_pct": VIEW_DEFAULTS["b_pct"]})
    return {"migration_quarters": list(quarters), "migration": migration_matrix(rows)}


def view_lists(con, filters, viewer: dict, settings: dict) -> dict:
    """The page's view with its lists complete (the fix list, duplicates and public pool, not their first 500), for
    the signed-in viewer (`viewer`: all_customers, visible_reps): what the page's downloads write, worked out when a
    download button is clicked."""
    return view(con, filters.seen_by(viewer), **settings, whole=True)


def _customer_360(con, filters, cid: str, stale_days: int, pool_days: int, clusters: pd.DataFrame) -> dict | None:
    """view()'s customer 360 keys (customer, me, mates, orders, complaints, status) of customer cid: its record and
    flags (customers/customer_records.sql), the other members of its duplicate cluster among the view's clusters,
    its orders, complaints and churn status. None when cid does not pass the filters."""
    from . import churn, db
    as_of = filters.date_to
    p = filters.params()
    found = _named(db.run(con, "customers/customer_records", p | {
        "as_of": as_of, "customer_id": cid, "stale_days": stale_days, "pool_days": pool_days}))
    if found.empty:
        return None
    row = found.iloc[0]
    me = {k: (None if not isinstance(v, list) and pd.isna(v) else v.item() if isinstance(v, np.generic) else v)
          for k, v in row.to_dict().items()}
    me = {k: (v.isoformat() if isinstance(v, (pd.Timestamp, dt.date)) else v) for k, v in me.items()}
    mates = []
    cl = clusters[clusters["customer_id"] == cid]
    if len(cl):
        others = clusters[(clusters["cluster"] == cl["cluster"].iloc[0]) & (clusters["customer_id"] != cid)]
        mates = [[n, i] for n, i in zip(others["customer_name"], others["customer_id"])]
    orders = db.run(con, "customers/customer_orders", filters.viewer() | {"customer_id": cid})
    complaints = db.run(con, "customers/customer_complaints", filters.viewer() | {"customer_id": cid})
    mine = db.run(con, "churn/customer_status", churn.status_params(filters, churn.RhythmRules(), statuses=(), customer_id=cid))
    status = None
    if len(mine):
        r = mine.iloc[0].to_dict()
        status = {"status": r["status"], "reason_en": churn.reason(r, "en") if r["status"] != "on_rhythm" else "",
                  "reason_zh": churn.reason(r, "zh") if r["status"] != "on_rhythm" else ""}
    return {"customer": cid, "me": me, "mates": mates, "orders": orders, "complaints": complaints, "status": status}


def customer_360(con, filters, customer: str, stale_days: int = 365) -> dict | None:
    """The customer 360 of one customer alone: what view(customer=...) gives for it, without working out the
    page's lists again. with_parts() puts it into the view it is shown with. None when the customer does not pass
    the filters (the page then keeps the view's own customer)."""
    one = _customer_360(con, filters, customer, stale_days, VIEW_DEFAULTS["pool_days"],
                        view_clusters(con, filters.params() | {"as_of": filters.date_to}))
    if one is None:
        return None
    return one | {"choice": choice_labels(pd.DataFrame([{"customer_id": customer,
                                                          "customer_name": one["me"]["customer_name"]}]))}


def with_parts(view: dict, fix: dict | None = None, migration: dict | None = None, one: dict | None = None) -> dict:
    """The page's view (fix rep, migration quarters and customer at their defaults) with another rep's fix list
    (fix_part), another pair of quarters' migration (migration_part) and another customer's 360 (customer_360): the
    same as view() with those settings. The customer leads the picker's choices when it is not among them."""
    out = dict(view)
    if fix is not None and fix["fix_rep"] in view["reps"]:
        out |= fix
    if migration is not None:
        out |= migration
    if one is not None and one["customer"] != view["customer"]:
        choices = view["choices"] if one["customer"] in view["choices"] else one["choice"] | view["choices"]
        out |= {k: v for k, v in one.items() if k != "choice"} | {"choices": choices}
    return out


def _quarters(con) -> list[str]:
    """Calendar quarters of the data, newest first (as the page's quarter pickers list them)."""
    from .filters import data_range, quarter_labels
    first, last, _ = data_range(con)
    return [] if first is None else quarter_labels(first, last)
