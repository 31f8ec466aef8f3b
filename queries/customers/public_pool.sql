-- One row per public-pool candidate among the customers passing the filters as of $as_of (record_flags,
-- cockpit/sql/customer_state.sql: no owner, or neither an order nor a contact within $pool_days): largest lifetime
-- revenue first (ties by customer id), at most $limit rows (null: all).
select
    c.customer_id,
    c.customer_name,
    k.home_country as country_code,
    k.pool_reason,
    c.sales_rep,
    coalesce(k.lifetime_revenue, 0) as lifetime_revenue,
    k.last_order_on,
    c.last_contact_on
from record_flags([$as_of], $stale_days, $pool_days, $countries, $regions, $reps, $segments, $all_customers, $visible_reps) k
join customers c using (customer_id)
where k.pool_reason is not null
order by lifetime_revenue desc, k.customer_id
limit $limit
