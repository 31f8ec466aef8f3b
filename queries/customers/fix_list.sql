-- One row per customer of $fix_rep ('' = no owner) passing the filters whose record needs fixing as of $as_of: a
-- field missing, stale, or a probable duplicate (record_flags, cockpit/sql/customer_state.sql); lowest quality score
-- first (ties by customer id), at most $limit rows (null: all), each carrying the whole list's length (listed).
select
    c.customer_id,
    c.customer_name,
    k.missing_mask,
    k.stale,
    k.is_duplicate,
    c.updated_on,
    c.last_contact_on,
    k.quality_score,
    count(*) over () as listed
from record_flags([$as_of], $stale_days, $pool_days, $countries, $regions, $reps, $segments, $all_customers, $visible_reps) k
join customers c using (customer_id)
where k.rep_key = $fix_rep
  and (k.missing_mask <> 0 or k.stale or k.is_duplicate)
order by k.quality_score, k.customer_id
limit $limit
