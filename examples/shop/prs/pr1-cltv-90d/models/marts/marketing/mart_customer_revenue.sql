-- Customer lifetime value on a rolling 90-day window, net of refunds, in three segments.
-- "Today" is the as_of_date var, so the window moves with each nightly run.
with customers as (

    {{ customers_excluding_test_users() }}

),

revenue_orders as (

    select * from {{ ref('int_orders_net') }}
    where is_revenue_order
      and order_date >= {{ dbt.dateadd('day', -90, "cast('" ~ var('as_of_date') ~ "' as date)") }}
      and order_date < cast('{{ var("as_of_date") }}' as date)

),

customer_orders as (

    select
        customer_id,
        sum(order_amount - refund_amount) as net_revenue_90d,
        count(distinct order_id) as orders_count
    from revenue_orders
    group by customer_id

)

select
    customers.customer_id,
    cast(coalesce(customer_orders.net_revenue_90d, 0) as decimal(18, 2)) as net_revenue_90d,
    cast(coalesce(customer_orders.orders_count, 0) as integer) as orders_count,
    case
        when coalesce(customer_orders.net_revenue_90d, 0) >= 5000 then 'High'
        when coalesce(customer_orders.net_revenue_90d, 0) >= 1000 then 'Medium'
        else 'Low'
    end as cltv_segment
from customers
left join customer_orders
    on customers.customer_id = customer_orders.customer_id
