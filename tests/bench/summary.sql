-- Contract section 2 in DuckDB SQL, as an independent cross-check of `rebuy summary`
-- and as the peer in the benchmark. Runs after occasions.sql.

CREATE OR REPLACE TEMP TABLE ranked AS
SELECT *, row_number() OVER (PARTITION BY customer ORDER BY ts) AS k
FROM occasions
WHERE day <= getvariable('as_of');

CREATE OR REPLACE TEMP TABLE customers AS
SELECT customer,
       count(*) AS n,
       min(day) AS first_day,
       min(day) FILTER (WHERE k = 2) AS second_day,
       max(day) AS last_day,
       sum(amount) AS revenue,
       min(amount) FILTER (WHERE k = 1) AS first_amount,
       sum(amount) FILTER (WHERE k > 1) AS later_amount,
       count(amount) FILTER (WHERE k > 1) AS later_known,
       count(*) FILTER (WHERE day > getvariable('as_of') - 365) AS in_window
FROM ranked
GROUP BY customer;

-- Kaplan–Meier: time from the 1st occasion to the 2nd, censored at as-of.
CREATE OR REPLACE TEMP TABLE observations AS
SELECT CASE WHEN n >= 2 THEN second_day - first_day ELSE getvariable('as_of') - first_day END AS t,
       n >= 2 AS event
FROM customers;

CREATE OR REPLACE TEMP TABLE survival AS
WITH times AS (
    SELECT t, count(*) FILTER (WHERE event) AS d, count(*) AS c FROM observations GROUP BY t
), at_risk AS (
    SELECT t, d, sum(c) OVER (ORDER BY t DESC) AS r FROM times
)
SELECT t,
       CASE WHEN bool_or(d = r) OVER w THEN 0.0
            ELSE exp(sum(ln(1.0 - d / r)) OVER w) END AS s
FROM at_risk
WHERE d > 0
WINDOW w AS (ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);

CREATE OR REPLACE MACRO within(days) AS (
    SELECT CASE WHEN days > (SELECT max(t) FROM observations) THEN NULL
                ELSE 1.0 - coalesce((SELECT s FROM survival WHERE t <= days ORDER BY t DESC LIMIT 1), 1.0) END
);

-- total / n to 4 decimals, halves away from zero (total has 4 decimals), NULL for n = 0.
CREATE OR REPLACE MACRO exact_mean(total, n) AS (
    CASE WHEN n > 0 THEN
        ((2 * abs((total * 10000)::HUGEINT) + n) // (2 * n) * sign(total))::DOUBLE / 10000
    END
);

CREATE OR REPLACE MACRO ladder_share(k) AS (
    SELECT count(*) FILTER (WHERE n > k) / nullif(count(*) FILTER (WHERE n >= k), 0) FROM customers
);

SELECT
    getvariable('as_of')::VARCHAR AS as_of,
    (SELECT count(*) FROM customers) AS customers,
    (SELECT count(*) FROM ranked) AS occasions,
    (SELECT sum(orders) FROM ranked) AS orders,
    (SELECT sum(revenue) FROM customers)::DOUBLE AS revenue,
    (SELECT count(*) FILTER (WHERE n >= 2) FROM customers) AS repeat_customers,
    (SELECT count(*) FILTER (WHERE n >= 2) / count(*) FROM customers) AS repeat_purchase_rate,
    (SELECT quantile_cont(second_day - first_day, 0.5) FROM customers WHERE n >= 2) AS "time_to_second.median",
    (SELECT avg(second_day - first_day) FROM customers WHERE n >= 2) AS "time_to_second.mean",
    (SELECT quantile_cont(second_day - first_day, 0.25) FROM customers WHERE n >= 2) AS "time_to_second.p25",
    (SELECT quantile_cont(second_day - first_day, 0.75) FROM customers WHERE n >= 2) AS "time_to_second.p75",
    within(30) AS "repeat_within.d30",
    within(60) AS "repeat_within.d60",
    within(90) AS "repeat_within.d90",
    within(180) AS "repeat_within.d180",
    within(365) AS "repeat_within.d365",
    (SELECT sum(in_window) / nullif(count(*) FILTER (WHERE in_window > 0), 0) FROM customers) AS purchase_frequency_12m,
    (SELECT sum(last_day - first_day) / nullif(sum(n - 1), 0) FROM customers WHERE n >= 2) AS avg_days_between_purchases,
    ladder_share(1) AS "ladder.1.next_share",
    ladder_share(2) AS "ladder.2.next_share",
    ladder_share(3) AS "ladder.3.next_share",
    ladder_share(4) AS "ladder.4.next_share",
    ladder_share(5) AS "ladder.5.next_share",
    -- Means of money to 4 decimals, halves away from zero, in exact integer arithmetic.
    (SELECT exact_mean(sum(first_amount), count(first_amount)) FROM customers) AS aov_first,
    (SELECT exact_mean(sum(later_amount), sum(later_known)) FROM customers) AS aov_repeat,
    -- No later occasion at all: their revenue is 0, not unknown.
    (SELECT coalesce(sum(later_amount), 0) / sum(revenue) FROM customers)::DOUBLE AS repeat_revenue_share,
    (SELECT sum(revenue) FROM (SELECT coalesce(revenue, 0) AS revenue FROM customers ORDER BY revenue DESC
        LIMIT (SELECT ceil(count(*) / 5) FROM customers)))
        / (SELECT sum(revenue) FROM customers) AS top20_revenue_share;
