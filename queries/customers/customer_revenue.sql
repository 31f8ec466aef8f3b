-- One row per customer (passing the filters by destination country) with net revenue between $date_from and $date_to.
with revenue as (
    select d.customer_id, sum(d.revenue) as revenue
    from period_facts d
    where d.period_start >= $date_from and d.period_end <= $date_to
      -- Months the period covers whole come as month rows, the days of months it cuts as day rows.
      and period_grain(d.grain, d.month_start, d.month_end, d.quarter_start, d.quarter_end, $date_from, $date_to)
      and in_view(d.country_code, d.region_code, d.subregion_code, d.sales_region, d.rep_key, d.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
    group by all
)
select v.customer_id, c.customer_name, v.revenue
from revenue v
join customers c using (customer_id)
order by v.revenue desc, v.customer_id
