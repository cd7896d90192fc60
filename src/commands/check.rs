//! `rebuy check`: the summary's numbers against bounds and a baseline; exit 1 when a
//! gate fails.

use std::path::Path;

use serde_json::json;

use crate::cli::CheckArgs;
use crate::error::{Error, ExitStatus, Result};
use crate::gates::{check_key, numbers, parse_bound, Gate, GateFile, Verdict};
use crate::output::Output;
use crate::render::{Cell, Document, Table};
use crate::settings::Settings;

pub fn run(args: &CheckArgs) -> anyhow::Result<ExitStatus> {
    let file = args
        .config
        .as_deref()
        .map(|path| GateFile::parse(&read(path, "--config")?, &path.display().to_string()))
        .transpose()?
        .unwrap_or_default();
    // A baseline named in the gates file is relative to that file.
    let baseline_path = args.baseline.clone().or_else(|| {
        let named = file.baseline.as_ref()?;
        let folder = args.config.as_deref()?.parent()?;
        Some(folder.join(named))
    });
    let tolerance = args.tolerance.or(file.tolerance).unwrap_or(0.0);
    if !(tolerance >= 0.0 && tolerance.is_finite()) {
        return Err(Error::usage(format!(
            "--tolerance {tolerance}: give a fraction 0 or above, such as 0.02 for 2%"
        ))
        .into());
    }
    if args.min.is_empty()
        && args.max.is_empty()
        && baseline_path.is_none()
        && file.min.is_empty()
        && file.max.is_empty()
    {
        return Err(Error::usage(
            "no gates: give --min KEY=NUMBER, --max KEY=NUMBER, --baseline FILE or --config FILE (rebuy check --help)",
        )
        .into());
    }
    let baseline = baseline_path
        .as_deref()
        .map(|path| -> Result<serde_json::Value> {
            let text = read(path, "--baseline")?;
            serde_json::from_str(&text).map_err(|e| {
                Error::file(
                    &path.display().to_string(),
                    format!("not a summary in JSON: {e}"),
                    "save one with rebuy summary FILE --format json -o baseline.json",
                )
            })
        })
        .transpose()?;

    // Every gate's key and bound are checked before the input is read: a typo costs
    // milliseconds, not a full read.
    let known = crate::metrics::summary::keys();
    let mut gates = Vec::new();
    for text in &args.min {
        let (key, bound) = parse_bound("--min", text, &known)?;
        gates.push(Gate::Min { key, bound });
    }
    for text in &args.max {
        let (key, bound) = parse_bound("--max", text, &known)?;
        gates.push(Gate::Max { key, bound });
    }
    for (key, &bound) in &file.min {
        check_key(key, &known)?;
        gates.push(Gate::Min {
            key: key.clone(),
            bound,
        });
    }
    for (key, &bound) in &file.max {
        check_key(key, &known)?;
        gates.push(Gate::Max {
            key: key.clone(),
            bound,
        });
    }

    let settings = Settings::resolve(&args.common)?;
    let output = Output::prepare(settings.output.as_deref(), &settings.sources)?;
    let result = super::summary::compute(&settings)?;
    let json = serde_json::to_value(&result)?;
    let actual = numbers(&json);
    if let Some(baseline) = &baseline {
        for (key, value) in numbers(baseline) {
            gates.push(Gate::Drift {
                key,
                baseline: value,
                tolerance,
            });
        }
    }
    let verdicts: Vec<Verdict> = gates.iter().map(|g| g.judge(&actual)).collect();
    let failed = verdicts.iter().filter(|v| !v.pass).count();
    let document = document(&verdicts, failed, result.as_of, tolerance);
    super::emit(&document, &settings, output)?;
    if failed > 0 {
        eprintln!("rebuy: {failed} of {} gates failed", verdicts.len());
        return Ok(ExitStatus::GateFailed);
    }
    Ok(ExitStatus::Success)
}

fn read(path: &Path, flag: &str) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| {
        Error::file(
            &path.display().to_string(),
            format!("cannot read it: {e}"),
            format!("check the path given to {flag}"),
        )
    })
}

/// A number as people read it: up to six decimals, no trailing zeros.
fn figure(value: Option<f64>) -> String {
    value.map_or_else(
        || "null".to_string(),
        |v| ((v * 1e6).round() / 1e6).to_string(),
    )
}

fn document(
    verdicts: &[Verdict],
    failed: usize,
    as_of: chrono::NaiveDate,
    tolerance: f64,
) -> Document {
    let mut people = Table::new(
        format!(
            "rebuy check, as of {as_of}: {} of {} gates pass",
            verdicts.len() - failed,
            verdicts.len()
        ),
        &["key", "gate", "actual", "result"],
    );
    let mut machine = Table::untitled(&["key", "gate", "expected", "actual", "pass"]);
    for v in verdicts {
        let gate = match v.gate {
            "min" => format!("≥ {}", figure(v.expected)),
            "max" => format!("≤ {}", figure(v.expected)),
            _ => format!(
                "baseline {} ± {}%",
                figure(v.expected),
                figure(Some(tolerance * 100.0))
            ),
        };
        people.push(vec![
            Cell::Text(v.key.clone()),
            Cell::Text(gate),
            Cell::Text(figure(v.actual)),
            Cell::Text(if v.pass { "pass" } else { "FAIL" }.to_string()),
        ]);
        machine.push(vec![
            Cell::Text(v.key.clone()),
            Cell::Text(v.gate.to_string()),
            Cell::Number(v.expected),
            Cell::Number(v.actual),
            Cell::Text(v.pass.to_string()),
        ]);
    }
    Document {
        tables: vec![people],
        notes: Vec::new(),
        machine: Some(machine),
        json: json!({
            "as_of": as_of,
            "passed": failed == 0,
            "gates": verdicts,
        }),
        page: None,
    }
}
