-- One row per stored quarter asked for (none when the import did not store it): everything the Churn page shows for
-- the whole company at one calendar quarter's end with the default rules, worked out at import by cockpit/churn.py
-- view.
select view_json
from churn_views
where quarter_start = $quarter_start
  -- The whole company's view, so only for a viewer who sees every customer (anyone else is computed live).
  and $all_customers
