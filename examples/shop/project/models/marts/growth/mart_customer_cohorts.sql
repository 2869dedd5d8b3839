-- Signup cohorts: how many customers of each month became High value and are still active.
with customers as (

    select * from {{ ref('stg_customers') }}
    where not is_test_user

),

revenue as (

    select customer_id, cltv_segment, orders_count from {{ ref('mart_customer_revenue') }}

),

activity as (

    select customer_id, orders_last_90d from {{ ref('int_customer_activity') }}

)

select
    cast({{ dbt.date_trunc('month', 'customers.signup_date') }} as date) as cohort_month,
    count(*) as customers,
    sum(case when revenue.cltv_segment = 'High' then 1 else 0 end) as high_value_customers,
    round(avg(case when revenue.cltv_segment = 'High' then 1.0 else 0.0 end), 4) as high_value_rate,
    round(avg(case when coalesce(activity.orders_last_90d, 0) > 0 then 1.0 else 0.0 end), 4) as active_90d_rate,
    round(avg(revenue.orders_count), 2) as avg_orders_per_customer
from customers
inner join revenue
    on customers.customer_id = revenue.customer_id
left join activity
    on customers.customer_id = activity.customer_id
group by 1
