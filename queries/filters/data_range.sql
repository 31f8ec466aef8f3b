-- One row: the first and last day of the data and what they come from (`basis`): order days when there are orders;
-- without orders, the days complaints were received; without either, the days customers were created (or last
-- touched). The default period and every "as of the latest day" read this, so a database of complaints alone opens
-- on its complaints' latest quarter. Also the reporting currency.
with orders as (
    select min(ordered_on) as first_day, max(ordered_on) as last_day from customer_day
),
complaints as (
    select min(received_on) as first_day, max(received_on) as last_day from complaint_facts
),
customers as (
    select min(coalesce(created_on, updated_on, last_contact_on)) as first_day,
           max(greatest(created_on, updated_on, last_contact_on)) as last_day
    from customers
)
select
    coalesce(o.first_day, k.first_day, c.first_day) as first_day,
    coalesce(o.last_day, k.last_day, c.last_day) as last_day,
    case when o.first_day is not null then 'orders' when k.first_day is not null then 'complaints'
         when c.first_day is not null then 'customers' end as basis,
    (select value from settings where key = 'reporting_currency') as reporting_currency
from orders o, complaints k, customers c
