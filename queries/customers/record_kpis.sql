-- One row per as-of day of $as_ofs: the record KPIs of customers passing the filters (home country) on that day
-- (docs/metrics.md "Record quality"; the rules are record_flags in cockpit/sql/build_derived.sql): completeness =
-- share of the nine record fields filled over all customers; stale = neither updated nor contacted (else created)
-- within $stale_days; public pool = no owner, or neither an order nor a contact within $pool_days.
with as_ofs as (
    select distinct unnest($as_ofs)::date as as_of
),
counts as (
    select
        as_of,
        count(*) as customers,
        sum(fields_filled) * 100.0 / (9 * count(*)) as record_completeness_pct,
        count(*) filter (where stale) as stale_records,
        count(*) filter (where pool_reason is not null) as public_pool_candidates
    from record_flags($as_ofs, $stale_days, $pool_days, $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
    group by as_of
)
select
    a.as_of,
    coalesce(c.customers, 0) as customers,
    coalesce(c.record_completeness_pct, 0) as record_completeness_pct,
    coalesce(c.stale_records, 0) as stale_records,
    coalesce(c.public_pool_candidates, 0) as public_pool_candidates
from as_ofs a
left join counts c using (as_of)
order by a.as_of
