-- One row per as-of day of $as_ofs, each a quarter end: customers/record_kpis.sql with each customer's last order
-- read from customer_snapshot (built at import) instead of the reorder rhythm's rows. Snapshot key: $as_ofs.
with as_ofs as (
    select distinct unnest($as_ofs)::date as as_of
),
last_orders as (
    select as_of, customer_id, last_order_on
    from customer_snapshot
    where as_of in (select as_of from as_ofs)
),
rec as (
    select a.as_of, k.*, o.last_order_on
    from customer_record_facts k
    cross join as_ofs a
    left join last_orders o on o.customer_id = k.customer_id and o.as_of = a.as_of
    where in_view(k.home_country, k.region_code, k.subregion_code, k.sales_region, k.rep_key, k.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
counts as (
    select
        as_of,
        count(*) as customers,
        sum(fields_filled) * 100.0 / (9 * count(*)) as record_completeness_pct,
        count(*) filter (where last_touched_on is null or last_touched_on < as_of - $stale_days) as stale_records,
        count(*) filter (where not has_owner
                            or ((last_order_on is null or last_order_on < as_of - $pool_days)
                                and (last_contact_on is null or last_contact_on < as_of - $pool_days)))
            as public_pool_candidates
    from rec
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
