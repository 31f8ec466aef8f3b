-- One row per customer passing the filters (home country), or only $customer_id when given: the CRM record and its
-- order facts as of $as_of.
with rhythm_now as (
    -- Reorder-rhythm rows valid on $as_of and 365 days before (customer_rhythm): order dates so far, first, last.
    select customer_id, order_dates, first_order_on, valid_from as last_order_on
    from customer_rhythm
    where valid_from <= $as_of and (valid_to is null or valid_to > $as_of)
),
rhythm_year_ago as (
    select customer_id, order_dates
    from customer_rhythm
    where valid_from <= $as_of::date - 365 and (valid_to is null or valid_to > $as_of::date - 365)
),
money as (
    -- Up to $as_of and its last 365 days: month rows for whole months, day rows for the months cut (period_facts).
    select customer_id,
           coalesce(sum(revenue) filter (where period_start >= $as_of::date - 364), 0) as revenue_l12m,
           sum(revenue) as lifetime_revenue,
           sum(order_count) as lifetime_orders
    from period_facts
    where period_end <= $as_of
      and grain <> 'quarter'
      and (grain = 'month' or month_end > $as_of
           or (month_start < $as_of::date - 364 and month_end >= $as_of::date - 364))
      and not (grain = 'month' and month_start < $as_of::date - 364 and month_end >= $as_of::date - 364)
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
    rn.first_order_on,
    rn.last_order_on,
    coalesce(m.revenue_l12m, 0) as revenue_l12m,
    coalesce(rn.order_dates, 0) - coalesce(ry.order_dates, 0) as order_dates_l12m,
    coalesce(m.lifetime_revenue, 0) as lifetime_revenue,
    coalesce(m.lifetime_orders, 0) as lifetime_orders
from customers c
join customer_facts f using (customer_id)
left join money m using (customer_id)
left join rhythm_now rn using (customer_id)
left join rhythm_year_ago ry using (customer_id)
left join country_regions r on r.country_code = f.home_country
where in_view(f.home_country, r.region_code, r.subregion_code, c.sales_region, coalesce(c.sales_rep, ''), coalesce(c.segment, ''),
          $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
  -- One customer (the page's customer 360) or, when null, every customer passing the filters.
  and ($customer_id is null or c.customer_id = $customer_id)
order by c.customer_id
