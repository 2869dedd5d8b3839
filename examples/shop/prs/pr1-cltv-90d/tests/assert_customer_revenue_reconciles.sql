-- Net revenue validation: net_revenue_90d adds up to order_amount minus refund_amount of the
-- window's revenue orders of real customers, to the cent.
with expected as (

    select sum(orders.order_amount - orders.refund_amount) as revenue
    from {{ ref('int_orders_net') }} as orders
    inner join {{ ref('stg_customers') }} as customers
        on orders.customer_id = customers.customer_id
    where orders.is_revenue_order
      and not customers.is_test_user
      and orders.order_date >= {{ dbt.dateadd('day', -90, as_of_date()) }}
      and orders.order_date < {{ as_of_date() }}

),

actual as (

    select sum(net_revenue_90d) as revenue from {{ ref('mart_customer_revenue') }}

)

select expected.revenue as expected_revenue, actual.revenue as actual_revenue
from expected
cross join actual
where abs(expected.revenue - actual.revenue) > 0.01
