-- One row per hidden big account as of $as_of (docs/metrics.md "Hidden big accounts"): among the customers passing the
-- filters with positive revenue in the last 12 months, those in the top 20 % by 12-month growth (growth above 0) or
-- by largest single order, who sit in a low segment ($low_segments; '' = no segment) or have no owner. Largest
-- growth first (ties by id), at most $limit rows (null: all), each carrying the whole list's length (listed).
with live as (
    select
        s.customer_id, s.customer_name, s.home_country as country_code, s.sales_rep, s.segment,
        s.revenue_l12m, s.revenue_prior_12m, s.revenue_l12m - s.revenue_prior_12m as growth_l12m, s.largest_order_l12m
    from customer_state s
    where s.as_of = $as_of and s.revenue_l12m > 0
      and in_view(s.home_country, s.region_code, s.subregion_code, s.sales_region, s.rep_key, s.segment_key,
                  $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
cuts as (
    -- The top 20 %: at or above the 80th percentile (interpolated between neighbouring values).
    select quantile_cont(growth_l12m, 0.8) as growth_cut, quantile_cont(largest_order_l12m, 0.8) as order_cut
    from live
)
select l.*, count(*) over () as listed
from live l, cuts c
where ((l.growth_l12m >= c.growth_cut and l.growth_l12m > 0) or l.largest_order_l12m >= c.order_cut)
  and (coalesce(l.segment, '') = any($low_segments) or l.sales_rep is null)
order by l.growth_l12m desc, l.customer_id
limit $limit
