-- One row: complaints received between $date_from and $date_to from customers passing the filters, and how many
-- were followed within $recurrence_days days by another complaint from the same customer in the same category or
-- with the same root cause (the rule of cockpit/complaints.py recurrence(), held equal by a test).
with period as (
    select k.complaint_id, k.customer_id, coalesce(k.category, '') as category, k.root_cause, k.received_at
    from complaint_facts k
    where k.received_on between $date_from and $date_to
      and (len($countries) = 0 or k.country_code = any($countries))
      and (len($regions) = 0 or k.region_code = any($regions) or k.subregion_code = any($regions) or k.sales_region = any($regions))
      and (len($reps) = 0 or k.rep_key = any($reps))
      and (len($segments) = 0 or k.segment_key = any($segments))
      and ($all_customers or k.rep_key = any($visible_reps))
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
