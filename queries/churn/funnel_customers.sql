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
buying as (
    -- The reorder-rhythm row valid on $date_to: order dates so far, the first, and whether the latest falls in
    -- the period (customer_rhythm).
    select customer_id, order_dates, first_order_on, valid_from >= $date_from as active_in_period
    from customer_rhythm
    where valid_from <= $date_to and (valid_to is null or valid_to > $date_to)
),
funnel as (
    select c.customer_id,
           coalesce(e.first_event_on, b.first_order_on) as first_contact_on,
           case
               when b.order_dates >= 2 and b.active_in_period then 6
               when b.order_dates >= 2 then 5
               when b.order_dates >= 1 or e.event_level = 4 then 4
               else coalesce(e.event_level, 0)
           end as reached_level
    from customers c
    left join events e using (customer_id)
    left join buying b using (customer_id)
)
select
    fu.customer_id,
    c.customer_name,
    f.home_country as country_code,
    c.sales_rep,
    c.segment,
    coalesce(c.source_channel, '') as source_channel,
    fu.first_contact_on,
    year(fu.first_contact_on) || 'Q' || quarter(fu.first_contact_on) as cohort,
    fu.reached_level,
    (select count(*) > 0 from pipeline_events) as has_pipeline
from funnel fu
join customers c using (customer_id)
join customer_facts f using (customer_id)
left join country_regions r on r.country_code = f.home_country
where fu.reached_level > 0
  and fu.first_contact_on <= $date_to
  and (len($cohorts) = 0 or (year(fu.first_contact_on) || 'Q' || quarter(fu.first_contact_on)) = any($cohorts))
  and (len($channels) = 0 or coalesce(c.source_channel, '') = any($channels))
  and in_view(f.home_country, r.region_code, r.subregion_code, c.sales_region, coalesce(c.sales_rep, ''), coalesce(c.segment, ''),
          $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
order by fu.reached_level, fu.first_contact_on, fu.customer_id
