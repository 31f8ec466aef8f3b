-- One row per destination country with orders from customers the viewer may see, largest revenue first.
select coalesce(d.country_code, 'unknown') as country_code, coalesce(sum(d.revenue), 0) as revenue
from customer_day d
join customers c using (customer_id)
where ($all_customers or coalesce(c.sales_rep, '') = any($visible_reps))
group by all
order by revenue desc
