-- One row per region with orders from customers the viewer may see: UN M49 regions and sub-regions, then the
-- company's own sales regions.
-- (Countries from period_facts' quarter rows: one row per customer, destination and quarter, its owner copied in, so no join and
-- about six times fewer rows than customer_day; 10 M lines: 170 ms -> 15 ms.)
with visible_days as (
    select distinct d.country_code
    from period_facts d
    where d.grain = 'quarter' and visible_to(d.rep_key, $all_customers, $visible_reps)
)
select distinct 'm49' as kind, r.region_code as code, r.region_name_en as name_en, r.region_name_zh as name_zh, 1 as level
from visible_days d join country_regions r using (country_code)
where r.region_code <> ''
union all
select distinct 'm49', r.subregion_code, r.subregion_name_en, r.subregion_name_zh, 2
from visible_days d join country_regions r using (country_code)
where r.subregion_code <> ''
union all
select distinct 'sales', c.sales_region, c.sales_region, c.sales_region, 3
from customers c
where c.sales_region is not null and visible_to(coalesce(c.sales_rep, ''), $all_customers, $visible_reps)
order by level, name_en
