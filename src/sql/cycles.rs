//! Contract §5 as SQL: the rows of `rebuy cycles --format csv` and `rebuy due --format
//! csv`.

use chrono::NaiveDate;

use super::{date_day, date_text, quantile, share, Query, ORDER_KEY};
use crate::commands::cycles::role_of;
use crate::input::columns::Role;
use crate::metrics::cycles::{CycleOptions, CycleStat};
use crate::metrics::due::Stage;

/// `x` (positive) rounded to an integer, halves away from zero, as rebuy rounds the
/// trigger days (exact: `x − FLOOR(x)` loses nothing).
fn round_half_away(x: &str) -> String {
    format!(
        "CAST(CASE WHEN {x} - FLOOR({x}) >= 0.5 THEN FLOOR({x}) + 1 ELSE FLOOR({x}) END AS BIGINT)"
    )
}

impl Query {
    /// The CTEs up to `item_days` (each customer's distinct days with each item, up to
    /// as-of) and `triggers` (each item's cycle and trigger days).
    fn cycle_steps(&self, options: &CycleOptions) -> String {
        let d = self.dialect;
        let base = match options.stat {
            CycleStat::Mean => "mean",
            CycleStat::Median => "median",
        };
        let scaled: Vec<String> = ["remind", "nudge", "offer"]
            .iter()
            .zip(options.triggers)
            .map(|(name, fraction)| {
                format!("CAST({fraction:?} AS {}) * {base} AS {name}_days", d.float)
            })
            .collect();
        let rounded: Vec<String> = ["remind", "nudge", "offer"]
            .iter()
            .map(|name| {
                format!(
                    "CASE WHEN enough = 1 THEN {} END AS {name}",
                    round_half_away(&format!("{name}_days"))
                )
            })
            .collect();
        // Without a status column every order was bought.
        let bought = match self.column(Role::Status) {
            Some(_) => format!("\n      AND {}", self.bought("l.order_status")),
            None => String::new(),
        };
        format!(
            "{occasions},
-- Contract §5: every line with an item, with its order's earliest timestamp, amount and
-- status (lines of one order share the customer and order id, or the timestamp).
order_lines AS (
    SELECT customer, item,
           MIN(ts) OVER (PARTITION BY {ORDER_KEY}) AS order_ts,
           SUM(amount) OVER (PARTITION BY {ORDER_KEY}) AS order_amount,
           MIN(status) OVER (PARTITION BY {ORDER_KEY}) AS order_status
    FROM lines
),
-- The days each customer bought each item in a purchase order, up to as-of.
item_days AS (
    SELECT DISTINCT l.customer, l.item, {order_day} AS day
    FROM order_lines l CROSS JOIN as_of a
    WHERE l.item IS NOT NULL{bought}
      AND (l.order_amount IS NULL OR l.order_amount > 0)
      AND {order_day} <= a.day
),
-- The intervals: days between a customer's consecutive days with the item.
intervals AS (
    SELECT item, customer,
           day - LAG(day) OVER (PARTITION BY item, customer ORDER BY day) AS gap
    FROM item_days
),
numbered AS (
    SELECT item, customer, gap,
           ROW_NUMBER() OVER (PARTITION BY item ORDER BY gap) - 1 AS i,
           COUNT(*) OVER (PARTITION BY item) AS n
    FROM intervals
    WHERE gap IS NOT NULL
),
item_figures AS (
    SELECT item,
           COUNT(DISTINCT customer) AS customers,
           COUNT(*) AS intervals,
           {mean} AS mean,
           STDDEV_SAMP({gap}) AS sd,
           {median} AS median,
           {p25} AS p25,
           {p75} AS p75
    FROM numbered
    GROUP BY item
),
-- Every item bought, with or without intervals; trigger days from {min} intervals.
cycles AS (
    SELECT i.item,
           COALESCE(f.customers, 0) AS customers,
           COALESCE(f.intervals, 0) AS intervals,
           f.mean, f.sd, f.median, f.p25, f.p75,
           CASE WHEN COALESCE(f.intervals, 0) >= {min} THEN 1 ELSE 0 END AS enough
    FROM (SELECT DISTINCT item FROM item_days) i
    LEFT JOIN item_figures f ON f.item = i.item
),
-- remind, nudge and offer: fractions of the {base}, rounded halves away from zero.
scaled AS (
    SELECT cycles.*,
           {scaled}
    FROM cycles
),
triggers AS (
    SELECT scaled.*,
           {rounded}
    FROM scaled
)",
            occasions = self.occasions(Some(role_of(options.by))),
            order_day = d.day_number("l.order_ts"),
            mean = share(d, "SUM(gap)", "COUNT(*)"),
            gap = d.as_float("gap"),
            median = quantile(0.5, "gap"),
            p25 = quantile(0.25, "gap"),
            p75 = quantile(0.75, "gap"),
            min = options.min_intervals.max(1),
            scaled = scaled.join(",\n           "),
            rounded = rounded.join(",\n           "),
        )
    }

