-- One row per customer segment among the customers the viewer may see ('' = no segment), most customers first.
select coalesce(c.segment, '') as segment, count(*) as customers
from customers c
where visible_to(coalesce(c.sales_rep, ''), $all_customers, $visible_reps)
group by all
order by customers desc, segment
