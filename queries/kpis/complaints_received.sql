-- One row per period of $period_starts / $period_ends (both dates inclusive): complaints received in it (customer's country; docs/metrics.md complaints_received).
with periods as (
    select distinct unnest($period_starts)::date as period_from, unnest($period_ends)::date as period_to
),
received as (
    select k.received_on
    from complaint_facts k
    where k.received_on between (select min(period_from) from periods) and (select max(period_to) from periods)
      and in_view(k.country_code, k.region_code, k.subregion_code, k.sales_region, k.rep_key, k.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
)
select p.period_from, p.period_to, count(k.received_on) as complaints_received
from periods p
left join received k on k.received_on between p.period_from and p.period_to
group by p.period_from, p.period_to
order by p.period_from, p.period_to
