-- One row per order currency other than the reporting currency, largest revenue first.
select currency, sum(revenue) as revenue
from customer_day
where currency <> (select value from settings where key = 'reporting_currency')
group by all
order by revenue desc
