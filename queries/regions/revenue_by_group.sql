-- One row per group of destination countries: UN M49 continent ($group = 'region'), sub-region ('subregion'),
-- or the company's own sales region of the customer ('sales_region'); '' = unknown / none.
with grouped as (
    select
        case $group when 'region' then d.region_code when 'subregion' then d.subregion_code else d.sales_region end as group_key,
        sum(d.revenue) as revenue,
        count(distinct d.customer_id) as customers
    from period_facts d
    where d.period_start >= $date_from and d.period_end <= $date_to
      -- Months the period covers whole come as month rows, the days of months it cuts as day rows.
      and period_grain(d.grain, d.month_start, d.month_end, d.quarter_start, d.quarter_end, $date_from, $date_to)
      and in_view(d.country_code, d.region_code, d.subregion_code, d.sales_region, d.rep_key, d.segment_key,
              $countries, $regions, $reps, $segments, $all_customers, $visible_reps)
    group by all
),
names as (
    select distinct region_code as group_key, region_name_en as name_en, region_name_zh as name_zh
    from country_regions where $group = 'region'
    union all
    select distinct subregion_code, subregion_name_en, subregion_name_zh
    from country_regions where $group = 'subregion'
)
select
    coalesce(case when $group in ('region', 'subregion') then n.name_en else g.group_key end, '') as name_en,
    coalesce(case when $group in ('region', 'subregion') then n.name_zh else g.group_key end, '') as name_zh,
    sum(g.revenue) as revenue,
    sum(g.customers) as customers
from grouped g
left join names n using (group_key)
group by all
order by revenue desc, name_en
