//! Contract §3 as SQL: the rows of `rebuy cohorts --format csv` and of `rebuy cohorts
//! --extras --format csv`.

use chrono::NaiveDate;

use super::dialect::Dialect;
use super::{date_day, money_mean, share, Query};
use crate::metrics::cohorts::{CohortFilter, REPEAT_WITHIN_DAYS};
use crate::metrics::periods::Period;

/// Periods numbered as `metrics::periods` numbers them, so that the next period is
/// the next integer: months `12 × year + month − 1`, quarters `4 × year + quarter − 1`,
/// years, and ISO weeks counted from the Monday before 1970-01-01 (a Thursday).
struct Periods {
    d: &'static Dialect,
    period: Period,
}

impl Periods {
    /// The number of the period holding day number `day`.
    fn of_day(&self, day: &str) -> String {
        let d = self.d;
        let date = d.date_of_day(day);
        let year = part("YEAR", &date);
        let month = part("MONTH", &date);
        match self.period {
            Period::Week => d.int_div(&format!("{day} + 3"), "7"),
            Period::Month => format!("({year} * 12 + {month} - 1)"),
            Period::Quarter => {
                format!("({year} * 4 + {})", d.int_div(&format!("{month} - 1"), "3"))
            }
            Period::Year => year,
        }
    }

    /// `p` as (the year, what is left): period `p` of `per_year` in a year.
    fn split(&self, p: &str, per_year: u32) -> (String, String) {
        let year = self.d.int_div(p, &per_year.to_string());
        let rest = format!("({p} - {per_year} * {year})");
        (year, rest)
    }

    /// The day number of the first day of period `p`.
    fn start_day(&self, p: &str) -> String {
        let d = self.d;
        let first_of = |year: &str, month: &str| d.day_number(&d.make_date(year, month, "1"));
        match self.period {
            Period::Week => format!("({p} * 7 - 3)"),
            Period::Month => {
                let (year, month0) = self.split(p, 12);
                first_of(&year, &format!("{month0} + 1"))
            }
            Period::Quarter => {
                let (year, quarter0) = self.split(p, 4);
                first_of(&year, &format!("{quarter0} * 3 + 1"))
            }
            Period::Year => first_of(p, "1"),
        }
    }

    /// The day number of the last day of period `p`.
    fn end_day(&self, p: &str) -> String {
        format!("({} - 1)", self.start_day(&format!("({p} + 1)")))
    }

    /// The label of period `p`: `2024-03`, `2025-W01` (ISO week-year), `2024-Q1`, `2024`.
    fn label(&self, p: &str) -> String {
        let d = self.d;
        let text = |e: &str| d.as_text(e);
        let two_digits = |e: &str| format!("LPAD({}, 2, '0')", text(e));
        match self.period {
            Period::Week => {
                // The week's Thursday decides its ISO year, and its week number is
                // the count of weeks from that year's 1 January.
                let thursday = format!("({p} * 7)");
                let year = part("YEAR", &d.date_of_day(&thursday));
                let january = d.day_number(&d.make_date(&year, "1", "1"));
                let week = format!("{} + 1", d.int_div(&format!("{thursday} - {january}"), "7"));
                format!("{} || '-W' || {}", text(&year), two_digits(&week))
            }
            Period::Month => {
                let (year, month0) = self.split(p, 12);
                format!(
                    "{} || '-' || {}",
                    text(&year),
                    two_digits(&format!("{month0} + 1"))
                )
            }
            Period::Quarter => {
                let (year, quarter0) = self.split(p, 4);
                format!(
                    "{} || '-Q' || {}",
                    text(&year),
                    text(&format!("{quarter0} + 1"))
                )
            }
            Period::Year => text(p),
        }
    }

    /// The conditions cohort `p` must meet to pass `--since` and `--until`, each
    /// starting with `AND` (none without them).
    fn shown(&self, p: &str, filter: CohortFilter) -> String {
        let day = |date: NaiveDate| date_day(self.d, date);
        let mut conditions = String::new();
        if let Some(since) = filter.since {
            conditions += &format!(" AND {} >= {}", self.end_day(p), day(since));
        }
        if let Some(until) = filter.until {
            conditions += &format!(" AND {} <= {}", self.start_day(p), day(until));
        }
        conditions
    }
}

/// A part of a date (YEAR, MONTH) as an integer.
fn part(part: &str, date: &str) -> String {
    format!("CAST(EXTRACT({part} FROM {date}) AS INTEGER)")
}

impl Query {
    fn periods(&self, period: Period) -> Periods {
        Periods {
            d: self.dialect,
            period,
        }
    }

