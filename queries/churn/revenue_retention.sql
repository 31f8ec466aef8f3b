-- One row per window end: each day of $as_ofs and, with $trend, every quarter end up to the last of them with two
-- years of data before it: NRR and GRR of the trailing 12 months against the 12 months before, from each
-- customer's state at the window end (customer_state, cockpit/sql/customer_state.sql).
-- Base = customers (passing the filters) with positive net revenue in the prior 12 months.
with bounds as (
    select min(ordered_on) as first_on from customer_day
),
windows as (
    -- The page's trend: every quarter end with two years of data before it (the KPI cards ask for $as_ofs only).
    select (date_trunc('quarter', t.d) + interval 3 month - interval 1 day)::date as window_end
    from bounds b, range(date_trunc('quarter', b.first_on), list_max($as_ofs)::timestamp + interval 1 day, interval 3 month) t(d)
    where $trend
      and (date_trunc('quarter', t.d) + interval 3 month - interval 1 day)::date <= list_max($as_ofs)::date
      and (date_trunc('quarter', t.d) + interval 3 month - interval 1 day)::date - interval 730 day >= b.first_on - interval 92 day
    union
    select unnest($as_ofs)::date
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
from customer_state s
where s.as_of in (select window_end from windows)
  and s.revenue_prior_12m > 0
  and in_view(s.home_country, s.region_code, s.subregion_code, s.sales_region, s.rep_key, s.segment_key,
          $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
group by s.as_of
order by s.as_of
