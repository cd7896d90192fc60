-- Contract section 1 in DuckDB SQL: orders, purchase occasions and the as-of date, for
-- summary.sql and cohorts.sql. The caller first defines
--   lines(customer VARCHAR, order_id VARCHAR, ts TIMESTAMP, amount DECIMAL(18,4))
-- holding the non-guest rows, and the variable `as_of_override` (a DATE or NULL).

CREATE OR REPLACE TEMP TABLE orders AS
SELECT customer, min(ts) AS ts, sum(amount) AS amount
FROM lines
GROUP BY customer, order_id, CASE WHEN order_id IS NULL THEN ts END;

CREATE OR REPLACE TEMP TABLE occasions AS
SELECT customer, ts::DATE AS day, min(ts) AS ts, sum(amount) AS amount, count(*) AS orders
FROM orders
WHERE amount IS NULL OR amount > 0
GROUP BY customer, ts::DATE;

SET VARIABLE as_of = coalesce(getvariable('as_of_override'), (SELECT max(day) FROM occasions));

