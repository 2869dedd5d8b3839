-- Recency per customer relative to the pinned as_of_date, for retention and churn marts.
with revenue_orders as (

    select * from {{ ref('int_orders_net') }}
    where is_revenue_order

)

select
    customer_id,
    min(order_date) as first_order_date,
    max(order_date) as last_order_date,
    count(distinct order_id) as lifetime_orders,
    count(distinct case
        when order_date >= {{ dbt.dateadd('day', -90, "cast('" ~ var('as_of_date') ~ "' as date)") }}
        then order_id end) as orders_last_90d,
    count(distinct case
        when order_date >= {{ dbt.dateadd('day', -180, as_of_date()) }}
         and order_date < {{ dbt.dateadd('day', -90, as_of_date()) }}
        then order_id end) as orders_prior_90d,
    {{ dbt.datediff('max(order_date)', as_of_date(), 'day') }} as days_since_last_order
from revenue_orders
group by customer_id
