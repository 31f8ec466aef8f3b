-- One row per severity ('' = none) with a resolved complaint received from $date_from to $date_to from customers
-- passing the filters: the five numbers a box plot of its resolution time in calendar hours draws (Plotly's own
-- rules: linear quartiles; whiskers at the furthest values within 1.5 × IQR of the box). Business hours: Python
-- (cockpit/complaints.py box_stats, held equal to this on a calendar of every hour by a test).
with rows as (
    select coalesce(k.severity, '') as severity, k.hours_to_resolution as v
    from complaint_facts k
    where k.received_on between $date_from and $date_to
      and k.hours_to_resolution is not null
      and in_view(k.country_code, k.region_code, k.subregion_code, k.sales_region, k.rep_key, k.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
quartiles as (
    select severity, quantile_cont(v, [0.25, 0.5, 0.75]) as q
    from rows
    group by severity
)
select r.severity, any_value(q.q[1]) as q1, any_value(q.q[2]) as median, any_value(q.q[3]) as q3,
       min(r.v) filter (where r.v >= q.q[1] - 1.5 * (q.q[3] - q.q[1])) as lowerfence,
       max(r.v) filter (where r.v <= q.q[3] + 1.5 * (q.q[3] - q.q[1])) as upperfence
from rows r
join quartiles q using (severity)
group by r.severity
order by r.severity
