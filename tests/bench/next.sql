-- Contract section 8 (README Definitions) in DuckDB SQL, as an independent cross-check
-- of `rebuy next` by product (every pair). Runs after occasions.sql.

WITH kept AS (
    SELECT customer, day,
           row_number() OVER (PARTITION BY customer ORDER BY day, ts) AS nth
    FROM occasions
    WHERE day <= getvariable('as_of')
), two AS (
    SELECT customer, max(day) FILTER (WHERE nth = 1) AS d1, max(day) FILTER (WHERE nth = 2) AS d2
    FROM kept
    GROUP BY customer
    HAVING count(*) >= 2
), line_orders AS (
    SELECT customer, product,
           min(ts) OVER o AS order_ts, sum(amount) OVER o AS order_amount
    FROM lines
    WINDOW o AS (PARTITION BY customer, order_id, CASE WHEN order_id IS NULL THEN ts END)
), purchased AS (
    SELECT customer, product, order_ts::DATE AS day
    FROM line_orders
    WHERE (order_amount IS NULL OR order_amount > 0) AND coalesce(product, '') <> ''
), items AS (
    SELECT DISTINCT p.customer, p.product, CASE WHEN p.day = t.d1 THEN 1 ELSE 2 END AS which,
           t.d2 - t.d1 AS gap
    FROM purchased p JOIN two t USING (customer)
    WHERE p.day = t.d1 OR p.day = t.d2
), firsts AS (
    -- Customers with the product in their 1st occasion who had a 2nd.
    SELECT product AS first, count(*) AS n FROM items WHERE which = 1 GROUP BY product
), pairs AS (
    SELECT a.product AS first,
           CASE WHEN b.product = a.product THEN '(same)' ELSE b.product END AS next, a.gap
    FROM items a JOIN items b ON a.customer = b.customer AND a.which = 1 AND b.which = 2
)
SELECT first, next, count(*) AS customers, count(*) / any_value(n) AS share_of_first,
       median(gap)::DOUBLE AS median_days
FROM pairs JOIN firsts USING (first)
GROUP BY first, next
