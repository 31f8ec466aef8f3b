-- One row per sales rep the viewer may see ('' = customers with no owner), most customers first.
select coalesce(c.sales_rep, '') as sales_rep, count(*) as customers
from customers c
where visible_to(coalesce(c.sales_rep, ''), $all_customers, $visible_reps)
group by all
order by customers desc, sales_rep
