-- One row per company sales region (from the customer file; '' = none): net revenue in the period.
select coalesce(c.sales_region, '') as sales_region, sum(d.revenue) as revenue, count(distinct d.customer_id) as customers
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
order by revenue desc
