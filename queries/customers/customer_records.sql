-- One row per customer passing the filters (home country): the CRM record and its order facts as of $as_of.
with money as (
    select customer_id,
           coalesce(sum(revenue) filter (where ordered_on > $as_of - interval 365 day), 0) as revenue_l12m,
           count(distinct ordered_on) filter (where positive_line_count > 0 and ordered_on > $as_of - interval 365 day) as order_dates_l12m,
           max(ordered_on) filter (where positive_line_count > 0) as last_order_on,
           min(ordered_on) filter (where positive_line_count > 0) as first_order_on,
           sum(revenue) as lifetime_revenue,
           sum(order_count) as lifetime_orders
    from customer_day
    where ordered_on <= $as_of
    group by customer_id
)
select
    c.customer_id,
    c.customer_name,
    f.home_country as country_code,
    c.country_code as record_country_code,
    c.country_raw,
    c.city,
    c.sales_region,
    c.sales_rep,
    c.segment,
    c.industry,
    c.source_channel,
    c.created_on,
    c.updated_on,
    c.last_contact_on,
    c.email,
    c.phone,
    c.website,
    c.record_source,
    m.first_order_on,
    m.last_order_on,
    coalesce(m.revenue_l12m, 0) as revenue_l12m,
    coalesce(m.order_dates_l12m, 0) as order_dates_l12m,
    coalesce(m.lifetime_revenue, 0) as lifetime_revenue,
    coalesce(m.lifetime_orders, 0) as lifetime_orders
from customers c
join customer_facts f using (customer_id)
left join money m using (customer_id)
left join country_regions r on r.country_code = f.home_country
where (len($countries) = 0 or f.home_country = any($countries))
  and (len($regions) = 0 or r.region_code = any($regions) or r.subregion_code = any($regions) or c.sales_region = any($regions))
  and (len($reps) = 0 or coalesce(c.sales_rep, '') = any($reps))
  and (len($segments) = 0 or coalesce(c.segment, '') = any($segments))
  and ($all_customers or coalesce(c.sales_rep, '') = any($visible_reps))
order by c.customer_id
