-- One row per ABC class (A, B, C): customers with positive net revenue between $date_from and $date_to (destination
-- filters as customers/customer_revenue.sql), ranked by it: A while the cumulative share before them is under
-- $a_pct %, B while under $b_pct %, then C (cockpit/records.py abc(), held equal by a test).
with revenue as (
    select d.customer_id, sum(d.revenue) as revenue
    from period_facts d
    where d.period_start >= $date_from and d.period_end <= $date_to
      -- Months the period covers whole come as month rows, the days of months it cuts as day rows.
      and (d.grain = 'month' or d.month_start < $date_from or d.month_end > $date_to)
      and in_view(d.country_code, d.region_code, d.subregion_code, d.sales_region, d.rep_key, d.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
    group by d.customer_id
),
ranked as (
    select revenue,
           (sum(revenue) over (order by revenue desc, customer_id rows between unbounded preceding and current row) - revenue)
               * 100.0 / sum(revenue) over () as share_before_pct
    from revenue
    where revenue > 0
)
select k.abc, count(r.revenue) as customers
from (values ('A'), ('B'), ('C')) k(abc)
left join ranked r
  on k.abc = case when r.share_before_pct < $a_pct then 'A' when r.share_before_pct < $b_pct then 'B' else 'C' end
group by k.abc
order by k.abc
