//! Where the SQL engines differ, in one table: one entry per dialect, each a type name
//! or a template of a few functions (`{0}`, `{1}` are the arguments). Everything else
//! the queries use is SQL every engine here reads alike (CASE, COUNT, SUM, MIN, MAX,
//! ROW_NUMBER, ROUND, LN, EXP, FLOOR, COALESCE, NULLIF, TRIM, UNION ALL).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dialect {
    pub name: &'static str,
    /// How identifiers are quoted: `"CustomerID"` or `` `CustomerID` ``.
    pub quote: char,
    /// The text type ids are compared as.
    pub text: &'static str,
    /// Exact money: 4 decimal places, never floating point.
    pub money: &'static str,
    /// Floating point, for rates and means.
    pub float: &'static str,
    /// A timestamp's day as a number of days since 1970-01-01.
    pub day_number: &'static str,
    /// The date of such a day number.
    pub date_of_day: &'static str,
    /// Integer division of two non-negative integers.
    pub int_div: &'static str,
    /// The date of a year, month and day given as integers.
    pub make_date: &'static str,
    /// Whether a quote in a string literal is escaped `\'` (else doubled: `''`).
    pub backslash_escapes: bool,
    /// A TIMESTAMP WITH TIME ZONE as the wall-clock time in zone `{1}` (`--tz`).
    pub in_zone: &'static str,
}

pub const DIALECTS: &[Dialect] = &[
    Dialect {
        name: "duckdb",
        quote: '"',
        text: "VARCHAR",
        money: "DECIMAL(38,4)",
        float: "DOUBLE",
        day_number: "date_diff('day', DATE '1970-01-01', CAST({0} AS DATE))",
        date_of_day: "CAST(DATE '1970-01-01' + CAST({0} AS INTEGER) AS DATE)",
        int_div: "{0} // {1}",
        make_date: "make_date(CAST({0} AS INTEGER), CAST({1} AS INTEGER), CAST({2} AS INTEGER))",
        backslash_escapes: false,
        in_zone: "timezone({1}, {0})",
    },
    Dialect {
        name: "postgres",
        quote: '"',
        text: "TEXT",
        money: "NUMERIC(38,4)",
        float: "DOUBLE PRECISION",
        day_number: "(CAST({0} AS DATE) - DATE '1970-01-01')",
        date_of_day: "(DATE '1970-01-01' + CAST({0} AS INTEGER))",
        int_div: "{0} / {1}",
        make_date: "make_date(CAST({0} AS INTEGER), CAST({1} AS INTEGER), CAST({2} AS INTEGER))",
        backslash_escapes: false,
        in_zone: "({0} AT TIME ZONE {1})",
    },
    Dialect {
        name: "spark",
        quote: '`',
        text: "STRING",
        money: "DECIMAL(38,4)",
        float: "DOUBLE",
        day_number: "datediff(CAST({0} AS DATE), DATE '1970-01-01')",
        date_of_day: "date_add(DATE '1970-01-01', CAST({0} AS INT))",
        int_div: "{0} div {1}",
        make_date: "make_date(CAST({0} AS INT), CAST({1} AS INT), CAST({2} AS INT))",
        backslash_escapes: true,
        // Instants shown in the session's zone: to the wall clock of UTC, then of {1}.
        in_zone: "from_utc_timestamp(to_utc_timestamp({0}, current_timezone()), {1})",
    },
    Dialect {
        name: "bigquery",
        quote: '`',
        text: "STRING",
        // BigQuery caps NUMERIC(P, S) at 29 digits before the point.
        money: "NUMERIC(29,4)",
        float: "FLOAT64",
        day_number: "DATE_DIFF(CAST({0} AS DATE), DATE '1970-01-01', DAY)",
        date_of_day: "DATE_ADD(DATE '1970-01-01', INTERVAL CAST({0} AS INT64) DAY)",
        int_div: "DIV({0}, {1})",
        make_date: "DATE(CAST({0} AS INT64), CAST({1} AS INT64), CAST({2} AS INT64))",
        backslash_escapes: true,
        in_zone: "DATETIME({0}, {1})",
    },
    Dialect {
        name: "snowflake",
        quote: '"',
        text: "VARCHAR",
        money: "NUMBER(38,4)",
        float: "DOUBLE",
        day_number: "DATEDIFF(day, DATE '1970-01-01', CAST({0} AS DATE))",
        date_of_day: "DATEADD(day, {0}, DATE '1970-01-01')",
        // `/` of integers keeps a few decimals only: FLOOR could round up a quotient
        // just below an integer. Dividing a multiple of the divisor is exact.
        int_div: "CAST(({0} - MOD({0}, {1})) / {1} AS INTEGER)",
        make_date: "DATE_FROM_PARTS({0}, {1}, {2})",
        backslash_escapes: false,
        in_zone: "CONVERT_TIMEZONE({1}, {0})",
    },
];

