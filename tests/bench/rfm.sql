-- Contract section 4 in DuckDB SQL, as an independent cross-check of `rebuy rfm
-- --customers`. Runs after occasions.sql. rank() - 1 over a measure counts the
-- customers strictly before it, so ties share a score.

CREATE OR REPLACE TEMP TABLE measures AS
SELECT customer,
       getvariable('as_of') - max(day) AS recency_days,
       count(*) AS frequency,
       sum(amount) AS monetary
FROM occasions
WHERE day <= getvariable('as_of')
GROUP BY customer;

CREATE OR REPLACE TEMP TABLE scored AS
SELECT *,
       1 + (5 * (rank() OVER (ORDER BY recency_days DESC) - 1)) // count(*) OVER () AS r,
       1 + (5 * (rank() OVER (ORDER BY frequency) - 1)) // count(*) OVER () AS f,
       1 + (5 * (rank() OVER (ORDER BY coalesce(monetary, 0)) - 1)) // count(*) OVER () AS m
FROM measures;

SELECT customer AS customer_id, recency_days, frequency, monetary::DOUBLE AS monetary, r, f, m,
       CASE WHEN r >= 4 AND f >= 4 AND m >= 4 THEN 'Champions'
            WHEN r >= 3 AND f >= 3 AND m >= 3 THEN 'Loyal Customers'
            WHEN r >= 3 THEN 'Potential Loyalists'
            WHEN f >= 3 AND m >= 3 THEN 'At Risk'
            WHEN r = 2 THEN 'Need Attention'
            ELSE 'Lost Customers' END AS segment
FROM scored
ORDER BY customer_id
