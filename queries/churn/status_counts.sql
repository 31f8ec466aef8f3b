-- One row per as-of day of $as_ofs and churn status (on_rhythm, at_risk, lapsed): the customers passing the filters
-- with a positive order on or before that day in that status (churn_status, cockpit/sql/build_derived.sql, with
-- $lapse_multiple, $lapse_days, $risk_multiple and $few_risk_days; docs/metrics.md "Reorder rhythm") and their
-- last-12-month revenue, each customer's floored at 0 (the value at stake when the status is not on_rhythm).
-- Set-based: the Overview's eight quarter ends are one query; churn/customer_status.sql lists the customers of one.
with days as (
    select distinct unnest($as_ofs)::date as as_of
),
status as (
    select
        s.as_of,
        churn_status(s.order_dates, s.median_gap_days, date_diff('day', s.last_order_on, s.as_of), $lapse_multiple,
                     $lapse_days, $risk_multiple, $few_risk_days) as status,
        s.revenue_l12m
    from customer_state s
    where s.as_of in (select as_of from days) and s.order_dates is not null
      and in_view(s.home_country, s.region_code, s.subregion_code, s.sales_region, s.rep_key, s.segment_key,
                  $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
counted as (
    select as_of, status, count(*) as customers, sum(greatest(revenue_l12m, 0)) as revenue_floored
    from status
    group by all
)
-- (Counted first, then laid on every day and status: joining the ~700,000 status rows of eight quarter ends to
-- that grid before counting cost a third of the query.)
select d.as_of, k.status, coalesce(c.customers, 0) as customers, coalesce(c.revenue_floored, 0) as revenue_floored
from days d
cross join (values ('on_rhythm'), ('at_risk'), ('lapsed')) k(status)
left join counted c on c.as_of = d.as_of and c.status = k.status
order by d.as_of, k.status
