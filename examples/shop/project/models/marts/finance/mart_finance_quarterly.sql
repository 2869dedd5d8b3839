-- Quarterly revenue by value tier for the Finance Metrics dashboard.
with orders as (

    select * from {{ ref('int_orders_net') }}
    where is_revenue_order

),

customers as (

    select customer_id, cltv_segment from {{ ref('mart_customer_revenue') }}

)

select
    cast({{ dbt.date_trunc('quarter', 'orders.order_date') }} as date) as fiscal_quarter,
    -- Finance reports two tiers: High-value accounts and everyone else.
    case when customers.cltv_segment = 'High' then 'High value' else 'Standard' end as value_tier,
    count(distinct orders.customer_id) as customers,
    count(*) as orders,
    sum(orders.order_amount) as gross_revenue,
    sum(orders.refund_amount) as refunds,
    sum(orders.net_amount) as net_revenue
from orders
inner join customers
    on orders.customer_id = customers.customer_id
group by 1, 2
