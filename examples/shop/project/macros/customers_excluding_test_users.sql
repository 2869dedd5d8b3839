{#
  Every customer-facing mart must drop QA and load-test accounts. Keeping the rule in one macro
  means a new kind of test account is excluded everywhere at once.
#}
{% macro customers_excluding_test_users() %}
    select *
    from {{ ref('stg_customers') }}
    where not is_test_user
{% endmacro %}
