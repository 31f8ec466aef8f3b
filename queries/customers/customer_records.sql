-- One row per customer passing the filters (home country), or only $customer_id when given: the CRM record, its
-- order facts as of $as_of (customer_state, cockpit/sql/customer_state.sql) and its record flags that day
-- (record_flags, cockpit/sql/customer_state.sql: missing fields as bits, stale after $stale_days, public-pool reason
-- after $pool_days, probable duplicate, quality score). The Customers page reads it for one customer (the 360); its
-- lists and counts read the same flags in their own queries (fix_list, public_pool, record_completeness).
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
    s.first_order_on,
    s.last_order_on,
    coalesce(s.revenue_l12m, 0) as revenue_l12m,
    coalesce(s.order_dates, 0) - coalesce(s.order_dates_year_ago, 0) as order_dates_l12m,
    coalesce(s.lifetime_revenue, 0) as lifetime_revenue,
    coalesce(s.lifetime_orders, 0) as lifetime_orders,
    k.missing_mask,
    k.fields_filled,
    k.stale,
    k.pool_reason,
    k.is_duplicate,
    k.quality_score
from customers c
join customer_facts f using (customer_id)
left join customer_state s on s.customer_id = c.customer_id and s.as_of = $as_of
join record_flags([$as_of], $stale_days, $pool_days, $countries, $regions, $reps, $segments, $all_customers, $visible_reps) k using (customer_id)
left join country_regions r on r.country_code = f.home_country
where in_view(f.home_country, r.region_code, r.subregion_code, c.sales_region, coalesce(c.sales_rep, ''), coalesce(c.segment, ''),
          $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
  -- One customer (the page's customer 360) or, when null, every customer passing the filters.
  and ($customer_id is null or c.customer_id = $customer_id)
order by c.customer_id
