-- Contract section 3 in DuckDB SQL, as an independent cross-check of `rebuy cohorts`
-- and as the peer in the benchmark. Runs after occasions.sql. The caller replaces
-- {unit} (week, month, quarter or year) and {step} (the interval of one period).


WITH kept AS (
    SELECT customer, day, amount, date_trunc('{unit}', day)::DATE AS period
    FROM occasions
    WHERE day <= getvariable('as_of')
), firsts AS (
    SELECT customer, min(period) AS cohort FROM kept GROUP BY customer
), activity AS (
    SELECT f.cohort, k.period, count(DISTINCT k.customer) AS active,
           sum(k.amount) AS revenue, count(k.amount) AS known
    FROM kept k JOIN firsts f USING (customer)
    GROUP BY ALL
), sizes AS (
    SELECT cohort, count(*) AS size FROM firsts GROUP BY cohort
), grid AS (
    SELECT s.cohort, s.size, unnest(generate_series(s.cohort::TIMESTAMP,
           date_trunc('{unit}', getvariable('as_of'))::TIMESTAMP, INTERVAL {step}))::DATE AS period
    FROM sizes s
)
SELECT CASE '{unit}'
           WHEN 'week' THEN strftime(g.cohort, '%G-W%V')
           WHEN 'month' THEN strftime(g.cohort, '%Y-%m')
           WHEN 'quarter' THEN strftime(g.cohort, '%Y') || '-Q' || quarter(g.cohort)
           ELSE strftime(g.cohort, '%Y') END AS cohort,
       CASE '{unit}' WHEN 'week' THEN (g.period - g.cohort) // 7
                     ELSE datediff('{unit}', g.cohort, g.period) END AS period_offset,
       g.size AS cohort_size,
       coalesce(a.active, 0) AS active_customers,
       coalesce(a.active, 0) / g.size AS retention_rate,
       CASE WHEN sum(coalesce(a.known, 0)) OVER w > 0
            THEN (sum(a.revenue) OVER w / g.size)::DOUBLE END AS cumulative_revenue_per_customer,
       (g.period + INTERVAL {step} - INTERVAL 1 DAY)::DATE <= getvariable('as_of') AS complete
FROM grid g LEFT JOIN activity a ON a.cohort = g.cohort AND a.period = g.period
WINDOW w AS (PARTITION BY g.cohort ORDER BY g.period)
ORDER BY g.cohort, g.period
