-- One row: the headline KPIs of the filtered period (docs/metrics.md: revenue, orders, active_customers, new_customers).
with filtered as (
    select d.*
    from customer_day d
    join customers c using (customer_id)
    left join country_regions r on r.country_code = d.country_code
    where d.ordered_on between $date_from and $date_to
      and (len($countries) = 0 or d.country_code = any($countries))
      and (len($regions) = 0 or r.region_code = any($regions) or r.subregion_code = any($regions) or c.sales_region = any($regions))
      and (len($reps) = 0 or coalesce(c.sales_rep, '') = any($reps))
      and (len($segments) = 0 or coalesce(c.segment, '') = any($segments))
      and ($all_customers or coalesce(c.sales_rep, '') = any($visible_reps))
)
select
    coalesce(sum(revenue), 0) as revenue,
    coalesce(sum(order_count), 0) as orders,
    count(distinct customer_id) filter (where positive_line_count > 0) as active_customers,
    count(distinct f.customer_id) filter (
        where f.positive_line_count > 0 and f.ordered_on = cf.first_order_on
    ) as new_customers
from filtered f
left join customer_facts cf using (customer_id)
