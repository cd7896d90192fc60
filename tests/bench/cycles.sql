-- Contract section 5 (cycles) in DuckDB SQL, as an independent cross-check of
-- `rebuy cycles`. Runs after occasions.sql, with `lines` holding a product column.

CREATE OR REPLACE TEMP TABLE purchase_days AS
WITH keyed AS (
    SELECT *, CASE WHEN order_id IS NULL THEN 't' || ts::VARCHAR ELSE 'o' || order_id END AS okey
    FROM lines
), orders_by_key AS (
    SELECT customer, okey, min(ts)::DATE AS day, sum(amount) AS total
    FROM keyed
    GROUP BY customer, okey
)
SELECT DISTINCT k.product, k.customer, o.day
FROM keyed k JOIN orders_by_key o USING (customer, okey)
WHERE (o.total IS NULL OR o.total > 0)
  AND o.day <= getvariable('as_of')
  AND coalesce(k.product, '') <> '';

WITH gaps AS (
    SELECT product, customer,
           day - lag(day) OVER (PARTITION BY product, customer ORDER BY day) AS gap
    FROM purchase_days
)
SELECT product,
       count(DISTINCT customer) FILTER (WHERE gap IS NOT NULL) AS customers,
       count(gap) AS intervals,
       avg(gap) AS mean,
       stddev_samp(gap) AS sd,
       quantile_cont(gap, 0.5) AS median,
       quantile_cont(gap, 0.25) AS p25,
       quantile_cont(gap, 0.75) AS p75,
       CASE WHEN count(gap) >= 10 THEN round(0.75 * avg(gap))::BIGINT END AS remind,
       CASE WHEN count(gap) >= 10 THEN round(avg(gap))::BIGINT END AS nudge,
       CASE WHEN count(gap) >= 10 THEN round(1.25 * avg(gap))::BIGINT END AS offer
FROM gaps
GROUP BY product
ORDER BY intervals DESC, product
