-- One row per period of $period_starts / $period_ends / $as_ofs (lists of the same length): median and P90 of both
-- latencies in calendar hours over complaints received in the period from customers passing the filters, and the
-- SLA breach % judged at the end of its as-of day (sla_breached, cockpit/sql/build_derived.sql; targets looked up
-- as in latency_by_month.sql). Set-based: the Overview's eight quarters are one query.
with targets as (
    select unnest($sla_severities) as severity, unnest($sla_first_response_h) as fr_target, unnest($sla_resolution_h) as res_target
),
periods as (
    select distinct unnest($period_starts)::date as period_from, unnest($period_ends)::date as period_to,
           unnest($as_ofs)::date as as_of
),
defaults as (
    select unnest($default_severities) as severity, unnest($default_first_response_h) as fr_target,
           unnest($default_resolution_h) as res_target
),
rows as (
    select p.period_from, p.period_to,
           k.hours_to_first_response as fr,
           k.hours_to_resolution as res,
           date_diff('second', k.received_at, (p.as_of + interval 1 day - interval 1 second)) / 3600.0 as age_h,
           coalesce(exact.fr_target, lower_case.fr_target, $fallback_first_response_h) as fr_target,
           coalesce(exact.res_target, lower_case.res_target, $fallback_resolution_h) as res_target
    from complaint_facts k
    join periods p on k.received_on between p.period_from and p.period_to
    left join targets exact on exact.severity = coalesce(k.severity, '')
    left join defaults lower_case on lower_case.severity = lower(coalesce(k.severity, ''))
    where k.received_on between (select min(period_from) from periods) and (select max(period_to) from periods)
      and in_view(k.country_code, k.region_code, k.subregion_code, k.sales_region, k.rep_key, k.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
judged as (
    select *, sla_breached(fr, res, age_h, fr_target, res_target) as breached from rows
),
latencies as (
    -- (Both quantiles of a latency from one sorted state: a list of fractions, not two aggregates.)
    select period_from, period_to, count(*) as complaints,
           quantile_cont(fr, [0.5, 0.9]) as fr_q, quantile_cont(res, [0.5, 0.9]) as res_q,
           avg(case when breached then 100.0 else 0.0 end) filter (where breached is not null) as breach_pct
    from judged
    group by all
)
select
    p.period_from,
    p.period_to,
    coalesce(l.complaints, 0) as complaints,
    l.fr_q[1] as first_response_median_h,
    l.fr_q[2] as first_response_p90_h,
    l.res_q[1] as resolution_median_h,
    l.res_q[2] as resolution_p90_h,
    l.breach_pct
from periods p
left join latencies l using (period_from, period_to)
order by p.period_from, p.period_to
