-- One row per source channel recorded on customers ('' = none), most customers first.
select coalesce(source_channel, '') as source_channel, count(*) as customers
from customers
group by all
order by customers desc, source_channel
