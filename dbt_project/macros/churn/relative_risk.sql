{#- Relative risk of loss per driver band, with a 95% interval that accounts for the same account being
    observed in several quarters.

    relative_risk = loss_rate of the band / baseline_loss_rate (all observations of the group).
    Interval: delta method on log(RR) with a cluster-robust (sandwich) variance, clusters = accounts.
    For account i, with n, y its observations and losses (in the band: n_b, y_b; overall: n, y) and
    p_b = Y_b / N_b, p = Y / N the pooled rates,
        u_i = (y_b,i - p_b n_b,i) / Y_b - (y_i - p n_i) / Y
    is its influence on log(RR), and Var(log RR) = G / (G - 1) * sum_i u_i^2 over the G accounts of the
    group. Interval: exp(log RR -/+ 1.96 sqrt(Var)). Observations of one account are correlated (its
    drivers and its loss persist from quarter to quarter); summing per account first keeps the interval
    honest about that. No interval when the band has no loss.

    `observations`: (account_id, quarter_start, became_lost), one row per account-quarter.
    `banded`: the same once per driver, with columns driver and band.
    `by`: grouping columns beside driver and band (e.g. ['quarter_start']); [] pools every quarter.
    Renders CTEs ending in `risks`. -#}
{% macro relative_risk_ctes(observations, banded, by=[]) -%}
    {%- set g = by | join(', ') -%}
    {%- set g_ = (g ~ ', ') if by else '' -%}
per_account as (
    select
        {{ g_ }}account_id,
        count(*) as n_i,
        sum(became_lost) as y_i
    from {{ observations }}
    group by {{ g_ }}account_id
),

overall as (
    select
        {{ g_ }}count(*) as accounts,
        sum(n_i) as n_all,
        sum(y_i) as y_all
    from per_account
    {% if by %}group by {{ g }}{% endif %}
),

overall_terms as (
    select
        {{ group_columns(by, 'l') }}{{ order_free_sum(
            'power((l.y_i - cast(r.y_all as double) / r.n_all * l.n_i) / nullif(r.y_all, 0), 2)'
        ) }} as c2
    from per_account as l
    inner join overall as r on 1 = 1{{ same_group(by, 'l', 'r') }}
    {% if by %}group by {% for col in by %}l.{{ col }}{% if not loop.last %}, {% endif %}{% endfor %}{% endif %}
),

band_accounts as (
    select
        {{ g_ }}driver,
        band,
        account_id,
        count(*) as n_bi,
        sum(became_lost) as y_bi
    from {{ banded }}
    group by {{ g_ }}driver, band, account_id
),

band_totals as (
    select
        {{ g_ }}driver,
        band,
        count(*) as band_accounts,
        sum(n_bi) as n_band,
        sum(y_bi) as y_band
    from band_accounts
    group by {{ g_ }}driver, band
),

band_terms as (
    select
        {{ group_columns(by, 'l') }}l.driver,
        l.band,
        {{ order_free_sum(
            'power((l.y_bi - cast(t.y_band as double) / t.n_band * l.n_bi) / nullif(t.y_band, 0), 2)'
        ) }} as a2,
        {{ order_free_sum(
            '(l.y_bi - cast(t.y_band as double) / t.n_band * l.n_bi) / nullif(t.y_band, 0)'
            ~ ' * (a.y_i - cast(o.y_all as double) / o.n_all * a.n_i) / nullif(o.y_all, 0)'
        ) }} as ac
    from band_accounts as l
    inner join band_totals as t on l.driver = t.driver and l.band = t.band{{ same_group(by, 'l', 't') }}
    inner join per_account as a on l.account_id = a.account_id{{ same_group(by, 'l', 'a') }}
    inner join overall as o on 1 = 1{{ same_group(by, 'l', 'o') }}
    group by {{ group_columns(by, 'l') }}l.driver, l.band
),

risks as (
    select
        {{ group_columns(by, 't') }}t.driver,
        t.band,
        cast(t.n_band as bigint) as observations,
        cast(t.y_band as bigint) as lost,
        t.band_accounts as accounts,
        cast(t.y_band as double) / t.n_band as loss_rate,
        cast(o.y_all as double) / o.n_all as baseline_loss_rate,
        case
            when o.y_all > 0 then (cast(t.y_band as double) / t.n_band) / (cast(o.y_all as double) / o.n_all)
        end as relative_risk,
        case
            when t.y_band > 0 and o.y_all > 0 and o.accounts > 1
                then cast(o.accounts as double) / (o.accounts - 1) * greatest(b.a2 - 2 * b.ac + c.c2, 0)
        end as log_rr_variance
    from band_totals as t
    inner join overall as o on 1 = 1{{ same_group(by, 't', 'o') }}
    inner join overall_terms as c on 1 = 1{{ same_group(by, 't', 'c') }}
    inner join band_terms as b on t.driver = b.driver and t.band = b.band{{ same_group(by, 't', 'b') }}
)
{%- endmacro %}

{#- The sum of a double expression, the same whatever order the rows come in: each term rounded to 24
    decimals, then summed exactly. A plain sum of doubles runs in parallel in varying order, so the last
    bit of the intervals changed from build to build and a rebuild differed from the build it repeats. -#}
{% macro order_free_sum(expr) -%}
    cast(sum(cast({{ expr }} as decimal(38, 24))) as double)
{%- endmacro %}

{#- rr_ci_low / rr_ci_high from relative_risk and log_rr_variance (95%). -#}
{% macro rr_interval(rr, variance) -%}
        case when {{ rr }} > 0 then exp(ln({{ rr }}) - 1.959964 * sqrt({{ variance }})) end as rr_ci_low,
        case when {{ rr }} > 0 then exp(ln({{ rr }}) + 1.959964 * sqrt({{ variance }})) end as rr_ci_high
{%- endmacro %}

{#- " and l.c = r.c" for each grouping column c: join conditions within one group. -#}
{% macro same_group(by, left, right) -%}
    {%- for col in by %} and {{ left }}.{{ col }} = {{ right }}.{{ col }}{% endfor -%}
{%- endmacro %}

{#- "a.c, " for each grouping column c: the group's columns ahead of a select list. -#}
{% macro group_columns(by, alias) -%}
    {%- for col in by %}{{ alias }}.{{ col }}, {% endfor -%}
{%- endmacro %}
