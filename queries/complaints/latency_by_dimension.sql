-- One row per dimension (category, severity, department, country_code, sales_rep) and value: median and P90 of both
-- latencies in calendar hours over complaints received from $date_from to $date_to from customers passing the
-- filters ('' = none; the same quantiles as period_latency.sql). Business hours are counted in Python
-- (cockpit/complaints.py latency_by, held equal to this on a calendar of every hour by a test).
with rows as (
    select coalesce(k.category, '') as category,
           coalesce(k.severity, '') as severity,
           coalesce(k.department, '') as department,
           k.country_code,
           coalesce(k.sales_rep, '') as sales_rep,
           k.hours_to_first_response as fr,
           k.hours_to_resolution as res
    from complaint_facts k
    where k.received_on between $date_from and $date_to
      and in_view(k.country_code, k.region_code, k.subregion_code, k.sales_region, k.rep_key, k.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
grouped as (
    select
        case when grouping(category) = 0 then 'category' when grouping(severity) = 0 then 'severity'
             when grouping(department) = 0 then 'department' when grouping(country_code) = 0 then 'country_code'
             else 'sales_rep' end as dimension,
        coalesce(category, severity, department, country_code, sales_rep) as value,
        count(*) as complaints,
        quantile_cont(fr, [0.5, 0.9]) as fr_q,
        quantile_cont(res, [0.5, 0.9]) as res_q
    from rows
    group by grouping sets ((category), (severity), (department), (country_code), (sales_rep))
)
select dimension, value, complaints,
       fr_q[1] as first_response_median_h, fr_q[2] as first_response_p90_h,
       res_q[1] as resolution_median_h, res_q[2] as resolution_p90_h
from grouped
order by dimension, value
