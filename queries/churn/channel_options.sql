-- One row per source channel recorded on the customers the viewer may see ('' = none), most customers first.
select coalesce(c.source_channel, '') as source_channel, count(*) as customers
from customers c
where visible_to(coalesce(c.sales_rep, ''), $all_customers, $visible_reps)
group by all
order by customers desc, source_channel