    /// Contract §3, the long format: one row per cohort and period from the cohort's
    /// to the one holding as-of.
    pub fn cohorts(&self, period: Period, filter: CohortFilter) -> String {
        let d = self.dialect;
        let periods = self.periods(period);
        let digits: Vec<String> = (1..10).map(|n| format!("SELECT {n}")).collect();
        format!(
            "{occasions},
-- Contract §3: the period of each occasion, and each customer's cohort, the period of
-- their first occasion.
occasion_periods AS (
    SELECT customer, k, amount, {period_of_day} AS period FROM kept
),
members AS (
    SELECT customer, period AS cohort_period FROM occasion_periods WHERE k = 1
),
cohort_sizes AS (
    SELECT cohort_period, COUNT(*) AS size FROM members GROUP BY cohort_period
),
-- Customers active in each period after their cohort, and their revenue.
activity AS (
    SELECT m.cohort_period, o.period,
           COUNT(DISTINCT o.customer) AS active,
           SUM(o.amount) AS revenue,
           COUNT(o.amount) AS known
    FROM occasion_periods o JOIN members m ON m.customer = o.customer
    GROUP BY m.cohort_period, o.period
),
-- The period holding as-of: the last one shown.
last_period AS (
    SELECT {period_of_day} AS period, day AS as_of_day FROM as_of
),
-- Offsets 0 to 9999.
digits AS (
    SELECT 0 AS n UNION ALL {digits}
),
offsets AS (
    SELECT a.n + 10 * b.n + 100 * c.n + 1000 * e.n AS k
    FROM digits a CROSS JOIN digits b CROSS JOIN digits c CROSS JOIN digits e
),
-- One cell per cohort and period, from the cohort's period to the last.
cells AS (
    SELECT s.cohort_period, s.size, o.k, s.cohort_period + o.k AS period, l.as_of_day
    FROM cohort_sizes s CROSS JOIN offsets o CROSS JOIN last_period l
    WHERE s.cohort_period + o.k <= l.period{shown}
),
-- Revenue up to the end of each cell's period.
cumulative AS (
    SELECT c.*,
           COALESCE(a.active, 0) AS active,
           SUM(a.revenue) OVER (PARTITION BY c.cohort_period ORDER BY c.k
                                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS revenue,
           SUM(COALESCE(a.known, 0)) OVER (PARTITION BY c.cohort_period ORDER BY c.k
                                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS known
    FROM cells c
    LEFT JOIN activity a ON a.cohort_period = c.cohort_period AND a.period = c.period
)
SELECT {label} AS cohort,
       k AS period_offset,
       size AS cohort_size,
       active AS active_customers,
       {retention} AS retention_rate,
       CASE WHEN known > 0 THEN {revenue_per_customer} END AS cumulative_revenue_per_customer,
       CASE WHEN {period_end} <= as_of_day THEN 'true' ELSE 'false' END AS complete
FROM cumulative
ORDER BY cohort_period, k",
            occasions = self.occasions(None),
            period_of_day = periods.of_day("day"),
            digits = digits.join(" UNION ALL "),
            shown = periods.shown("s.cohort_period", filter),
            label = periods.label("cohort_period"),
            retention = share(d, "active", "size"),
            revenue_per_customer = money_mean(d, "revenue", "size"),
            period_end = periods.end_day("period"),
        )
    }

    /// Contract §3, per cohort: repeat within N days of the first occasion (NULL until
    /// every member has had N days), and the shares reaching a 2nd, 3rd, 4th occasion.
    pub fn cohort_extras(&self, period: Period, filter: CohortFilter) -> String {
        let d = self.dialect;
        let periods = self.periods(period);
        let within_sums: Vec<String> = REPEAT_WITHIN_DAYS
            .iter()
            .map(|n| format!("SUM(CASE WHEN gap <= {n} THEN 1 ELSE 0 END) AS within_{n}"))
            .collect();
        let within_shares: Vec<String> = REPEAT_WITHIN_DAYS
            .iter()
            .map(|n| {
                format!(
                    "CASE WHEN a.day - f.latest_first_day >= {n} THEN {} END AS repeat_within_{n}",
                    share(d, &format!("f.within_{n}"), "f.size")
                )
            })
            .collect();
        format!(
            "{occasions},
-- Each customer's first and second occasion, and how many they had.
firsts AS (
    SELECT customer,
           MIN(day) AS first_day,
           MAX(CASE WHEN k = 2 THEN day END) - MIN(day) AS gap,
           COUNT(*) AS n
    FROM kept
    GROUP BY customer
),
-- Per cohort: its size, its latest first occasion, and the counts behind each share.
cohort_figures AS (
    SELECT {period_of_day} AS cohort_period,
           COUNT(*) AS size,
           MAX(first_day) AS latest_first_day,
           {within_sums},
           SUM(CASE WHEN n >= 2 THEN 1 ELSE 0 END) AS reached_2,
           SUM(CASE WHEN n >= 3 THEN 1 ELSE 0 END) AS reached_3,
           SUM(CASE WHEN n >= 4 THEN 1 ELSE 0 END) AS reached_4
    FROM firsts
    GROUP BY {period_of_day}
)
SELECT {label} AS cohort,
       f.size AS cohort_size,
       {within_shares},
       {reached_2} AS reached_2nd,
       {reached_3} AS reached_3rd,
       {reached_4} AS reached_4plus
FROM cohort_figures f CROSS JOIN as_of a{shown}
ORDER BY f.cohort_period",
            occasions = self.occasions(None),
            period_of_day = periods.of_day("first_day"),
            within_sums = within_sums.join(",\n           "),
            label = periods.label("f.cohort_period"),
            within_shares = within_shares.join(",\n       "),
            reached_2 = share(d, "f.reached_2", "f.size"),
            reached_3 = share(d, "f.reached_3", "f.size"),
            reached_4 = share(d, "f.reached_4", "f.size"),
            shown = periods
                .shown("f.cohort_period", filter)
                .replacen(" AND ", "\nWHERE ", 1),
        )
    }
}
