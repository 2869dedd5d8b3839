-- Customer-level LTV facts for Finance: lifetime net revenue next to the CLTV segment.
with customers as (

    select * from {{ ref('mart_customer_revenue') }}

),

net_revenue as (

    select
        customer_id,
        sum(net_amount) as lifetime_net_revenue
    from {{ ref('int_orders_net') }}
    where is_revenue_order
    group by customer_id

)

select
    customers.customer_id,
    customers.cltv_segment,
    customers.cltv_segment = 'High' as is_high_value,
    customers.orders_count,
    cast(coalesce(net_revenue.lifetime_net_revenue, 0) as decimal(18, 2)) as lifetime_net_revenue,
    case
        when customers.orders_count > 0
            then cast(coalesce(net_revenue.lifetime_net_revenue, 0) / customers.orders_count as decimal(18, 2))
    end as avg_order_value
from customers
left join net_revenue
    on customers.customer_id = net_revenue.customer_id
