//! What went wrong, where, and what to do about it; and the exit code it maps to.

use std::fmt;

/// How a run of rebuy ended, as its exit code says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: the command did what it was asked.
    Success = 0,
    /// 1: `check` ran, and a gate failed.
    GateFailed = 1,
    /// 2: bad usage or bad input; nothing was written.
    BadInput = 2,
}

impl ExitStatus {
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// Where in the input a problem is. Every part is optional; present parts are printed
/// in the order file, line, column, value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    /// 1-based physical line of a text file (the header is line 1), or a 1-based row of
    /// a Parquet file.
    pub line: Option<u64>,
    /// Whether `line` counts rows rather than text lines.
    pub is_row: bool,
    pub column: Option<String>,
    pub value: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            let word = if self.is_row { "row" } else { "line" };
            write!(f, ", {word} {line}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column:?}")?;
        }
        if let Some(value) = &self.value {
            let shown: String = value.chars().take(60).collect();
            let ellipsis = if value.chars().count() > 60 {
                "…"
            } else {
                ""
            };
            write!(f, ", value {shown:?}{ellipsis}")?;
        }
        Ok(())
    }
}

/// What is wrong with the input, where, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputProblem {
    pub location: Location,
    pub problem: String,
    pub hint: String,
}

/// rebuy's own errors. Anything else reaching `main` is reported the same way.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Flags that do not fit together, or a flag value that cannot be used.
    #[error("{message}")]
    Usage { message: String },

    /// Input rebuy cannot read as an order export.
    #[error("{}: {}\n  hint: {}", .0.location, .0.problem, .0.hint)]
    Input(Box<InputProblem>),

    /// The input was read, but nothing is left to measure (all guests, all refunds,
    /// an `--as-of` before the first purchase).
    #[error("{message}\n  hint: {hint}")]
    NoData { message: String, hint: String },

    /// A failure inside rebuy or its libraries, not caused by the input.
    #[error("internal error: {0} (please report this)")]
    Internal(String),
}

impl Error {
    pub fn usage(message: impl Into<String>) -> Error {
        Error::Usage {
            message: message.into(),
        }
    }

    pub fn input(location: Location, problem: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::Input(Box::new(InputProblem {
            location,
            problem: problem.into(),
            hint: hint.into(),
        }))
    }

    pub fn internal(error: impl std::fmt::Display) -> Error {
        Error::Internal(error.to_string())
    }

    /// An input problem about a whole file.
    pub fn file(file: &str, problem: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::input(
            Location {
                file: file.to_string(),
                ..Location::default()
            },
            problem,
            hint,
        )
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The text of a panic's payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_errors_name_file_line_column_value_and_hint() {
        let error = Error::input(
            Location {
                file: "orders.csv".into(),
                line: Some(14),
                is_row: false,
                column: Some("order_date".into()),
                value: Some("2024-13-01".into()),
            },
            "not a real date: month 13",
            "fix the value, or pass --skip-invalid",
        );
        assert_eq!(
            error.to_string(),
            "orders.csv, line 14, column \"order_date\", value \"2024-13-01\": not a real date: month 13\n  hint: fix the value, or pass --skip-invalid"
        );
    }
}
