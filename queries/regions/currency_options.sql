-- One row per order currency other than the reporting currency among visible customers, largest revenue first.
select d.currency, sum(d.revenue) as revenue
from customer_day d
join customers c using (customer_id)
where d.currency <> (select value from settings where key = 'reporting_currency')
  and ($all_customers or coalesce(c.sales_rep, '') = any($visible_reps))
group by all
order by revenue desc
