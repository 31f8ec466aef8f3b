-- One row per month of receipt from $date_from minus 365 days to $date_to: complaints, median and P90 of both
-- latencies in calendar hours, and the SLA breach % judged at the end of $date_to (sla_breached, build_derived.sql:
-- the page's targets ($sla_severities, $sla_first_response_h, $sla_resolution_h) by exact severity, else the
-- default targets ($default_severities ...) by the severity in lower case, else the fallback), for customers
-- passing the filters.
with targets as (
    select unnest($sla_severities) as severity, unnest($sla_first_response_h) as fr_target, unnest($sla_resolution_h) as res_target
),
defaults as (
    select unnest($default_severities) as severity, unnest($default_first_response_h) as fr_target,
           unnest($default_resolution_h) as res_target
),
rows as (
    select date_trunc('month', k.received_at) as month,
           k.hours_to_first_response as fr,
           k.hours_to_resolution as res,
           date_diff('second', k.received_at, ($date_to::date + interval 1 day - interval 1 second)) / 3600.0 as age_h,
           coalesce(exact.fr_target, lower_case.fr_target, $fallback_first_response_h) as fr_target,
           coalesce(exact.res_target, lower_case.res_target, $fallback_resolution_h) as res_target
    from complaint_facts k
    left join targets exact on exact.severity = coalesce(k.severity, '')
    left join defaults lower_case on lower_case.severity = lower(coalesce(k.severity, ''))
    where k.received_on between $date_from::date - 365 and $date_to
      and in_view(k.country_code, k.region_code, k.subregion_code, k.sales_region, k.rep_key, k.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
judged as (
    select *, sla_breached(fr, res, age_h, fr_target, res_target) as breached from rows
),
latencies as (
    -- (Both quantiles of a latency from one sorted state: a list of fractions, not two aggregates.)
    select month, count(*) as complaints,
           quantile_cont(fr, [0.5, 0.9]) as fr_q, quantile_cont(res, [0.5, 0.9]) as res_q,
           avg(case when breached then 100.0 else 0.0 end) filter (where breached is not null) as breach_pct
    from judged
    group by month
)
select month, complaints, fr_q[1] as first_response_median_h, fr_q[2] as first_response_p90_h,
       res_q[1] as resolution_median_h, res_q[2] as resolution_p90_h, breach_pct
from latencies
order by month
