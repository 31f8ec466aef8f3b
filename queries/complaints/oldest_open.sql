-- One row per complaint open at the end of $as_of (received by then, not resolved by then), oldest first, at most
-- $max_rows: the backlog list (the page shows the oldest; its download asks for all of them).
with oldest as (
    select k.complaint_id, k.customer_id, k.severity, k.category, k.received_at, k.owner,
           date_diff('second', k.received_at, ($as_of::date + interval 1 day - interval 1 second)) / 86400.0 as age_days
    from complaint_facts k
    where k.received_at <= $as_of::date + interval 1 day - interval 1 second
      and (k.resolved_at is null or k.resolved_at > $as_of::date + interval 1 day - interval 1 second)
      and in_view(k.country_code, k.region_code, k.subregion_code, k.sales_region, k.rep_key, k.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
    order by age_days desc, k.complaint_id
    limit $max_rows
)
-- (The customers' names are joined to the rows listed only.)
select
    k.complaint_id,
    k.customer_id,
    c.customer_name,
    coalesce(k.severity, '') as severity,
    coalesce(k.category, '') as category,
    k.received_at,
    k.age_days,
    k.owner,
    coalesce(c.sales_rep, '') as sales_rep
from oldest k
left join customers c using (customer_id)
order by k.age_days desc, k.complaint_id
