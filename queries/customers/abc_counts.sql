-- One row per period of $period_starts / $period_ends and ABC class (A, B, C): customers with positive net revenue
-- in the period and their revenue, classed by abc_classes (cockpit/sql/build_derived.sql: ranked by revenue, A while the cumulative
-- share before them is under $a_pct %, B while under $b_pct %, then C; destination filters). Set-based: the Overview's
-- eight quarters are one query.
with periods as (
    select distinct unnest($period_starts)::date as period_from, unnest($period_ends)::date as period_to
),
classed as (
    select * from abc_classes($period_starts, $period_ends, $a_pct, $b_pct, $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
)
select p.period_from, p.period_to, k.abc, count(c.abc) as customers, coalesce(sum(c.revenue), 0) as revenue
from periods p
cross join (values ('A'), ('B'), ('C')) k(abc)
left join classed c on c.period_from = p.period_from and c.period_to = p.period_to and c.abc = k.abc
group by all
order by p.period_from, p.period_to, k.abc
