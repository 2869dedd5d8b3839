-- One row of headline retention KPIs (two levels below mart_customer_revenue).
with retention as (

    select * from {{ ref('mart_retention_segments') }}

),

activity as (

    select * from {{ ref('agg_customer_activity') }}

)

select
    cast('{{ var("as_of_date") }}' as date) as as_of_date,
    (select count(*) from retention) as customers,
    (select sum(case when retention_segment = 'VIP active' then 1 else 0 end) from retention) as vip_active,
    (select sum(case when retention_segment = 'VIP lapsing' then 1 else 0 end) from retention) as vip_lapsing,
    (select round(avg(case when is_retained then 1.0 else 0.0 end), 4)
        from retention where orders_prior_90d > 0) as retention_rate_90d,
    (select sum(active_customers_90d) from activity) as active_customers_90d,
    (select count(*) from activity) as segments
