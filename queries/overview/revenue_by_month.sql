-- One row per calendar month of the filtered period: net revenue, orders and active customers.
select
    d.month_start,
    sum(d.revenue) as revenue,
    sum(d.order_count) as orders,
    count(distinct d.customer_id) filter (where d.positive_line_count > 0) as active_customers
from period_facts d
where d.period_start >= $date_from and d.period_end <= $date_to
  -- Months the period covers whole come as month rows, the days of months it cuts as day rows.
  and period_grain(d.grain, d.month_start, d.month_end, d.quarter_start, d.quarter_end, $date_from, $date_to)
  and in_view(d.country_code, d.region_code, d.subregion_code, d.sales_region, d.rep_key, d.segment_key,
          $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
group by all
order by month_start
