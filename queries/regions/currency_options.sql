-- One row per order currency other than the reporting currency among visible customers, largest revenue first.
-- (From period_facts' quarter rows: the same revenue in about six times fewer rows than customer_day, owner copied
-- in, no join.)
select d.currency, sum(d.revenue) as revenue
from period_facts d
where d.grain = 'quarter'
  and d.currency <> (select value from settings where key = 'reporting_currency')
  and visible_to(d.rep_key, $all_customers, $visible_reps)
group by all
order by revenue desc
