-- Revenue validation: the mart's total equals revenue orders of real customers, to the cent.
with expected as (

    select sum(orders.order_amount) as revenue
    from {{ ref('int_orders_net') }} as orders
    inner join {{ ref('stg_customers') }} as customers
        on orders.customer_id = customers.customer_id
    where orders.is_revenue_order
      and not customers.is_test_user

),

actual as (

    select sum(total_revenue) as revenue from {{ ref('mart_customer_revenue') }}

)

select expected.revenue as expected_revenue, actual.revenue as actual_revenue
from expected
cross join actual
where abs(expected.revenue - actual.revenue) > 0.01
