-- High CLTV customers who have gone quiet: the Growth team's win-back list.
with customers as (

    select * from {{ ref('mart_customer_revenue') }}
    where cltv_segment = 'High'

),

activity as (

    select * from {{ ref('int_customer_activity') }}

)

select
    customers.customer_id,
    customers.orders_count,
    activity.last_order_date,
    activity.days_since_last_order,
    case when activity.days_since_last_order > 120 then 'high' else 'medium' end as churn_risk
from customers
inner join activity
    on customers.customer_id = activity.customer_id
where activity.days_since_last_order > 60
