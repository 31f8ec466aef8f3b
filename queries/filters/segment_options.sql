-- One row per customer segment as recorded in the CRM ('' = no segment), most customers first.
select coalesce(segment, '') as segment, count(*) as customers
from customers
group by all
order by customers desc, segment
