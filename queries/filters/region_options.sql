-- One row per region that has orders: UN M49 regions and sub-regions, then the company's own sales regions.
select distinct 'm49' as kind, r.region_code as code, r.region_name_en as name_en, r.region_name_zh as name_zh, 1 as level
from customer_day d join country_regions r using (country_code)
where r.region_code <> ''
union all
select distinct 'm49', r.subregion_code, r.subregion_name_en, r.subregion_name_zh, 2
from customer_day d join country_regions r using (country_code)
where r.subregion_code <> ''
union all
select distinct 'sales', sales_region, sales_region, sales_region, 3
from customers
where sales_region is not null
order by level, name_en
