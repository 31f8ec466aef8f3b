-- The order lines of this import (src_orders, registered by the importer) typed like the orders table, and
-- what they tell about their customers. Statements are separated by lines holding only ';'.

create or replace temp view new_orders as
select
    cast(order_id as varchar) as order_id,
    cast(line_no as integer) as line_no,
    cast(customer_id as varchar) as customer_id,
    cast(ordered_on as date) as ordered_on,
    cast(ordered_at as timestamp) as ordered_at,
    cast(shipped_on as date) as shipped_on,
    cast(product as varchar) as product,
    cast(category as varchar) as category,
    cast(quantity as double) as quantity,
    cast(unit_price as double) as unit_price,
    cast(amount as double) as amount,
    -- An order without a currency is in the reporting currency (the import report says which was assumed).
    coalesce(cast(currency as varchar), (select value from settings where key = 'reporting_currency')) as currency,
    cast(null as double) as amount_reporting,
    cast(country_code as varchar) as country_code,
    cast(country_raw as varchar) as country_raw,
    cast(sales_rep as varchar) as sales_rep,
    cast(source_file as varchar) as source_file,
    cast(import_id as integer) as import_id
from src_orders
;
-- Customers described by the orders themselves (name, rep, city, region, segment, industry, e-mail, phone: the
-- latest value; home country: the most frequent
-- destination; between equally frequent ones the one with more revenue, then the later code, so that the answer
-- never depends on how DuckDB's threads met the rows). They fill in customers no customer file describes and never
-- overwrite one.
create or replace temp table stage_order_customers as select * from customers limit 0
;
insert into stage_order_customers by name
with home as (
    select customer_id, arg_max(country_code, (n, amount, country_code)) as country_code
    from (select customer_id, country_code, count(*) as n, coalesce(sum(amount), 0) as amount
          from src_orders where country_code is not null group by all)
    group by customer_id
)
select
    o.customer_id,
    arg_max(cast(o.customer_name as varchar), o.position) filter (where o.customer_name is not null) as customer_name,
    any_value(h.country_code) as country_code,
    arg_max(cast(o.country_raw as varchar), o.position) filter (where o.country_raw is not null) as country_raw,
    arg_max(cast(o.sales_rep as varchar), o.position) filter (where o.sales_rep is not null) as sales_rep,
    arg_max(cast(o.city as varchar), o.position) filter (where o.city is not null) as city,
    arg_max(cast(o.sales_region as varchar), o.position) filter (where o.sales_region is not null) as sales_region,
    arg_max(cast(o.segment as varchar), o.position) filter (where o.segment is not null) as segment,
    arg_max(cast(o.industry as varchar), o.position) filter (where o.industry is not null) as industry,
    arg_max(cast(o.email as varchar), o.position) filter (where o.email is not null) as email,
    arg_max(cast(o.phone as varchar), o.position) filter (where o.phone is not null) as phone,
    arg_max(cast(o.source_file as varchar), o.position) as source_file,
    case when $described then 'orders' else 'placeholder' end as record_source,
    $import_id as import_id
from (select *, (cast(ordered_on as date), row_number) as position from src_orders) o
left join home h using (customer_id)
where o.customer_id is not null
group by o.customer_id
;
-- The same rows when the orders describe no customer (no name, destination or rep column) and come from one file:
-- each customer's id and that file, without ranking ten million lines for values that are all empty.
insert into stage_order_customers by name
select customer_id, any_value(cast(source_file as varchar)) as source_file, 'placeholder' as record_source,
       $import_id as import_id
from src_orders
where customer_id is not null
group by customer_id
;
-- How many customers have order lines that disagree on a field they describe (the latest line's value was kept):
-- for the import report.
select
    count(*) filter (where n_name > 1) as customer_name,
    count(*) filter (where n_rep > 1) as sales_rep,
    count(*) filter (where n_city > 1) as city,
    count(*) filter (where n_region > 1) as sales_region,
    count(*) filter (where n_segment > 1) as segment,
    count(*) filter (where n_industry > 1) as industry,
    count(*) filter (where n_email > 1) as email,
    count(*) filter (where n_phone > 1) as phone
from (
    select customer_id, count(distinct customer_name) as n_name, count(distinct sales_rep) as n_rep,
           count(distinct city) as n_city, count(distinct sales_region) as n_region,
           count(distinct segment) as n_segment, count(distinct industry) as n_industry,
           count(distinct email) as n_email, count(distinct phone) as n_phone
    from src_orders
    where customer_id is not null
    group by customer_id
)
