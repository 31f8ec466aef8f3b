-- One row per period of $period_starts / $period_ends and customer with positive net revenue in it: the revenue,
-- the ABC class and the cumulative share of the period's revenue up to this customer (abc_classes,
-- cockpit/sql/build_derived.sql), largest first.
select period_from, period_to, customer_id, revenue, abc, cumulative_pct
from abc_classes($period_starts, $period_ends, $a_pct, $b_pct, $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
order by period_from, period_to, revenue desc, customer_id
