-- Revenue concentration per CLTV segment (two levels below mart_customer_revenue).
with ltv as (

    select * from {{ ref('fct_customer_ltv') }}

),

totals as (

    select sum(lifetime_net_revenue) as all_revenue from ltv

)

select
    ltv.cltv_segment,
    count(*) as customers,
    sum(ltv.lifetime_net_revenue) as lifetime_net_revenue,
    round(avg(ltv.avg_order_value), 2) as avg_order_value,
    round(sum(ltv.lifetime_net_revenue) / max(totals.all_revenue), 4) as revenue_share
from ltv
cross join totals
group by ltv.cltv_segment
