//! `rebuy check`: gates on the summary's keys, and drift against a baseline summary.
//!
//! A key is a dotted path into the summary's JSON as `--format csv` flattens it
//! (`repeat_purchase_rate`, `time_to_second.median`, `ladder.2.next_share`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Location, Result};

/// One bound on one key.
#[derive(Clone, Debug, PartialEq)]
pub enum Gate {
    Min {
        key: String,
        bound: f64,
    },
    Max {
        key: String,
        bound: f64,
    },
    /// Within `tolerance` (relative) of the baseline's value.
    Drift {
        key: String,
        baseline: Option<f64>,
        tolerance: f64,
    },
}

/// A gate's verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    pub key: String,
    /// `min`, `max` or `baseline`.
    pub gate: &'static str,
    /// The bound, or the baseline value.
    pub expected: Option<f64>,
    pub actual: Option<f64>,
    pub pass: bool,
}

/// The summary's numeric keys and values, keyed as `--format csv` writes them.
pub fn numbers(summary: &Value) -> BTreeMap<String, Option<f64>> {
    crate::render::json_leaves(summary)
        .into_iter()
        .filter_map(|(key, value)| match value {
            Value::Null => Some((key, None)),
            Value::Number(n) => Some((key, n.as_f64())),
            _ => None,
        })
        .collect()
}

/// `KEY=NUMBER`, for the flag `flag`, checked against the known keys.
pub fn parse_bound(
    flag: &str,
    text: &str,
    known: &BTreeMap<String, Option<f64>>,
) -> Result<(String, f64)> {
    let Some((key, number)) = text.split_once('=') else {
        return Err(Error::usage(format!(
            "{flag} {text}: expected KEY=NUMBER, e.g. {flag} repeat_purchase_rate=0.25"
        )));
    };
    let key = key.trim().to_string();
    check_key(&key, known)?;
    let bound = number
        .trim()
        .parse::<f64>()
        .map_err(|_| Error::usage(format!("{flag} {text}: {number:?} is not a number")))?;
    Ok((key, bound))
}

/// An error listing the valid keys, unless `key` is one.
pub fn check_key(key: &str, known: &BTreeMap<String, Option<f64>>) -> Result<()> {
    if known.contains_key(key) {
        return Ok(());
    }
    let keys: Vec<&str> = known.keys().map(String::as_str).collect();
    Err(Error::usage(format!(
        "unknown key {key:?}; the keys are: {}",
        keys.join(", ")
    )))
}

impl Gate {
    pub fn judge(&self, actual: &BTreeMap<String, Option<f64>>) -> Verdict {
        let value = |key: &str| actual.get(key).copied().flatten();
        match self {
            Gate::Min { key, bound } => Verdict {
                key: key.clone(),
                gate: "min",
                expected: Some(*bound),
                actual: value(key),
                pass: value(key).is_some_and(|v| v >= *bound),
            },
            Gate::Max { key, bound } => Verdict {
                key: key.clone(),
                gate: "max",
                expected: Some(*bound),
                actual: value(key),
                pass: value(key).is_some_and(|v| v <= *bound),
            },
            Gate::Drift {
                key,
                baseline,
                tolerance,
            } => {
                let now = value(key);
                let pass = match (baseline, now) {
                    (None, None) => true,
                    (Some(old), Some(new)) => {
                        (new - old).abs()
                            <= tolerance * old.abs() + f64::EPSILON * old.abs().max(1.0)
                    }
                    _ => false,
                };
                Verdict {
                    key: key.clone(),
                    gate: "baseline",
                    expected: *baseline,
                    actual: now,
                    pass,
                }
            }
        }
    }
}

/// `--config gates.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateFile {
    #[serde(default)]
    pub min: BTreeMap<String, f64>,
    #[serde(default)]
    pub max: BTreeMap<String, f64>,
    pub baseline: Option<String>,
    pub tolerance: Option<f64>,
}

