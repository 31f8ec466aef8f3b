-- One row per pair of ABC classes a customer passing the filters had in quarter $from_start–$from_end (from_abc) and
-- in quarter $to_start–$to_end (to_abc), '—' when it had no positive net revenue in that quarter: how many customers
-- moved so (abc_classes, cockpit/sql/build_derived.sql, with $a_pct and $b_pct; docs/metrics.md "Migration matrix").
with classed as (
    select *
    from abc_classes([$from_start, $to_start], [$from_end, $to_end], $a_pct, $b_pct, $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
),
before as (
    select customer_id, abc from classed where period_from = $from_start and period_to = $from_end
),
after as (
    select customer_id, abc from classed where period_from = $to_start and period_to = $to_end
)
select coalesce(b.abc, '—') as from_abc, coalesce(a.abc, '—') as to_abc, count(*) as customers
from before b
full join after a using (customer_id)
group by all
order by from_abc, to_abc
