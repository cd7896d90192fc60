//! Contract §2 as SQL: the rows of `rebuy summary --format csv`.

use super::{date_text, money_mean, quantile, share, Query};

impl Query {
    /// Contract §2 as one query of `key, value` rows, in the order of `rebuy summary
    /// --format csv`.
    pub fn summary(&self) -> String {
        let d = self.dialect;
        let float = |e: &str| d.as_float(e);
        let within = |days: u32| {
            format!(
                "CASE WHEN lo.t IS NULL OR {days} > lo.t THEN NULL ELSE 1 - COALESCE(sv.s{days}, 1) END"
            )
        };
        let mut keys: Vec<(String, String)> = vec![
            ("as_of".into(), date_text(d, "f.as_of")),
            ("customers".into(), "f.customers".into()),
            ("occasions".into(), "f.occasions".into()),
            ("orders".into(), "f.orders".into()),
            ("revenue".into(), "f.revenue".into()),
            ("repeat_customers".into(), "f.repeat_customers".into()),
            (
                "repeat_purchase_rate".into(),
                share(d, "f.repeat_customers", "f.customers"),
            ),
            ("time_to_second.median".into(), "q.median".into()),
            ("time_to_second.mean".into(), "q.mean".into()),
            ("time_to_second.p25".into(), "q.p25".into()),
            ("time_to_second.p75".into(), "q.p75".into()),
        ];
        for days in [30, 60, 90, 180, 365] {
            keys.push((format!("repeat_within.d{days}"), within(days)));
        }
        keys.push((
            "purchase_frequency_12m".into(),
            share(d, "f.in_window", "f.active"),
        ));
        keys.push((
            "avg_days_between_purchases".into(),
            share(d, "f.gap_days", "f.gaps"),
        ));
        for k in 1..=5 {
            keys.push((
                format!("ladder.{k}.next_share"),
                share(
                    d,
                    &format!("f.reached_{}", k + 1),
                    &format!("f.reached_{k}"),
                ),
            ));
            keys.push((format!("ladder.{k}.customers"), format!("f.reached_{k}")));
        }
        keys.push((
            "aov_first".into(),
            money_mean(d, "f.first_total", "f.first_known"),
        ));
        keys.push((
            "aov_repeat".into(),
            money_mean(d, "f.later_total", "f.later_known"),
        ));
        keys.push((
            "repeat_revenue_share".into(),
            format!(
                "CASE WHEN f.revenue > 0 THEN {} / {} END",
                float("f.later_total"),
                float("f.revenue")
            ),
        ));
        keys.push((
            "top20_revenue_share".into(),
            format!(
                "CASE WHEN f.revenue > 0 THEN {} / {} END",
                float("t.top_total"),
                float("f.revenue")
            ),
        ));
        for key in [
            "guest_rows",
            "invalid_rows",
            "non_purchase_orders",
            "non_purchase_status",
            "occasions_after_as_of",
        ] {
            keys.push((format!("dropped.{key}"), format!("COALESCE(dc.{key}, 0)")));
        }
        let d_over_r = float("d") + " / r";
        // One row of figures, turned into (key, value) rows by a CASE on the key's place.
        let places: Vec<String> = keys
            .iter()
            .enumerate()
            .map(|(i, (key, _))| format!("    SELECT {i} AS i, '{key}' AS {}", d.ident("key")))
            .collect();
        let values: Vec<String> = keys
            .iter()
            .enumerate()
            .map(|(i, (_, value))| format!("WHEN {i} THEN {}", d.as_text(value)))
            .collect();
        let reached: Vec<String> = (1..=6)
            .map(|k| format!("SUM(CASE WHEN n >= {k} THEN 1 ELSE 0 END) AS reached_{k}"))
            .collect();
        format!(
            "{occasions},
-- Contract §2, per customer.
customers AS (
    SELECT customer,
           COUNT(*) AS n,
           MIN(day) AS first_day,
           MAX(CASE WHEN k = 2 THEN day END) AS second_day,
           MAX(day) AS last_day,
           SUM(amount) AS revenue,
           COUNT(amount) AS known,
           MAX(CASE WHEN k = 1 THEN amount END) AS first_amount,
           SUM(CASE WHEN day > as_of_day - 365 THEN 1 ELSE 0 END) AS in_window,
           SUM(orders) AS orders,
           MAX(as_of_day) AS as_of_day
    FROM kept
    GROUP BY customer
),
-- Days from the 1st occasion to the 2nd, in order (type-7 quantiles).
gaps AS (
    SELECT {gap} AS g,
           ROW_NUMBER() OVER (ORDER BY second_day - first_day) - 1 AS i,
           COUNT(*) OVER () AS n
    FROM customers
    WHERE n >= 2
),
gap_figures AS (
    SELECT {median} AS median, AVG(g) AS mean, {p25} AS p25, {p75} AS p75 FROM gaps
),
-- Kaplan–Meier: time to the 2nd occasion, censored at as-of.
observations AS (
    SELECT CASE WHEN n >= 2 THEN second_day - first_day
                ELSE as_of_day - first_day END AS t,
           CASE WHEN n >= 2 THEN 1 ELSE 0 END AS event
    FROM customers
),
longest AS (
    SELECT MAX(t) AS t FROM observations
),
event_times AS (
    SELECT t, SUM(event) AS d, COUNT(*) AS c FROM observations GROUP BY t
),
at_risk AS (
    SELECT t, d, SUM(c) OVER (ORDER BY t DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS r
    FROM event_times
),
survival AS (
    SELECT t,
           CASE WHEN MIN(CASE WHEN d = r THEN 0 ELSE 1 END)
                         OVER (ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) = 0 THEN 0
                ELSE EXP(SUM(LN(CASE WHEN d = r THEN 1 ELSE 1 - {d_over_r} END))
                         OVER (ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) END AS s
    FROM at_risk
    WHERE d > 0
),
-- S at the last event time on or before each N: S never rises, so the least.
survival_at AS (
    SELECT {survival_at} FROM survival
),
-- The top fifth of customers by revenue.
ranked_revenue AS (
    SELECT COALESCE(revenue, 0) AS revenue,
           ROW_NUMBER() OVER (ORDER BY COALESCE(revenue, 0) DESC) AS place,
           COUNT(*) OVER () AS n
    FROM customers
),
top_fifth AS (
    SELECT SUM(revenue) AS top_total FROM ranked_revenue WHERE place <= {top}
),
figures AS (
    SELECT MAX(as_of_day) AS as_of,
           COUNT(*) AS customers,
           SUM(n) AS occasions,
           SUM(orders) AS orders,
           SUM(revenue) AS revenue,
           SUM(CASE WHEN n >= 2 THEN 1 ELSE 0 END) AS repeat_customers,
           SUM(in_window) AS in_window,
           SUM(CASE WHEN in_window > 0 THEN 1 ELSE 0 END) AS active,
           SUM(CASE WHEN n >= 2 THEN last_day - first_day ELSE 0 END) AS gap_days,
           SUM(CASE WHEN n >= 2 THEN n - 1 ELSE 0 END) AS gaps,
           {reached},
           SUM(first_amount) AS first_total,
           COUNT(first_amount) AS first_known,
           SUM(COALESCE(revenue, 0) - COALESCE(first_amount, 0)) AS later_total,
           SUM(known - CASE WHEN first_amount IS NULL THEN 0 ELSE 1 END) AS later_known
    FROM customers
),
-- What was left out, and why.
dropped_rows AS (
    SELECT SUM(CASE WHEN customer IS NULL THEN 1 ELSE 0 END) AS guest_rows,
           SUM(CASE WHEN customer IS NOT NULL AND ts IS NULL THEN 1 ELSE 0 END) AS invalid_rows
    FROM rows_read
),
dropped_orders AS (
    SELECT SUM(CASE WHEN bought = 1 AND amount <= 0 THEN 1 ELSE 0 END) AS non_purchase_orders,
           SUM(CASE WHEN bought = 0 THEN 1 ELSE 0 END) AS non_purchase_status
    FROM orders_bought
),
dropped_occasions AS (
    SELECT COUNT(*) AS occasions_after_as_of
    FROM occasions o CROSS JOIN as_of a
    WHERE o.day > a.day
),
dropped_counts AS (
    SELECT * FROM dropped_rows CROSS JOIN dropped_orders CROSS JOIN dropped_occasions
),
-- The keys of `rebuy summary --format csv`, in its order.
summary_keys AS (
{places}
)
SELECT {key}, {value} FROM (
    SELECT k.i, k.{key},
           CASE k.i
           {values}
           END AS {value}
    FROM summary_keys k
    CROSS JOIN figures f CROSS JOIN top_fifth t CROSS JOIN gap_figures q
    CROSS JOIN longest lo CROSS JOIN survival_at sv CROSS JOIN dropped_counts dc
) figures_as_rows
ORDER BY i",
            occasions = self.occasions(None),
            gap = float("second_day - first_day"),
            d_over_r = d_over_r,
            top = d.int_div("n + 4", "5"),
            key = d.ident("key"),
            value = d.ident("value"),
            places = places.join("\n    UNION ALL\n"),
            values = values.join("\n           "),
            reached = reached.join(",\n           "),
            median = quantile(0.5, "g"),
            p25 = quantile(0.25, "g"),
            p75 = quantile(0.75, "g"),
            survival_at = [30, 60, 90, 180, 365]
                .map(|days| format!("MIN(CASE WHEN t <= {days} THEN s END) AS s{days}"))
                .join(", "),
        )
    }
}
