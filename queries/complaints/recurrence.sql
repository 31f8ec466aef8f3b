-- One row: complaints received between $date_from and $date_to from customers passing the filters, and how many
-- were followed within $recurrence_days days by another complaint from the same customer in the same category or
-- with the same root cause (docs/metrics.md; tests/independent.py recurrence() works it out from the export files).
with period as (
    select k.complaint_id, k.customer_id, coalesce(k.category, '') as category, k.root_cause, k.received_at
    from complaint_facts k
    where k.received_on between $date_from and $date_to
      and in_view(k.country_code, k.region_code, k.subregion_code, k.sales_region, k.rep_key, k.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
recurred as (
    select distinct p.complaint_id
    from period p
    join period n
      on n.customer_id = p.customer_id
     and n.complaint_id <> p.complaint_id
     and n.received_at > p.received_at
     and n.received_at <= p.received_at + to_days($recurrence_days)
     and (n.category = p.category or (p.root_cause is not null and n.root_cause = p.root_cause))
)
select (select count(*) from period) as complaints, (select count(*) from recurred) as recurred
