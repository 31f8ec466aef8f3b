-- One row per stored quarter asked for (none when the import did not store it): the whole company's KPIs and movers
-- of one calendar quarter, worked out at import by the live definitions (cockpit/kpis.py store_quarters).
select kpis_json, country_movers_json, customer_movers_json, monthly_json
from quarter_kpis
where quarter_start = $quarter_start
  -- The whole company's view, so only for a viewer who sees every customer (anyone else is computed live).
  and $all_customers