impl GateFile {
    pub fn parse(text: &str, file: &str) -> Result<GateFile> {
        toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() as u64 + 1);
            Error::input(
                Location {
                    file: file.to_string(),
                    line,
                    ..Location::default()
                },
                e.message().trim().to_string(),
                "a gates file has [min] and [max] tables of KEY = NUMBER, and optionally baseline = \"FILE\" and tolerance = NUMBER",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn summary() -> BTreeMap<String, Option<f64>> {
        numbers(&json!({
            "as_of": "2024-04-10",
            "customers": 8,
            "repeat_purchase_rate": 0.625,
            "time_to_second": {"median": 40.0, "p25": null},
            "ladder": [{"k": 1, "customers": 8, "next_share": 0.625}],
        }))
    }

    #[test]
    fn keys_are_the_flattened_numbers() {
        let keys: Vec<String> = summary().into_keys().collect();
        assert_eq!(
            keys,
            [
                "customers",
                "ladder.1.customers",
                "ladder.1.next_share",
                "repeat_purchase_rate",
                "time_to_second.median",
                "time_to_second.p25"
            ]
        );
    }

    #[test]
    fn bounds_pass_and_fail() {
        let s = summary();
        let min = |key: &str, bound| {
            Gate::Min {
                key: key.into(),
                bound,
            }
            .judge(&s)
            .pass
        };
        let max = |key: &str, bound| {
            Gate::Max {
                key: key.into(),
                bound,
            }
            .judge(&s)
            .pass
        };
        assert!(min("repeat_purchase_rate", 0.625));
        assert!(!min("repeat_purchase_rate", 0.63));
        assert!(max("time_to_second.median", 40.0));
        assert!(!max("time_to_second.median", 39.9));
        // A missing value passes no bound.
        assert!(!min("time_to_second.p25", 0.0) && !max("time_to_second.p25", 1e9));
    }

    #[test]
    fn drift_is_relative_to_the_baseline() {
        let s = summary();
        let drift = |key: &str, baseline: Option<f64>, tolerance| {
            Gate::Drift {
                key: key.into(),
                baseline,
                tolerance,
            }
            .judge(&s)
            .pass
        };
        assert!(drift("customers", Some(8.0), 0.0));
        assert!(!drift("customers", Some(9.0), 0.1), "8 is 11% below 9");
        assert!(drift("customers", Some(9.0), 0.12));
        assert!(
            drift("repeat_purchase_rate", Some(0.6), 0.05),
            "0.625 is 4.2% above 0.6"
        );
        assert!(!drift("repeat_purchase_rate", Some(0.6), 0.04));
        assert!(
            drift("time_to_second.p25", None, 0.0),
            "missing then and now"
        );
        assert!(
            !drift("time_to_second.p25", Some(1.0), 0.5),
            "a value that went missing"
        );
        assert!(
            !drift("time_to_second.median", None, 0.5),
            "a value that appeared"
        );
    }

    #[test]
    fn unknown_keys_list_the_valid_ones() {
        let err = parse_bound("--min", "repeat_rate=0.2", &summary())
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown key \"repeat_rate\""), "{err}");
        assert!(
            err.contains("repeat_purchase_rate, time_to_second.median"),
            "{err}"
        );
        assert!(parse_bound("--min", "customers", &summary()).is_err());
        assert!(parse_bound("--min", "customers=many", &summary()).is_err());
        assert_eq!(
            parse_bound("--max", "customers = 10", &summary()).unwrap(),
            ("customers".to_string(), 10.0)
        );
    }

    #[test]
    fn gate_files() {
        let g = GateFile::parse(
            "baseline = \"prev.json\"\ntolerance = 0.02\n[min]\nrepeat_purchase_rate = 0.25\n[max]\n\"time_to_second.median\" = 45\n",
            "gates.toml",
        )
        .unwrap();
        assert_eq!(g.min["repeat_purchase_rate"], 0.25);
        assert_eq!(g.max["time_to_second.median"], 45.0);
        assert_eq!(
            (g.baseline.as_deref(), g.tolerance),
            (Some("prev.json"), Some(0.02))
        );
        let err = GateFile::parse("[min]\nx = 1\n[minimum]\ny = 2\n", "gates.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("gates.toml, line 3"), "{err}");
    }
}
