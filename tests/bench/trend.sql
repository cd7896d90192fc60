-- Contract section 7 (README Definitions) in DuckDB SQL, as an independent cross-check
-- of `rebuy trend`. Runs after occasions.sql. The caller replaces {unit} (week, month,
-- quarter or year), {step} (the interval of one period) and {dormant} (days).

WITH kept AS (
    SELECT customer, day, ts, amount, date_trunc('{unit}', day)::DATE AS period,
           lag(day) OVER (PARTITION BY customer ORDER BY day, ts) AS previous,
           row_number() OVER (PARTITION BY customer ORDER BY day, ts) AS nth
    FROM occasions
    WHERE day <= getvariable('as_of')
), firsts AS (
    SELECT customer, min(period) AS first_period FROM kept GROUP BY customer
), marked AS (
    SELECT k.*, f.first_period,
           row_number() OVER (PARTITION BY k.customer, k.period ORDER BY k.day, k.ts) AS in_period
    FROM kept k JOIN firsts f USING (customer)
), per AS (
    SELECT period,
           count(DISTINCT customer) AS active,
           count(DISTINCT customer) FILTER (WHERE first_period = period) AS new,
           count(*) FILTER (WHERE in_period = 1 AND first_period <> period
                            AND day - previous > {dormant}) AS reactivated,
           count(*) AS occasions,
           sum(amount) AS revenue,
           sum(amount) FILTER (WHERE first_period <> period) AS returning_revenue,
           count(*) FILTER (WHERE nth = 2) AS seconds,
           median(day - previous) FILTER (WHERE in_period = 1 AND first_period <> period) AS gap
    FROM marked
    GROUP BY period
), grid AS (
    SELECT unnest(generate_series((SELECT min(period) FROM kept)::TIMESTAMP,
           date_trunc('{unit}', getvariable('as_of'))::TIMESTAMP, INTERVAL {step}))::DATE AS period
)
SELECT CASE '{unit}'
           WHEN 'week' THEN strftime(g.period, '%G-W%V')
           WHEN 'month' THEN strftime(g.period, '%Y-%m')
           WHEN 'quarter' THEN strftime(g.period, '%Y') || '-Q' || quarter(g.period)
           ELSE strftime(g.period, '%Y') END AS period,
       coalesce(p.active, 0) AS active_customers,
       coalesce(p.new, 0) AS new_customers,
       coalesce(p.active, 0) - coalesce(p.new, 0) AS returning_customers,
       coalesce(p.reactivated, 0) AS reactivated_customers,
       coalesce(p.occasions, 0) AS occasions,
       p.revenue::DOUBLE AS revenue,
       CASE WHEN p.revenue > 0 THEN (coalesce(p.returning_revenue, 0) / p.revenue)::DOUBLE END
           AS returning_revenue_share,
       coalesce(sum(coalesce(p.seconds, 0)) OVER w / nullif(sum(coalesce(p.new, 0)) OVER w, 0), 0)
           AS repeat_purchase_rate_to_date,
       p.gap::DOUBLE AS median_days_since_previous,
       (g.period + INTERVAL {step} - INTERVAL 1 DAY)::DATE <= getvariable('as_of') AS complete
FROM grid g LEFT JOIN per p USING (period)
WINDOW w AS (ORDER BY g.period)
ORDER BY g.period
