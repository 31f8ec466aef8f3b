-- One row per order of one customer ($customer_id): date, total in the reporting currency, lines, currencies.
select order_id, min(ordered_on) as ordered_on, sum(amount_reporting) as order_total, count(*) as lines,
       string_agg(distinct currency, ', ') as currencies, max(shipped_on) as shipped_on
from orders
where customer_id = $customer_id
group by order_id
order by ordered_on, order_id