    /// Contract §5 per item, most intervals first.
    pub fn cycles(&self, options: &CycleOptions) -> String {
        format!(
            "{steps}
SELECT item AS product, customers, intervals, mean, sd, median, p25, p75, remind, nudge, offer,
       CASE WHEN enough = 1 THEN 'ok' ELSE 'insufficient_data' END AS status
FROM triggers
ORDER BY intervals DESC, item",
            steps = self.cycle_steps(options),
        )
    }

    /// Contract §5, the reminder list: every (customer, item with trigger days), the
    /// stage reached on as-of, or with `fires_on` the stage firing on that day; only
    /// the rows of `stages`.
    pub fn due(
        &self,
        options: &CycleOptions,
        fires_on: Option<NaiveDate>,
        stages: &[Stage],
    ) -> String {
        let d = self.dialect;
        let on = fires_on
            .map(|day| date_day(d, day))
            .unwrap_or_else(|| "a.day".to_string());
        let stage = match fires_on {
            // The stage firing on the day: the last trigger dated on it.
            Some(_) => {
                "CASE WHEN last_day + offer = on_day THEN 'offer'
                WHEN last_day + nudge = on_day THEN 'nudge'
                WHEN last_day + remind = on_day THEN 'remind' END"
            }
            None => {
                "CASE WHEN days > offer + (offer - nudge) THEN 'lapsed'
                WHEN days >= offer THEN 'offer'
                WHEN days >= nudge THEN 'nudge'
                WHEN days >= remind THEN 'remind'
                ELSE 'none' END"
            }
        };
        let stages: Vec<String> = stages.iter().map(|s| d.literal(s.name())).collect();
        format!(
            "{steps},
-- Each customer's last day with each item that has trigger days.
last_days AS (
    SELECT customer, item, MAX(day) AS last_day FROM item_days GROUP BY customer, item
),
due_rows AS (
    SELECT l.customer, l.item, l.last_day, {on} AS on_day, {on} - l.last_day AS days,
           t.remind, t.nudge, t.offer
    FROM last_days l JOIN triggers t ON t.item = l.item CROSS JOIN as_of a
    WHERE t.remind IS NOT NULL
),
staged AS (
    SELECT due_rows.*,
           {stage} AS stage
    FROM due_rows
)
SELECT customer AS customer_id,
       item AS product,
       {last} AS last_purchase,
       CASE WHEN days > 0 THEN days ELSE 0 END AS days_since,
       {remind_on} AS remind_on,
       {nudge_on} AS nudge_on,
       {offer_on} AS offer_on,
       stage
FROM staged
WHERE stage IN ({stages})
ORDER BY customer, item",
            steps = self.cycle_steps(options),
            last = date_text(d, "last_day"),
            remind_on = date_text(d, "last_day + remind"),
            nudge_on = date_text(d, "last_day + nudge"),
            offer_on = date_text(d, "last_day + offer"),
            stages = stages.join(", "),
        )
    }
}
