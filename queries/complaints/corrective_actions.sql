-- One row per as-of day of $as_ofs and corrective action (a complaint with an action or a due date) received by that
-- day from customers passing the filters that is due between $date_from and that day or overdue on it, with its
-- state on that day (set-based: the Overview's overdue count of eight quarters is one query):
-- verified_on_time / verified_late (verified by that day, on or before / after the due date), overdue (due before
-- that day, not verified by it), open (not yet due). docs/metrics.md; a test counts the same with pandas.
with as_ofs as (
    select distinct unnest($as_ofs)::date as as_of
),
acts as (
    select a.as_of, k.*,
           case when k.action_verified_on <= a.as_of then k.action_verified_on end as verified_by
    from complaint_facts k
    join as_ofs a on k.received_on <= a.as_of
    where k.received_on <= list_max($as_ofs)::date
      and (k.corrective_action is not null or k.action_due_on is not null)
      and in_view(k.country_code, k.region_code, k.subregion_code, k.sales_region, k.rep_key, k.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
states as (
    select a.*,
           case when a.verified_by is not null then
                     case when a.action_due_on is null or a.verified_by <= a.action_due_on then 'verified_on_time' else 'verified_late' end
                when a.action_due_on < a.as_of then 'overdue'
                else 'open' end as action_state
    from acts a
)
select
    s.as_of,
    s.complaint_id,
    s.customer_id,
    c.customer_name,
    s.corrective_action,
    coalesce(s.department, '') as department,
    s.action_due_on,
    s.action_verified_on,
    s.owner,
    s.action_state,
    case when s.action_state = 'overdue' then date_diff('day', s.action_due_on, s.as_of) end as days_overdue
from states s
left join customers c using (customer_id)
where s.action_state = 'overdue' or s.action_due_on between $date_from and s.as_of
order by s.as_of, days_overdue desc nulls last, s.action_due_on, s.complaint_id
