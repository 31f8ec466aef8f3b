-- One row per complaint from customers passing the filters (home country) received between $date_from minus
-- $history_days and $date_to: the period's complaints (latency, SLA, distribution, recurrence, timeline), and with
-- $history_days = 365 the year before as well (the trend in business hours, which only Python can compute).
-- Open complaints and corrective actions at the period end come from their own queries (open_backlog,
-- oldest_open, corrective_actions), so this list does not grow with the backlog. $newest: only that many of the
-- most recently received (ties by complaint id; null: every one), as the timeline's picker offers them.
with picked as (
    select k.*
    from complaint_facts k
    where k.received_on between $date_from::date - $history_days and $date_to
      and in_view(k.country_code, k.region_code, k.subregion_code, k.sales_region, k.rep_key, k.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
    order by k.received_at desc, k.complaint_id
    limit $newest
)
-- (The customers' names are joined to the complaints picked only.)
select
    k.complaint_id,
    k.customer_id,
    c.customer_name,
    k.country_code,
    coalesce(c.sales_rep, '') as sales_rep,
    k.order_id,
    k.received_at,
    k.first_response_at,
    k.resolved_at,
    coalesce(k.category, '') as category,
    coalesce(k.severity, '') as severity,
    coalesce(k.department, '') as department,
    k.status,
    k.root_cause,
    k.corrective_action,
    k.action_due_on,
    k.action_verified_on,
    k.owner,
    k.hours_to_first_response,
    k.hours_to_resolution
from picked k
left join customers c using (customer_id)
order by k.received_at, k.complaint_id
