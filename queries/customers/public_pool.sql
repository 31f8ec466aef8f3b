-- One row per public-pool candidate among the customers passing the filters as of $as_of (record_flags,
-- cockpit/sql/customer_state.sql: no owner, or neither an order nor a contact within $pool_days): largest lifetime
-- revenue first (ties by customer id), at most $limit rows (null: all).
with pool as (
    -- Ranked and cut before the display columns are joined: the join then reads $limit rows, not every candidate.
    select k.customer_id, k.home_country, k.pool_reason, coalesce(k.lifetime_revenue, 0) as lifetime_revenue,
           k.last_order_on
    from record_flags([$as_of], $stale_days, $pool_days, $countries, $regions, $reps, $segments, $all_customers, $visible_reps) k
    where k.pool_reason is not null
    order by lifetime_revenue desc, k.customer_id
    limit $limit
)
select
    p.customer_id,
    c.customer_name,
    p.home_country as country_code,
    p.pool_reason,
    c.sales_rep,
    p.lifetime_revenue,
    p.last_order_on,
    c.last_contact_on
from pool p
join customers c using (customer_id)
order by p.lifetime_revenue desc, p.customer_id
