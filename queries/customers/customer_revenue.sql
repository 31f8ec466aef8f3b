-- One row per customer (passing the filters by destination country) with net revenue between $date_from and $date_to.
select d.customer_id, c.customer_name, sum(d.revenue) as revenue
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
order by revenue desc, d.customer_id
