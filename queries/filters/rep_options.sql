-- One row per sales rep the viewer may see ('' = customers with no owner), most customers first.
select coalesce(c.sales_rep, '') as sales_rep, count(*) as customers
from customers c
where ($all_customers or coalesce(c.sales_rep, '') = any($visible_reps))
group by all
order by customers desc, sales_rep
