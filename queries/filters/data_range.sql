-- One row: first and last order date in the database, and the reporting currency.
select
    min(ordered_on) as first_order_on,
    max(ordered_on) as last_order_on,
    (select value from settings where key = 'reporting_currency') as reporting_currency
from customer_day
