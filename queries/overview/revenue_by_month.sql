-- One row per calendar month of the filtered period: net revenue, orders and active customers.
select
    date_trunc('month', d.ordered_on)::date as month_start,
    sum(d.revenue) as revenue,
    sum(d.order_count) as orders,
    count(distinct d.customer_id) filter (where d.positive_line_count > 0) as active_customers
from customer_day d
join customers c using (customer_id)
left join country_regions r on r.country_code = d.country_code
where d.ordered_on between $date_from and $date_to
  and (len($countries) = 0 or d.country_code = any($countries))
  and (len($regions) = 0 or r.region_code = any($regions) or r.subregion_code = any($regions) or c.sales_region = any($regions))
  and (len($reps) = 0 or coalesce(c.sales_rep, '') = any($reps))
  and (len($segments) = 0 or coalesce(c.segment, '') = any($segments))
  and ($all_customers or coalesce(c.sales_rep, '') = any($visible_reps))
group by all
order by month_start
