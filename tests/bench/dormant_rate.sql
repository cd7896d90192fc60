-- Contract section 11's reactivation rate in DuckDB SQL, as an independent cross-check
-- of `rebuy dormant --rate --period {unit}`. Runs after occasions.sql. The caller
-- replaces {unit}, {step} (the interval of one period) and {after} (days).

WITH kept AS (
    SELECT DISTINCT customer, day FROM occasions WHERE day <= getvariable('as_of')
), grid AS (
    SELECT unnest(generate_series(date_trunc('{unit}', (SELECT min(day) FROM kept))::TIMESTAMP,
           date_trunc('{unit}', getvariable('as_of'))::TIMESTAMP, INTERVAL {step}))::DATE AS start
), active AS (
    SELECT DISTINCT customer, date_trunc('{unit}', day)::DATE AS start FROM kept
), before AS (
    SELECT g.start, k.customer, max(k.day) AS last_before
    FROM grid g JOIN kept k ON k.day < g.start
    GROUP BY g.start, k.customer
), dormant AS (
    SELECT b.start, b.customer, a.customer IS NOT NULL AS back
    FROM before b LEFT JOIN active a ON a.customer = b.customer AND a.start = b.start
    WHERE (b.start - 1) - b.last_before > {after}
), per AS (
    SELECT start, count(*) AS dormant_at_start, count(*) FILTER (WHERE back) AS reactivated
    FROM dormant GROUP BY start
)
SELECT CASE '{unit}'
           WHEN 'week' THEN strftime(g.start, '%G-W%V')
           WHEN 'month' THEN strftime(g.start, '%Y-%m')
           WHEN 'quarter' THEN strftime(g.start, '%Y') || '-Q' || quarter(g.start)
           ELSE strftime(g.start, '%Y') END AS period,
       coalesce(p.dormant_at_start, 0) AS dormant_at_start,
       coalesce(p.reactivated, 0) AS reactivated,
       (p.reactivated / p.dormant_at_start)::DOUBLE AS reactivation_rate,
       (g.start + INTERVAL {step} - INTERVAL 1 DAY)::DATE <= getvariable('as_of') AS complete
FROM grid g LEFT JOIN per p USING (start)
ORDER BY g.start
