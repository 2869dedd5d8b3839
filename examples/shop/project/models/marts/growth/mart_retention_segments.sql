-- Retention status per customer: VIPs (High CLTV) are tracked apart from everyone else.
with customers as (

    select * from {{ ref('mart_customer_revenue') }}

),

activity as (

    select * from {{ ref('int_customer_activity') }}

)

select
    customers.customer_id,
    customers.cltv_segment,
    coalesce(activity.orders_last_90d, 0) as orders_last_90d,
    coalesce(activity.orders_prior_90d, 0) as orders_prior_90d,
    case
        when customers.cltv_segment = 'High' and coalesce(activity.orders_last_90d, 0) > 0 then 'VIP active'
        when customers.cltv_segment = 'High' then 'VIP lapsing'
        when coalesce(activity.orders_last_90d, 0) > 0 then 'Regular active'
        else 'Regular lapsed'
    end as retention_segment,
    (coalesce(activity.orders_prior_90d, 0) > 0 and coalesce(activity.orders_last_90d, 0) > 0) as is_retained
from customers
left join activity
    on customers.customer_id = activity.customer_id
