with source as (

    select * from {{ source('raw', 'customers') }}

),

renamed as (

    select
        customer_id,
        first_name,
        last_name,
        lower(email) as email,
        -- Older QA accounts were never flagged; their e-mail domain gives them away.
        (coalesce(is_test_user, false) or lower(email) like '%@test.example') as is_test_user,
        customer_segment,
        upper(country_code) as country_code,
        cast(signup_date as date) as signup_date,
        marketing_channel
    from source

)

select * from renamed
