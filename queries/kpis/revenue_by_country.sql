-- One row per ISO-2 country ('unknown' for unresolved) with net revenue in the filtered period.
select
    d.country_code,
    sum(d.revenue) as revenue
from period_facts d
where d.period_start >= $date_from and d.period_end <= $date_to
  -- Months the period covers whole come as month rows, the days of months it cuts as day rows.
  and (d.grain = 'month' or d.month_start < $date_from or d.month_end > $date_to)
  and (len($countries) = 0 or d.country_code = any($countries))
  and (len($regions) = 0 or d.region_code = any($regions) or d.subregion_code = any($regions) or d.sales_region = any($regions))
  and (len($reps) = 0 or d.rep_key = any($reps))
  and (len($segments) = 0 or d.segment_key = any($segments))
  and ($all_customers or d.rep_key = any($visible_reps))
group by d.country_code
order by revenue desc
