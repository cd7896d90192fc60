//! `rebuy generate`: a realistic order export, for trying rebuy, tests and benchmarks.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;

use crate::cli::GenerateArgs;
use crate::error::Error;
use crate::generate::parquet::ParquetSink;
use crate::generate::{simulate, CsvSink, GenerateOptions};
use crate::output::Output;
use crate::progress::Progress;
use crate::render::text::thousands;
use crate::settings::parse_date;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Csv,
    CsvGzip,
    Parquet,
}

fn kind_of(path: Option<&Path>) -> Result<Kind, Error> {
    let Some(path) = path else {
        return Ok(Kind::Csv);
    };
    let name = path.to_string_lossy().to_ascii_lowercase();
    if name.ends_with(".csv.gz") {
        Ok(Kind::CsvGzip)
    } else if name.ends_with(".csv") {
        Ok(Kind::Csv)
    } else if name.ends_with(".parquet") {
        Ok(Kind::Parquet)
    } else {
        Err(Error::usage(format!(
            "-o {}: name the file .csv, .csv.gz or .parquet; rebuy writes the format the extension says",
            path.display()
        )))
    }
}

pub fn run(args: &GenerateArgs) -> anyhow::Result<()> {
    let start = parse_date("--start", &args.start)?;
    let end = parse_date("--end", &args.end)?;
    if start > end {
        return Err(Error::usage(format!("--start {start} is after --end {end}")).into());
    }
    if args.customers == 0 {
        return Err(Error::usage("--customers must be at least 1").into());
    }
    if args.output.is_some() && args.output == args.truth {
        return Err(Error::usage("-o and --truth name the same file").into());
    }
    let kind = kind_of(args.output.as_deref())?;
    let output = Output::prepare(args.output.as_deref(), &[])?;
    let truth = args
        .truth
        .as_deref()
        .map(|p| Output::prepare(Some(p), &[]))
        .transpose()?;
    let options = GenerateOptions {
        customers: args.customers,
        seed: args.seed,
        start,
        end,
        quirks: args.quirks,
    };

    crate::progress::set_quiet(args.quiet);
    let began = Instant::now();
    let progress = Progress::start();
    progress.step(format!(
        "simulating {} customers",
        thousands(args.customers)
    ));
    let mut stream = output.stream();
    let (products, counts) = match kind {
        Kind::Csv => {
            let mut sink = CsvSink::new(&mut stream, args.quirks)?;
            simulate(&options, &mut sink)?
        }
        Kind::CsvGzip => {
            let gzip = flate2::write::GzEncoder::new(&mut stream, flate2::Compression::fast());
            let mut sink = CsvSink::new(gzip, args.quirks)?;
            let result = simulate(&options, &mut sink)?;
            sink.into_inner().finish()?;
            result
        }
        Kind::Parquet => {
            let mut sink = ParquetSink::default();
            let result = simulate(&options, &mut sink)?;
            progress.step("writing Parquet");
            sink.write(&mut stream).context("writing Parquet")?;
            result
        }
    };
    stream.commit()?;

    if let Some(truth) = truth {
        let json = serde_json::json!({
            "seed": args.seed,
            "start": start,
            "end": end,
            "quirks": args.quirks,
            "counts": counts,
            "products": products,
        });
        let mut text = serde_json::to_vec_pretty(&json)?;
        text.push(b'\n');
        truth.write(&text)?;
    }
    drop(progress);
    if let (Some(path), false) = (&args.output, args.quiet) {
        let mut stderr = std::io::stderr().lock();
        writeln!(
            stderr,
            "rebuy: wrote {} lines ({} orders, {} customers) to {} in {:.1} s",
            thousands(counts.lines),
            thousands(counts.orders),
            thousands(counts.customers),
            path.display(),
            began.elapsed().as_secs_f64()
        )?;
    }
    Ok(())
}
