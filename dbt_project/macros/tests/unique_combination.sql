{#- Generic test: no two rows share the same values in `columns` (the grain of a model).

    `written_by_build` (an incremental model's account column) tests only the rows the build may have
    written (macros/incremental/rows_written.sql), with `period_column` and `period` for a model that also
    rewrites every account's latest months or quarters: a day's build then groups the rows it wrote, not
    the whole history. -#}
{% test unique_combination(model, columns, written_by_build=none, period_column=none, period='month') %}
select {{ columns | join(', ') }}, count(*) as n_rows
from {{ model }}
{%- if written_by_build %}
where {{ rows_written_by_build(written_by_build, period_column, period) }}
{%- endif %}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
