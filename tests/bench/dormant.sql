-- Contract section 11 (README Definitions) in DuckDB SQL, as an independent cross-check
-- of `rebuy dormant` with its defaults: customers whose last occasion is more than 90
-- days before as-of, in the bands 90+, 180+ and 365+, highest revenue first. Runs after
-- occasions.sql.

WITH kept AS (
    SELECT customer, day, amount FROM occasions WHERE day <= getvariable('as_of')
), gaps AS (
    SELECT customer, day - lag(day) OVER (PARTITION BY customer ORDER BY day) AS gap
    FROM kept
), usual AS (
    SELECT customer, median(gap) AS usual_gap FROM gaps GROUP BY customer
), per AS (
    SELECT customer, max(day) AS last_purchase, count(*) AS occasions,
           sum(amount) AS revenue,
           getvariable('as_of') - max(day) AS days_since
    FROM kept GROUP BY customer
)
SELECT p.customer, strftime(p.last_purchase, '%Y-%m-%d') AS last_purchase, p.days_since,
       CASE WHEN p.days_since > 365 THEN '365+'
            WHEN p.days_since > 180 THEN '180+'
            ELSE '90+' END AS band,
       p.occasions, p.revenue::DOUBLE AS revenue, u.usual_gap::DOUBLE AS usual_gap
FROM per p JOIN usual u USING (customer)
WHERE p.days_since > 90
ORDER BY p.revenue DESC NULLS LAST, p.days_since DESC, p.customer
