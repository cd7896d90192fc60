-- Contract section 10 (README Definitions) in DuckDB SQL, as an independent cross-check
-- of `rebuy tiers --customers` with its defaults: Bronze from 1 occasion, Silver from 2,
-- Gold from 5, and Platinum for the Gold customers whose revenue reaches that of the
-- customer ranked at the top 5 percent. Runs after occasions.sql.

WITH per AS (
    SELECT customer, count(*) AS occasions, coalesce(sum(amount), 0) AS revenue
    FROM occasions
    WHERE day <= getvariable('as_of')
    GROUP BY customer
), ranked AS (
    SELECT *, row_number() OVER (ORDER BY revenue DESC) AS place, count(*) OVER () AS n
    FROM per
), cut AS (
    SELECT greatest(revenue, 0.0001) AS cut FROM ranked WHERE place = ceil(n * 5 / 100.0)
)
SELECT customer,
       CASE WHEN occasions >= 5 AND revenue >= (SELECT cut FROM cut) THEN 'Platinum'
            WHEN occasions >= 5 THEN 'Gold'
            WHEN occasions >= 2 THEN 'Silver'
            ELSE 'Bronze' END AS tier,
       occasions,
       revenue::DOUBLE AS revenue,
       CASE WHEN occasions >= 5 THEN NULL
            WHEN occasions >= 2 THEN 5 - occasions
            ELSE 2 - occasions END AS to_next
FROM ranked
ORDER BY customer
