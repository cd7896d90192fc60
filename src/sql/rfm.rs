//! Contract §4 as SQL: the rows of `rebuy rfm --format csv` (segments) and of
//! `rebuy rfm --customers --format csv`.

use super::{money_mean, share, Query};
use crate::metrics::segments::Segments;

impl Query {
    /// The CTEs up to `scored`: per customer recency, frequency, money, the scores
    /// `1 + floor(5b / n)` with b the customers strictly worse (RANK never splits ties),
    /// and `place`, the number of the first segment rule that matches (the last rule
    /// when none does, as in `metrics::segments`).
    fn scored(&self, segments: &Segments) -> String {
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
        let last = segments.rules.len().saturating_sub(1);
        let cases: Vec<String> = segments.rules[..last]
            .iter()
            .enumerate()
            .map(|(place, rule)| {
                format!(
                    "WHEN {} AND {} AND {} THEN {place}",
                    within("r", &rule.r),
                    within("f", &rule.f),
                    within("m", &rule.m),
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
scores AS (
    SELECT customers.*,
           {r} AS r,
           {f} AS f,
           {m} AS m
    FROM customers
),
-- The first segment rule that matches, by its place in the table.
scored AS (
    SELECT scores.*,
           CASE {cases}
                ELSE {last} END AS place
    FROM scores
),
-- The segment rules, in order.
segments AS (
{segments}
)",
            occasions = self.occasions(None),
            r = score("recency_days DESC"),
            f = score("frequency"),
            m = score("COALESCE(monetary, 0)"),
            cases = cases.join("\n                "),
            segments = segments
                .rules
                .iter()
                .enumerate()
                .map(|(place, rule)| format!(
                    "    SELECT {place} AS place, {} AS segment, {} AS action",
                    d.literal(&rule.name),
                    d.literal(&rule.action)
                ))
                .collect::<Vec<_>>()
                .join("\n    UNION ALL\n"),
        )
    }

    /// Contract §4 per customer, as `rebuy rfm --customers --format csv`; with
    /// `only`, the customers of that segment.
    pub fn rfm_customers(&self, segments: &Segments, only: Option<usize>) -> String {
        let d = self.dialect;
        format!(
            "{scored}
SELECT s.customer AS customer_id, s.recency_days, s.frequency, s.monetary, s.r, s.f, s.m,
       {rfm} AS rfm,
       g.segment
FROM scored s JOIN segments g ON g.place = s.place{only}
ORDER BY s.customer",
            scored = self.scored(segments),
            rfm = ["s.r", "s.f", "s.m"].map(|x| d.as_text(x)).join(" || "),
            only = only
                .map(|place| format!("\nWHERE s.place = {place}"))
                .unwrap_or_default(),
        )
    }

    /// Contract §4 per segment, as `rebuy rfm --format csv`: every rule in order, empty
    /// ones too; revenue only where some amount is known.
    pub fn rfm_segments(&self, segments: &Segments) -> String {
        let d = self.dialect;
        format!(
            "{scored},
segment_sums AS (
    SELECT place,
           COUNT(*) AS customers,
           SUM(recency_days) AS recency,
           SUM(frequency) AS frequency,
           SUM(monetary) AS revenue,
           COUNT(monetary) AS known
    FROM scored
    GROUP BY place
),
everyone AS (
    SELECT COUNT(*) AS customers, SUM(monetary) AS revenue, COUNT(monetary) AS known
    FROM scored
)
SELECT g.segment,
       COALESCE(s.customers, 0) AS customers,
       COALESCE({share}, 0) AS share,
       CASE WHEN e.known > 0 THEN COALESCE(s.revenue, 0) END AS revenue,
       CASE WHEN e.known > 0 AND e.revenue <> 0 THEN {revenue_share} END AS revenue_share,
       {mean_recency} AS mean_recency,
       {mean_frequency} AS mean_frequency,
       {mean_monetary} AS mean_monetary,
       g.action
FROM segments g
LEFT JOIN segment_sums s ON s.place = g.place
CROSS JOIN everyone e
ORDER BY g.place",
            scored = self.scored(segments),
            share = share(d, "s.customers", "e.customers"),
            revenue_share = share(d, "COALESCE(s.revenue, 0)", "e.revenue"),
            mean_recency = share(d, "s.recency", "s.customers"),
            mean_frequency = share(d, "s.frequency", "s.customers"),
            mean_monetary = money_mean(d, "s.revenue", "s.known"),
        )
    }
}
