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
        int_div: "({0} // {1})",
    },
    Dialect {
        name: "postgres",
        quote: '"',
        text: "TEXT",
        money: "NUMERIC(38,4)",
        float: "DOUBLE PRECISION",
        day_number: "(CAST({0} AS DATE) - DATE '1970-01-01')",
        date_of_day: "(DATE '1970-01-01' + CAST({0} AS INTEGER))",
        int_div: "({0} / {1})",
    },
    Dialect {
        name: "spark",
        quote: '`',
        text: "STRING",
        money: "DECIMAL(38,4)",
        float: "DOUBLE",
        day_number: "datediff(CAST({0} AS DATE), DATE '1970-01-01')",
        date_of_day: "date_add(DATE '1970-01-01', CAST({0} AS INT))",
        int_div: "({0} div {1})",
    },
    Dialect {
        name: "bigquery",
        quote: '`',
        text: "STRING",
        money: "NUMERIC",
        float: "FLOAT64",
        day_number: "DATE_DIFF(CAST({0} AS DATE), DATE '1970-01-01', DAY)",
        date_of_day: "DATE_ADD(DATE '1970-01-01', INTERVAL CAST({0} AS INT64) DAY)",
        int_div: "DIV({0}, {1})",
    },
    Dialect {
        name: "snowflake",
        quote: '"',
        text: "VARCHAR",
        money: "NUMBER(38,4)",
        float: "DOUBLE",
        day_number: "DATEDIFF(day, DATE '1970-01-01', CAST({0} AS DATE))",
        date_of_day: "DATEADD(day, {0}, DATE '1970-01-01')",
        int_div: "CAST(FLOOR({0} / {1}) AS INTEGER)",
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

    pub fn int_div(&self, a: &str, b: &str) -> String {
        Dialect::fill(self.int_div, &[&format!("({a})"), &format!("({b})")])
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
    fn templates_take_their_arguments() {
        let bq = Dialect::named("bigquery").unwrap();
        assert_eq!(bq.int_div("n + 4", "5"), "DIV((n + 4), (5))");
        let duckdb = Dialect::named("duckdb").unwrap();
        assert_eq!(duckdb.int_div("n + 4", "5"), "((n + 4) // (5))");
        assert_eq!(
            bq.day_number("ts"),
            "DATE_DIFF(CAST(ts AS DATE), DATE '1970-01-01', DAY)"
        );
    }
}
