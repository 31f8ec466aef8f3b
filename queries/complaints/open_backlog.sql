-- One row per age bucket: complaints received by the end of $as_of and not resolved by then, from customers passing
-- the filters. Buckets start at the day counts in $age_bounds_days (0, 1, 3, 7, 30: cockpit/complaints.py
-- AGE_BUCKETS); age = days from receipt to the end of $as_of.
with open_now as (
    select date_diff('second', k.received_at, ($as_of::date + interval 1 day - interval 1 second)) / 86400.0 as age_days
    from complaint_facts k
    where k.received_at <= $as_of::date + interval 1 day - interval 1 second
      and (k.resolved_at is null or k.resolved_at > $as_of::date + interval 1 day - interval 1 second)
      and (len($countries) = 0 or k.country_code = any($countries))
      and (len($regions) = 0 or k.region_code = any($regions) or k.subregion_code = any($regions) or k.sales_region = any($regions))
      and (len($reps) = 0 or k.rep_key = any($reps))
      and (len($segments) = 0 or k.segment_key = any($segments))
      and ($all_customers or k.rep_key = any($visible_reps))
)
select b.bucket, count(o.age_days) as complaints
from (select generate_subscripts($age_bounds_days, 1) as bucket) b
left join open_now o
  on o.age_days >= $age_bounds_days[b.bucket]
 and (b.bucket = len($age_bounds_days) or o.age_days < $age_bounds_days[b.bucket + 1])
group by b.bucket
order by b.bucket
