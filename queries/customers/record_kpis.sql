-- One row: the record KPIs of customers passing the filters (home country) as of $as_of (docs/metrics.md; the
-- same rules as cockpit/records.py record_completeness_pct, stale_mask and public_pool, held equal by a test):
-- completeness = share of the nine record fields filled over all customers; stale = neither updated nor contacted
-- (else created) within $stale_days; public pool = no owner, or neither an order nor a contact within $pool_days.
with last_orders as (
    select customer_id, valid_from as last_order_on
    from customer_rhythm
    where valid_from <= $as_of and (valid_to is null or valid_to > $as_of)
),
rec as (
    select
        c.customer_id,
        -- filled: a value that is not blank and not the text 'nan' or 'None' (records.filled).
        (c.customer_name is not null and trim(c.customer_name) not in ('', 'nan', 'None'))::int
          + (f.home_country is not null and trim(f.home_country) not in ('', 'nan', 'None'))::int
          + (c.sales_rep is not null and trim(c.sales_rep) not in ('', 'nan', 'None'))::int
          + (c.segment is not null and trim(c.segment) not in ('', 'nan', 'None'))::int
          + (c.industry is not null and trim(c.industry) not in ('', 'nan', 'None'))::int
          + (c.source_channel is not null and trim(c.source_channel) not in ('', 'nan', 'None'))::int
          + (c.email is not null and trim(c.email) not in ('', 'nan', 'None'))::int
          + (c.phone is not null and trim(c.phone) not in ('', 'nan', 'None'))::int
          + (c.website is not null and trim(c.website) not in ('', 'nan', 'None'))::int as fields_filled,
        coalesce(greatest(c.updated_on, c.last_contact_on), c.created_on) as last_touched_on,
        c.sales_rep is not null and trim(c.sales_rep) not in ('', 'nan', 'None') as has_owner,
        c.last_contact_on,
        o.last_order_on
    from customers c
    join customer_facts f using (customer_id)
    left join last_orders o using (customer_id)
    left join country_regions r on r.country_code = f.home_country
    where (len($countries) = 0 or f.home_country = any($countries))
      and (len($regions) = 0 or r.region_code = any($regions) or r.subregion_code = any($regions) or c.sales_region = any($regions))
      and (len($reps) = 0 or coalesce(c.sales_rep, '') = any($reps))
      and (len($segments) = 0 or coalesce(c.segment, '') = any($segments))
      and ($all_customers or coalesce(c.sales_rep, '') = any($visible_reps))
)
select
    count(*) as customers,
    coalesce(sum(fields_filled) * 100.0 / (9 * count(*)), 0) as record_completeness_pct,
    count(*) filter (where last_touched_on is null or last_touched_on < $as_of::date - $stale_days) as stale_records,
    count(*) filter (where not has_owner
                        or ((last_order_on is null or last_order_on < $as_of::date - $pool_days)
                            and (last_contact_on is null or last_contact_on < $as_of::date - $pool_days)))
        as public_pool_candidates
from rec