impl Dialect {
    pub fn named(name: &str) -> Result<&'static Dialect, String> {
        DIALECTS
            .iter()
            .find(|d| d.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                format!(
                    "unknown dialect {name:?}: use one of {}",
                    DIALECTS
                        .iter()
                        .map(|d| d.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }

    /// A column name quoted, so that `CustomerID` keeps its case.
    pub fn ident(&self, name: &str) -> String {
        let q = self.quote;
        format!("{q}{}{q}", name.replace(q, &format!("{q}{q}")))
    }

    fn fill(template: &str, args: &[&str]) -> String {
        args.iter()
            .enumerate()
            .fold(template.to_string(), |t, (i, a)| {
                t.replace(&format!("{{{i}}}"), a)
            })
    }

    pub fn day_number(&self, timestamp: &str) -> String {
        Dialect::fill(self.day_number, &[timestamp])
    }

    pub fn date_of_day(&self, day: &str) -> String {
        Dialect::fill(self.date_of_day, &[day])
    }

    /// In parentheses of its own, so that it binds as one term wherever it is put
    /// (sqlglot's transpiling of `12 * DIV(p, 12)` to DuckDB drops them otherwise).
    pub fn int_div(&self, a: &str, b: &str) -> String {
        let quotient = Dialect::fill(self.int_div, &[&grouped(a), &grouped(b)]);
        format!("({quotient})")
    }

    pub fn make_date(&self, year: &str, month: &str, day: &str) -> String {
        Dialect::fill(self.make_date, &[year, month, day])
    }

    /// `timestamp` (WITH TIME ZONE) as the wall-clock time in `zone`.
    pub fn in_zone(&self, timestamp: &str, zone: &str) -> String {
        Dialect::fill(self.in_zone, &[timestamp, &self.literal(zone)])
    }

    /// A string literal, its quotes escaped as the dialect escapes them.
    pub fn literal(&self, value: &str) -> String {
        let escaped = if self.backslash_escapes {
            value.replace('\\', "\\\\").replace('\'', "\\'")
        } else {
            value.replace('\'', "''")
        };
        format!("'{escaped}'")
    }

    pub fn as_text(&self, value: &str) -> String {
        format!("CAST({value} AS {})", self.text)
    }

    pub fn as_float(&self, value: &str) -> String {
        format!("CAST({value} AS {})", self.float)
    }

    pub fn as_money(&self, value: &str) -> String {
        format!("CAST({value} AS {})", self.money)
    }
}

/// `e` as one term: as it is when it is a name, a number or already in parentheses of
/// its own, else in parentheses.
fn grouped(e: &str) -> String {
    let simple = e
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    let wrapped = e.starts_with('(') && e.ends_with(')') && {
        // The first parenthesis closes at the very end.
        let mut depth = 0;
        e.char_indices().all(|(i, c)| {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            depth > 0 || i == e.len() - 1
        })
    };
    if simple || wrapped {
        e.to_string()
    } else {
        format!("({e})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_keep_their_case_and_escape_the_quote() {
        let pg = Dialect::named("postgres").unwrap();
        assert_eq!(pg.ident("CustomerID"), "\"CustomerID\"");
        assert_eq!(pg.ident("a\"b"), "\"a\"\"b\"");
        let spark = Dialect::named("Spark").unwrap();
        assert_eq!(spark.ident("order date"), "`order date`");
        assert!(Dialect::named("oracle")
            .unwrap_err()
            .contains("duckdb, postgres"));
    }

    #[test]
    fn string_literals_escape_quotes_as_each_dialect_does() {
        let literal = |d: &str, v: &str| Dialect::named(d).unwrap().literal(v);
        assert_eq!(literal("postgres", "Won't Buy"), "'Won''t Buy'");
        assert_eq!(literal("snowflake", "Won't Buy"), "'Won''t Buy'");
        // Spark and BigQuery read '' as two literals side by side.
        assert_eq!(literal("spark", "Won't Buy"), "'Won\\'t Buy'");
        assert_eq!(literal("bigquery", "a\\b"), "'a\\\\b'");
    }

    #[test]
    fn templates_take_their_arguments() {
        let bq = Dialect::named("bigquery").unwrap();
        assert_eq!(bq.int_div("n + 4", "5"), "(DIV((n + 4), 5))");
        assert_eq!(bq.int_div("(a) + (b)", "(c)"), "(DIV(((a) + (b)), (c)))");
        let duckdb = Dialect::named("duckdb").unwrap();
        assert_eq!(duckdb.int_div("n + 4", "5"), "((n + 4) // 5)");
        assert_eq!(
            bq.day_number("ts"),
            "DATE_DIFF(CAST(ts AS DATE), DATE '1970-01-01', DAY)"
        );
    }
}
