-- One row per as-of day of $as_ofs and age bucket: complaints received by the end of that day and not resolved by
-- then, from customers passing the filters. Buckets start at the day counts in $age_bounds_days (0, 1, 3, 7, 30:
-- cockpit/complaints.py AGE_BUCKETS); age = days from receipt to the end of the as-of day. Set-based: the
-- Overview's eight quarter ends are one query; the Complaints page asks for one day.
with days as (
    select distinct unnest($as_ofs)::date as as_of
),
candidates as (
    -- Received by the last as-of day and not resolved before the first: the only complaints any day can count.
    select k.received_at, k.resolved_at
    from complaint_facts k
    where k.received_at <= (select max(as_of) from days) + interval 1 day - interval 1 second
      and (k.resolved_at is null or k.resolved_at > (select min(as_of) from days) + interval 1 day - interval 1 second)
      and in_view(k.country_code, k.region_code, k.subregion_code, k.sales_region, k.rep_key, k.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
open_then as (
    select d.as_of,
           date_diff('second', k.received_at, (d.as_of + interval 1 day - interval 1 second)) / 86400.0 as age_days
    from days d
    join candidates k
      on k.received_at <= d.as_of + interval 1 day - interval 1 second
     and (k.resolved_at is null or k.resolved_at > d.as_of + interval 1 day - interval 1 second)
)
select d.as_of, b.bucket, count(o.age_days) as complaints
from days d
cross join (select generate_subscripts($age_bounds_days, 1) as bucket) b
left join open_then o
  on o.as_of = d.as_of
 and o.age_days >= $age_bounds_days[b.bucket]
 and (b.bucket = len($age_bounds_days) or o.age_days < $age_bounds_days[b.bucket + 1])
group by d.as_of, b.bucket
order by d.as_of, b.bucket
