-- Canonical tables. Documented column by column in docs/data-model.md.
create table if not exists customers (
    customer_id varchar primary key,
    customer_name varchar,
    country_code varchar,          -- ISO 3166-1 alpha-2; null = unknown
    country_raw varchar,           -- the country as written in the export
    city varchar,
    sales_region varchar,
    sales_rep varchar,
    segment varchar,
    industry varchar,
    source_channel varchar,
    created_on date,
    updated_on date,
    last_contact_on date,
    email varchar,
    phone varchar,
    website varchar,
    record_source varchar,         -- 'customer file' | 'orders' | 'placeholder'
    source_file varchar,
    import_id integer
);
create table if not exists orders (
    order_id varchar,
    line_no integer,
    customer_id varchar,
    ordered_on date,
    ordered_at timestamp,
    shipped_on date,
    product varchar,
    category varchar,
    quantity double,
    unit_price double,
    amount double,                 -- original currency; negative for returns and cancellations
    currency varchar,
    amount_reporting double,       -- in the reporting currency (settings.reporting_currency)
    country_code varchar,          -- destination: the order's own country, else the customer's
    country_raw varchar,
    sales_rep varchar,
    source_file varchar,
    import_id integer
);
create table if not exists complaints (
    complaint_id varchar primary key,
    customer_id varchar,
    order_id varchar,
    received_at timestamp,
    first_response_at timestamp,
    resolved_at timestamp,
    category varchar,
    severity varchar,
    department varchar,
    status varchar,
    root_cause varchar,
    corrective_action varchar,
    action_due_on date,
    action_verified_on date,
    owner varchar,
    source_file varchar,
    import_id integer
);
create table if not exists pipeline_events (
    customer_id varchar,
    stage varchar,                 -- inquiry | quote | sample | order
    happened_on date,
    source_file varchar,
    import_id integer
);
create table if not exists fx_rates (
    currency varchar,
    valid_from date,
    rate_to_reporting double,      -- units of reporting currency per one unit of currency
    source_file varchar,
    import_id integer
);
create table if not exists import_log (
    import_id integer primary key,
    started_at timestamp,
    finished_at timestamp,
    imported_by varchar,
    mode varchar,                  -- merge | replace
    reporting_currency varchar,
    files json,                    -- [{file, sha256, table, encoding, sheet, rows_read, rows_loaded, rows_quarantined}]
    rows_read bigint,
    rows_loaded bigint,
    rows_quarantined bigint,
    reasons json,                  -- {reason: count}
    notes json                     -- decisions taken (date order, derived customers, unresolved countries...)
);
create table if not exists quarantine (
    import_id integer,
    file varchar,
    row_number bigint,
    column_name varchar,
    value varchar,
    reason varchar,
    action varchar                 -- 'row quarantined' | 'value blanked'
);
create table if not exists settings (
    key varchar primary key,
    value varchar
);
