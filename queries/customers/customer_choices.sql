-- One row per customer a picker offers (the 360's): the $limit largest by lifetime revenue as of $as_of (ties by id) among
-- the customers passing the filters whose id or name contains $text (any case; '' = all), and before them $keep (the
-- customer already chosen, for example from a shared link) when it passes the filters but is not among them.
with named as (
    -- The customers whose id or name contains $text ('' = all: nothing is read here then).
    select c.customer_id
    from customers c
    where $text <> '' and (contains(lower(c.customer_id), lower($text))
                           or contains(lower(coalesce(c.customer_name, '')), lower($text)))
),
shown as (
    select
        k.customer_id,
        coalesce(s.lifetime_revenue, 0) as lifetime_revenue,
        $text = '' or k.customer_id in (select customer_id from named) as matches
    from customer_record_facts k
    left join customer_state s on s.customer_id = k.customer_id and s.as_of = $as_of
    where in_view(k.home_country, k.region_code, k.subregion_code, k.sales_region, k.rep_key, k.segment_key,
                  $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
largest as (
    select customer_id, lifetime_revenue
    from shown
    where matches
    order by lifetime_revenue desc, customer_id
    limit $limit
),
picked as (
    select customer_id, lifetime_revenue, 0 as part
    from shown
    where customer_id = $keep and customer_id not in (select customer_id from largest)
    union all
    select *, 1 from largest
)
-- Names are joined to the rows picked only.
select p.customer_id, c.customer_name
from picked p
join customers c using (customer_id)
order by p.part, p.lifetime_revenue desc, p.customer_id
