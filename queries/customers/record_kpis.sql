-- One row per as-of day of $as_ofs: the record KPIs of customers passing the filters (home country) on that day
-- (docs/metrics.md "Record quality"; the rules are record_flags in cockpit/sql/customer_state.sql): completeness =
-- share of the nine record fields filled over all customers; stale = neither updated nor contacted (else created)
-- within $stale_days; public pool = no owner, or neither an order nor a contact within $pool_days.
-- Completeness counts the records as they are now (customers keep no history of their fields): the same every day.
-- With $with_day_counts false the day's counts (stale, public pool: each customer's state that day) are left out
-- (zero), and the query reads the records alone: the Overview's completeness of eight quarters.
with as_ofs as (
    select distinct unnest($as_ofs)::date as as_of
),
records as (
    select
        count(*) as customers,
        sum(9 - bit_count(k.missing_mask)) * 100.0 / (9 * count(*)) as record_completeness_pct
    from customer_record_facts k
    where in_view(k.home_country, k.region_code, k.subregion_code, k.sales_region, k.rep_key, k.segment_key,
                  $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
day_counts as (
    select
        as_of,
        count(*) filter (where stale) as stale_records,
        count(*) filter (where pool_reason is not null) as public_pool_candidates
    from record_flags($as_ofs, $stale_days, $pool_days, $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
    where $with_day_counts
    group by as_of
)
select
    a.as_of,
    r.customers,
    coalesce(r.record_completeness_pct, 0) as record_completeness_pct,
    coalesce(d.stale_records, 0) as stale_records,
    coalesce(d.public_pool_candidates, 0) as public_pool_candidates
from as_ofs a
cross join records r
left join day_counts d using (as_of)
order by a.as_of
