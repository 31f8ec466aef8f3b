-- One row per sales rep named on a customer ('' = customers with no owner), most customers first.
select coalesce(sales_rep, '') as sales_rep, count(*) as customers
from customers
group by all
order by customers desc, sales_rep
