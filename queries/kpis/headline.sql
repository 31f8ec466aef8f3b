-- One row: the headline KPIs of the filtered period (docs/metrics.md: revenue, orders, active_customers, new_customers).
select
    coalesce(sum(d.revenue), 0) as revenue,
    coalesce(sum(d.order_count), 0) as orders,
    count(distinct d.customer_id) filter (where d.positive_line_count > 0) as active_customers,
    count(distinct d.customer_id) filter (where d.is_new) as new_customers
from period_facts d
where d.period_start >= $date_from and d.period_end <= $date_to
  -- Months the period covers whole come as month rows, the days of months it cuts as day rows.
  and (d.grain = 'month' or d.month_start < $date_from or d.month_end > $date_to)
  and (len($countries) = 0 or d.country_code = any($countries))
  and (len($regions) = 0 or d.region_code = any($regions) or d.subregion_code = any($regions) or d.sales_region = any($regions))
  and (len($reps) = 0 or d.rep_key = any($reps))
  and (len($segments) = 0 or d.segment_key = any($segments))
  and ($all_customers or d.rep_key = any($visible_reps))
