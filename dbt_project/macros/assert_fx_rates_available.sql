{#- Stops the build, naming currency and date, when a revenue line has no FX rate: a missing rate must
    never turn into a silent zero or a dropped line. Runs when the model runs (after its parents). -#}
{% macro assert_fx_rates_available() %}
    {%- if execute -%}
        {%- set reporting = var('reporting_currency') -%}
        {%- set query -%}
            with needed as (
                select distinct currency, occurred_on from {{ ref('stg_sales__events') }}
                where event_type in ('invoice_issued', 'credit_note_issued')
                union
                select distinct '{{ reporting }}' as currency, occurred_on from {{ ref('stg_sales__events') }}
                where event_type in ('invoice_issued', 'credit_note_issued')
            ),
            rates as (
                select rate_date, currency from {{ ref('stg_fx__rates') }}
                union
                select distinct rate_date, base_currency from {{ ref('stg_fx__rates') }}
            )
            select needed.currency, cast(needed.occurred_on as varchar) as missing_on
            from needed
            left join rates on needed.currency = rates.currency and needed.occurred_on = rates.rate_date
            where rates.currency is null
            order by 2, 1
        {%- endset -%}
        {%- set missing = run_query(query) -%}
        {%- if missing.rows | length > 0 -%}
            {%- set examples = [] -%}
            {%- for row in missing.rows[:5] -%}
                {%- do examples.append(row[0] ~ " on " ~ row[1]) -%}
            {%- endfor -%}
            {{ exceptions.raise_compiler_error(
                "Missing FX rate for " ~ (missing.rows | length) ~ " currency-day(s), e.g. "
                ~ examples | join(", ") ~ " (reporting currency " ~ reporting
                ~ "). Add the rates to landing/fx_rates/ and load them.") }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
