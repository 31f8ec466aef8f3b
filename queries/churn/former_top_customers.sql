-- One row per former top customer going quiet as of $as_of (docs/metrics.md "Former top customers"): among the
-- customers passing the filters with revenue in the prior 12 months, the top 20 % by it whose last 12 months fell by
-- half or more, or whose status (churn_status, cockpit/sql/build_derived.sql, with the rhythm rules given) is at
-- risk or lapsed. Largest prior revenue first (ties by id), at most $limit rows (null: all), each carrying the whole
-- list's length (listed).
with prior as (
    select
        s.customer_id, s.customer_name, s.home_country as country_code, s.sales_rep, s.segment,
        s.revenue_l12m, s.revenue_prior_12m, s.largest_order_l12m,
        churn_status(s.order_dates, s.median_gap_days, date_diff('day', s.last_order_on, s.as_of), $lapse_multiple,
                     $lapse_days, $risk_multiple, $few_risk_days) as status
    from customer_state s
    where s.as_of = $as_of and s.order_dates is not null and s.revenue_prior_12m > 0
      and in_view(s.home_country, s.region_code, s.subregion_code, s.sales_region, s.rep_key, s.segment_key,
                  $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
cut as (
    -- The top 20 %: at or above the 80th percentile of prior revenue (interpolated between neighbouring values).
    select quantile_cont(revenue_prior_12m, 0.8) as prior_cut from prior
)
select p.*, count(*) over () as listed
from prior p, cut c
where p.revenue_prior_12m >= c.prior_cut
  and (p.revenue_l12m <= p.revenue_prior_12m * 0.5 or p.status <> 'on_rhythm')
order by p.revenue_prior_12m desc, p.customer_id
limit $limit
