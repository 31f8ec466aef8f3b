-- One row per customer first contacted on or before $date_to: the furthest lifecycle step reached.
-- Steps: 1 inquiry, 2 quote, 3 sample, 4 first order, 5 repeat order (2+ order dates), 6 repeat customer
-- active in the period. A later step implies the earlier ones (an order without a logged quote still passed it).
with events as (
    select customer_id,
           max(case stage when 'inquiry' then 1 when 'quote' then 2 when 'sample' then 3 when 'order' then 4 end) as event_level,
           min(happened_on) as first_event_on
    from pipeline_events
    where happened_on <= $date_to
    group by customer_id
),
buyers as (
    -- Customers with an order by $date_to (customer_state, cockpit/sql/customer_state.sql).
    select s.customer_id, s.customer_name, s.home_country, s.sales_rep, s.segment, s.source_channel, s.order_dates,
           s.first_order_on, s.last_order_on >= $date_from as active_in_period,
           s.rep_key, s.segment_key, s.sales_region, s.region_code, s.subregion_code
    from customer_state s
    where s.as_of = $date_to and s.order_dates is not null
),
prospects as (
    -- Customers with pipeline events and no order by $date_to.
    select c.customer_id, c.customer_name, f.home_country, c.sales_rep, c.segment, c.source_channel,
           null::bigint as order_dates, null::date as first_order_on, false as active_in_period,
           coalesce(c.sales_rep, '') as rep_key, coalesce(c.segment, '') as segment_key, c.sales_region,
           r.region_code, r.subregion_code
    from events e
    join customers c using (customer_id)
    join customer_facts f using (customer_id)
    left join country_regions r on r.country_code = f.home_country
    where e.customer_id not in (select customer_id from buyers)
),
funnel as (
    select p.*,
           coalesce(e.first_event_on, p.first_order_on) as first_contact_on,
           case
               when p.order_dates >= 2 and p.active_in_period then 6
               when p.order_dates >= 2 then 5
               when p.order_dates >= 1 or e.event_level = 4 then 4
               else coalesce(e.event_level, 0)
           end as reached_level
    from (select * from buyers union all select * from prospects) p
    left join events e using (customer_id)
)
select
    fu.customer_id,
    fu.customer_name,
    fu.home_country as country_code,
    fu.sales_rep,
    fu.segment,
    coalesce(fu.source_channel, '') as source_channel,
    fu.first_contact_on,
    year(fu.first_contact_on) || 'Q' || quarter(fu.first_contact_on) as cohort,
    fu.reached_level,
    (select count(*) > 0 from pipeline_events) as has_pipeline
from funnel fu
where fu.reached_level > 0
  and fu.first_contact_on <= $date_to
  and (len($cohorts) = 0 or (year(fu.first_contact_on) || 'Q' || quarter(fu.first_contact_on)) = any($cohorts))
  and (len($channels) = 0 or coalesce(fu.source_channel, '') = any($channels))
  and in_view(fu.home_country, fu.region_code, fu.subregion_code, fu.sales_region, fu.rep_key, fu.segment_key,
          $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
order by fu.reached_level, fu.first_contact_on, fu.customer_id
