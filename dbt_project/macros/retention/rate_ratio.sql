{#- One end of the 95% interval of the ratio of two rates a / n1 over c / n2 (Katz, on the log scale:
    var = 1/a - 1/n1 + 1/c - 1/n2); `side` is -1 for the lower end, +1 for the upper. Null unless a > 0
    and c > 0. -#}
{% macro rate_ratio_bound(a, n1, c, n2, side) -%}
    case
        when ({{ a }}) > 0 and ({{ c }}) > 0
            then exp(
                ln((cast({{ a }} as double) / ({{ n1 }})) / (cast({{ c }} as double) / ({{ n2 }})))
                {{ '-' if side < 0 else '+' }} 1.959964 * sqrt(
                    cast(1 as double) / ({{ a }}) - cast(1 as double) / ({{ n1 }})
                    + cast(1 as double) / ({{ c }}) - cast(1 as double) / ({{ n2 }})
                )
            )
    end
{%- endmacro %}
