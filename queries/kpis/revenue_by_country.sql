-- One row per ISO-2 country ('unknown' for unresolved) with net revenue in the filtered period.
select
    d.country_code,
    sum(d.revenue) as revenue
from customer_day d
join customers c using (customer_id)
left join country_regions r on r.country_code = d.country_code
where d.ordered_on between $date_from and $date_to
  and (len($countries) = 0 or d.country_code = any($countries))
  and (len($regions) = 0 or r.region_code = any($regions) or r.subregion_code = any($regions) or c.sales_region = any($regions))
  and (len($reps) = 0 or coalesce(c.sales_rep, '') = any($reps))
  and (len($segments) = 0 or coalesce(c.segment, '') = any($segments))
  and ($all_customers or coalesce(c.sales_rep, '') = any($visible_reps))
group by d.country_code
order by revenue desc
