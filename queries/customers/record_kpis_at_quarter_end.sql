-- One row: customers/record_kpis.sql with each customer's last order read from customer_snapshot (built at import)
-- for $as_of, a quarter end, instead of the reorder rhythm's 2 rows per customer and order date. Snapshot key: $as_of.
with last_orders as (
    select customer_id, last_order_on
    from customer_snapshot
    where as_of = $as_of
),
rec as (
    select k.*, o.last_order_on
    from customer_record_facts k
    left join last_orders o using (customer_id)
    where in_view(k.home_country, k.region_code, k.subregion_code, k.sales_region, k.rep_key, k.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
)
select
    count(*) as customers,
    coalesce(sum(fields_filled) * 100.0 / (9 * count(*)), 0) as record_completeness_pct,
    count(*) filter (where last_touched_on is null or last_touched_on < $as_of::date - $stale_days) as stale_records,
    count(*) filter (where not has_owner
                        or ((last_order_on is null or last_order_on < $as_of::date - $pool_days)
                            and (last_contact_on is null or last_contact_on < $as_of::date - $pool_days)))
        as public_pool_candidates,
    coalesce(bit_xor(identity_hash), 0) as identity_digest,
    coalesce(sum(identity_hash % 1000003), 0) as identity_checksum,
    -- The identity of the whole customer list whose duplicate clusters the import stored (customer_duplicates).
    (select value from settings where key = 'duplicates_identity') as stored_duplicates_identity
from rec
