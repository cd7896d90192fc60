//! `rebuy sql`: the contract as one SQL query, for orders that live in a warehouse.
//!
//! The query reads a relation whose columns are typed (a DATE or TIMESTAMP date,
//! numeric amounts, text or integer ids) and follows contract §1 step by step, one CTE
//! a step, then the metric. Its result has the columns and rows of `rebuy COMMAND
//! --format csv`. What differs between engines is in `dialect`.

pub mod dialect;

use chrono::NaiveDate;

use crate::input::columns::Role;
use crate::input::occasions::SameDay;
use crate::input::platforms::{status_key, DEFAULT_NON_PURCHASE};
use crate::metrics::segments::Segments;
use dialect::Dialect;

/// What the query is built from.
#[derive(Clone, Debug)]
pub struct Query {
    pub dialect: &'static Dialect,
    /// Anything the engine accepts after FROM: a table, a view, `read_parquet('…')`.
    pub from: String,
    /// The column of each role: `--map`, else the role's name for customer and date.
    pub columns: Vec<(Role, String)>,
    pub as_of: Option<NaiveDate>,
    pub same_day: SameDay,
    pub non_purchase_status: Option<Vec<String>>,
}

impl Query {
    fn column(&self, role: Role) -> Option<String> {
        self.columns
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, c)| self.dialect.ident(c))
    }

    /// A role's column trimmed as text, empty as NULL (contract §1 step 1).
    fn id(&self, role: Role) -> String {
        match self.column(role) {
            Some(c) => format!("NULLIF(TRIM({}), '')", self.dialect.as_text(&c)),
            None => format!("CAST(NULL AS {})", self.dialect.text),
        }
    }

    /// §1 step 3: amount, else quantity × unit price rounded to 4 decimals, else NULL.
    fn amount(&self) -> String {
        let d = self.dialect;
        let amount = self.column(Role::Amount).map(|c| d.as_money(&c));
        let product = match (self.column(Role::Quantity), self.column(Role::UnitPrice)) {
            (Some(q), Some(p)) => Some(d.as_money(&format!(
                "ROUND({} * {}, 4)",
                d.as_money(&q),
                d.as_money(&p)
            ))),
            _ => None,
        };
        match (amount, product) {
            (Some(a), Some(p)) => format!("COALESCE({a}, {p})"),
            (Some(a), None) => a,
            (None, Some(p)) => p,
            (None, None) => format!("CAST(NULL AS {})", d.money),
        }
    }

    /// Platforms §1 rule 4: TRUE where an order's status says it was bought.
    fn bought(&self) -> String {
        if self.column(Role::Status).is_none() {
            return "TRUE".to_string();
        }
        let default: Vec<String> = DEFAULT_NON_PURCHASE.iter().map(|s| s.to_string()).collect();
        let list = self.non_purchase_status.as_ref().unwrap_or(&default);
        let mut keys: Vec<String> = list
            .iter()
            .flat_map(|s| {
                let key = status_key(s);
                [key.clone(), format!("wc{key}")]
            })
            .map(|k| format!("'{}'", k.replace('\'', "''")))
            .collect();
        keys.dedup();
        format!(
            "(status IS NULL OR REPLACE(REPLACE(REPLACE(LOWER(status), ' ', ''), '_', ''), '-', '') NOT IN ({}))",
            keys.join(", ")
        )
    }

    /// Contract §1 as CTEs, ending with `kept` (the occasions on or before as-of, each
    /// with its number `k` in the customer's order) and `as_of`.
    fn occasions(&self) -> String {
        let d = self.dialect;
        let date = self.column(Role::Date).unwrap_or_else(|| d.ident("date"));
        let status = self.id(Role::Status);
        let given = self
            .as_of
            .map(|day| d.day_number(&format!("DATE '{day}'")))
            .unwrap_or_else(|| "NULL".to_string());
        let occasions = match self.same_day {
            SameDay::Merge => "SELECT customer, day, MIN(ts) AS ts, MIN(order_id) AS order_id, SUM(amount) AS amount, COUNT(*) AS orders
    FROM purchases
    GROUP BY customer, day",
            SameDay::Keep => "SELECT customer, day, ts, order_id, amount, 1 AS orders
    FROM purchases",
        };
        format!(
            "WITH
-- Every row, its ids trimmed as text (empty is NULL), its date as a timestamp and its
-- line amount: the amount, else quantity × unit price (contract §1 steps 1-3).
rows_read AS (
    SELECT {customer} AS customer,
           {order} AS order_id,
           CAST({date} AS TIMESTAMP) AS ts,
           {amount} AS amount,
           {status} AS status
    FROM {from}
),
-- Rows without a customer are guest rows; rows without a date are invalid.
lines AS (
    SELECT * FROM rows_read WHERE customer IS NOT NULL AND ts IS NOT NULL
),
-- Step 4: an order is (customer, order id), or (customer, timestamp) without one.
orders AS (
    SELECT customer, order_id, MIN(ts) AS ts, SUM(amount) AS amount, MIN(status) AS status
    FROM lines
    GROUP BY customer, order_id, CASE WHEN order_id IS NULL THEN ts END
),
-- Orders whose status says they were not bought are left out (platforms §1 rule 4).
orders_bought AS (
    SELECT orders.*, CASE WHEN {bought} THEN 1 ELSE 0 END AS bought FROM orders
),
-- Step 5: a purchase is an order of amount above 0, or of unknown amount.
purchases AS (
    SELECT customer, order_id, ts, {day} AS day, amount
    FROM orders_bought
    WHERE bought = 1 AND (amount IS NULL OR amount > 0)
),
-- Step 6: an occasion is a customer's calendar day with a purchase.
occasions AS (
    {occasions}
),
-- Step 7: as-of, given or the latest occasion's day.
as_of AS (
    SELECT COALESCE({given}, MAX(day)) AS day FROM occasions
),
-- Occasions on or before as-of, numbered in each customer's order.
kept AS (
    SELECT o.*, a.day AS as_of_day,
           ROW_NUMBER() OVER (PARTITION BY o.customer ORDER BY o.ts, o.order_id) AS k
    FROM occasions o CROSS JOIN as_of a
    WHERE o.day <= a.day
)",
            customer = self.id(Role::Customer),
            order = self.id(Role::Order),
            amount = self.amount(),
            from = self.from,
            bought = self.bought(),
            day = d.day_number("ts"),
        )
    }

    /// Contract §2 as one query of `key, value` rows, in the order of `rebuy summary
    /// --format csv`.
    pub fn summary(&self) -> String {
        let d = self.dialect;
        let float = |e: &str| d.as_float(e);
        let money_mean = |total: &str, count: &str| {
            // As rebuy does: the mean in currency units, rounded to the 4th decimal
            // half away from zero (the means of purchases are positive).
            format!(
                "CASE WHEN {count} > 0 THEN FLOOR({} * 10000 / {count} + 0.5) / 10000 END",
                float(total)
            )
        };
        let within = |days: u32| {
            format!(
                "CASE WHEN lo.t IS NULL OR {days} > lo.t THEN NULL ELSE 1 - COALESCE(sv.s{days}, 1) END"
            )
        };
        let quantile = |p: f64| {
            let h = format!("((n - 1) * {p})");
            format!(
                "SUM(CASE WHEN i = FLOOR({h}) THEN g * (1 - ({h} - FLOOR({h}))) ELSE 0 END
               + CASE WHEN i = FLOOR({h}) + 1 THEN g * ({h} - FLOOR({h})) ELSE 0 END)"
            )
        };
        let mut keys: Vec<(String, String)> = vec![
            ("as_of".into(), d.as_text(&d.date_of_day("f.as_of"))),
            ("customers".into(), "f.customers".into()),
            ("occasions".into(), "f.occasions".into()),
            ("orders".into(), "f.orders".into()),
            ("revenue".into(), "f.revenue".into()),
            ("repeat_customers".into(), "f.repeat_customers".into()),
            (
                "repeat_purchase_rate".into(),
                format!("{} / f.customers", float("f.repeat_customers")),
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
            format!("{} / NULLIF(f.active, 0)", float("f.in_window")),
        ));
        keys.push((
            "avg_days_between_purchases".into(),
            format!("{} / NULLIF(f.gaps, 0)", float("f.gap_days")),
        ));
        for k in 1..=5 {
            keys.push((
                format!("ladder.{k}.next_share"),
                format!(
                    "{} / NULLIF(f.reached_{k}, 0)",
                    float(&format!("f.reached_{}", k + 1))
                ),
            ));
            keys.push((format!("ladder.{k}.customers"), format!("f.reached_{k}")));
        }
        keys.push((
            "aov_first".into(),
            money_mean("f.first_total", "f.first_known"),
        ));
        keys.push((
            "aov_repeat".into(),
            money_mean("f.later_total", "f.later_known"),
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
            occasions = self.occasions(),
            gap = float("second_day - first_day"),
            d_over_r = d_over_r,
            top = d.int_div("n + 4", "5"),
            key = d.ident("key"),
            value = d.ident("value"),
            places = places.join("\n    UNION ALL\n"),
            values = values.join("\n           "),
            reached = reached.join(",\n           "),
            median = quantile(0.5),
            p25 = quantile(0.25),
            p75 = quantile(0.75),
            survival_at = [30, 60, 90, 180, 365]
                .map(|days| format!("MIN(CASE WHEN t <= {days} THEN s END) AS s{days}"))
                .join(", "),
        )
    }

    /// Contract §4 per customer, as `rebuy rfm --customers --format csv`: scores
    /// `1 + floor(5b / n)` with b the customers strictly worse (RANK never splits
    /// ties), segments by the rules of `metrics::segments` in their order.
    pub fn rfm_customers(&self, segments: &Segments) -> String {
        let d = self.dialect;
        let score = |order: &str| {
            format!(
                "1 + {}",
                d.int_div(
                    &format!("5 * (RANK() OVER (ORDER BY {order}) - 1)"),
                    "COUNT(*) OVER ()"
                )
            )
        };
        let within = |name: &str, range: &std::ops::RangeInclusive<u8>| {
            format!("{name} BETWEEN {} AND {}", range.start(), range.end())
        };
        let cases: Vec<String> = segments
            .rules
            .iter()
            .map(|rule| {
                format!(
                    "WHEN {} AND {} AND {} THEN '{}'",
                    within("r", &rule.r),
                    within("f", &rule.f),
                    within("m", &rule.m),
                    rule.name.replace('\'', "''")
                )
            })
            .collect();
        format!(
            "{occasions},
-- Contract §4: recency, frequency and money per customer.
customers AS (
    SELECT customer,
           MAX(as_of_day) - MAX(day) AS recency_days,
           COUNT(*) AS frequency,
           SUM(amount) AS monetary
    FROM kept
    GROUP BY customer
),
-- Scores 1 + floor(5b / n), b the customers strictly worse; ties share a score.
scored AS (
    SELECT customers.*,
           {r} AS r,
           {f} AS f,
           {m} AS m
    FROM customers
)
SELECT customer AS customer_id, recency_days, frequency, monetary, r, f, m,
       {rfm} AS rfm,
       CASE {cases} END AS segment
FROM scored
ORDER BY customer",
            occasions = self.occasions(),
            r = score("recency_days DESC"),
            f = score("frequency"),
            m = score("COALESCE(monetary, 0)"),
            rfm = ["r", "f", "m"].map(|x| d.as_text(x)).join(" || "),
            cases = cases.join("\n            "),
        )
    }
}
