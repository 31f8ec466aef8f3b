-- One row per order of one customer ($customer_id, if the viewer may see it): date, total, lines, currencies.
select o.order_id, min(o.ordered_on) as ordered_on, sum(o.amount_reporting) as order_total, count(*) as lines,
       string_agg(distinct o.currency, ', ') as currencies, max(o.shipped_on) as shipped_on
from orders o
join customers c using (customer_id)
where o.customer_id = $customer_id
  and visible_to(coalesce(c.sales_rep, ''), $all_customers, $visible_reps)
group by o.order_id
order by ordered_on, o.order_id
