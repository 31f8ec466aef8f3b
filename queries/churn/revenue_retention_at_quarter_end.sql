-- One row per window end (each day of $as_ofs, all quarter ends, and with $trend every quarter end up to the last of
-- them with two years of data before it): churn/revenue_retention.sql read from customer_snapshot (built at
-- import). Snapshot key: $as_ofs. Same windows, base and columns.
with bounds as (
    select min(ordered_on) as first_on from customer_day
)
select
    s.as_of as quarter_end,
    year(s.as_of) || 'Q' || quarter(s.as_of) as quarter,
    s.as_of = any($as_ofs::date[]) as is_as_of,
    count(*) as base_customers,
    sum(s.revenue_prior_12m) as base_revenue,
    sum(greatest(s.revenue_l12m, 0)) as retained_revenue,
    sum(greatest(s.revenue_l12m, 0)) / sum(s.revenue_prior_12m) * 100 as nrr_pct,
    sum(least(greatest(s.revenue_l12m, 0), s.revenue_prior_12m)) / sum(s.revenue_prior_12m) * 100 as grr_pct
from customer_snapshot s, bounds b
where s.as_of <= list_max($as_ofs)::date
  -- The KPI cards need only the windows ending $as_ofs; the page's trend every quarter end with two years of data.
  and (s.as_of = any($as_ofs::date[]) or ($trend and s.as_of - interval 730 day >= b.first_on - interval 92 day))
  and s.revenue_prior_12m > 0
  and in_view(s.home_country, s.region_code, s.subregion_code, s.sales_region, s.rep_key, s.segment_key,
          $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
group by s.as_of
order by s.as_of
