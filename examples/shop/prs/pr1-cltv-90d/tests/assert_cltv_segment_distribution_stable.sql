-- Segment classification stability: warn when the High segment holds an implausible share of
-- customers (outside 1%–20%), which usually means a threshold or window went wrong.
{{ config(severity='warn') }}

with shares as (

    select avg(case when cltv_segment = 'High' then 1.0 else 0.0 end) as high_share
    from {{ ref('mart_customer_revenue') }}

)

select high_share
from shares
where high_share < 0.01 or high_share > 0.20
