//! Progress on stderr while rebuy works: a bar with the bytes (or Parquet rows) read of
//! the file, rows per second and the time left while a file is read, a spinner with
//! what rebuy is doing after. Drawn only when stderr is a terminal and `--quiet` is not
//! given; pipes, files and CI logs stay clean.
//!
//! With `REBUY_TIMINGS=1` in the environment, every step (and every `mark`) also
//! prints to stderr how long the stage before it took: where the time of a run goes.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    spinner: Option<ProgressBar>,
}

/// `--quiet`: nothing is drawn.
static QUIET: AtomicBool = AtomicBool::new(false);

/// The bar being drawn, for the reader to advance; `None` when nothing is drawn.
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// The file being read: when its reading began, and the rows read so far.
static FILE: Mutex<Option<(Instant, u64)>> = Mutex::new(None);

pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

impl Progress {
    pub fn start() -> Progress {
        if QUIET.load(Ordering::Relaxed) || !std::io::stderr().is_terminal() {
            return Progress { spinner: None };
        }
        let spinner = ProgressBar::new_spinner();
        spinner.set_style(spinner_style());
        spinner.enable_steady_tick(Duration::from_millis(120));
        *BAR.lock().unwrap_or_else(|e| e.into_inner()) = Some(spinner.clone());
        Progress {
            spinner: Some(spinner),
        }
    }

    /// Says what rebuy is doing now (the spinner again, after a file's bar).
    pub fn step(&self, message: impl Into<String>) {
        let message = message.into();
        mark(&message);
        if let Some(spinner) = &self.spinner {
            spinner.set_style(spinner_style());
            spinner.set_message(message);
        }
    }
}

/// What the bar of a file counts.
pub enum Extent {
    /// Bytes of a file of this size.
    Bytes(u64),
    /// Rows of a Parquet file of this many.
    Rows(u64),
    /// Not known (standard input, a compressed file): a spinner with the rows read.
    Unknown,
}

/// A file `name` begins to be read: the bar shows how far, where the extent is known.
pub fn begin_file(name: &str, extent: Extent) {
    *FILE.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), 0));
    let Some(bar) = BAR.lock().unwrap_or_else(|e| e.into_inner()).clone() else {
        return;
    };
    let (template, length) = match extent {
        Extent::Bytes(size) => (
            "{spinner} {prefix} {bar:16} {bytes}/{total_bytes} {msg}, {eta} left",
            Some(size),
        ),
        Extent::Rows(rows) => (
            "{spinner} {prefix} {bar:16} {human_pos}/{human_len} rows {msg}, {eta} left",
            Some(rows),
        ),
        Extent::Unknown => ("{spinner} {prefix} {msg} ({elapsed})", None),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("█▌ "));
    }
    bar.set_position(0);
    bar.set_length(length.unwrap_or(0));
    // The file's own name: the line must fit a terminal.
    let short = std::path::Path::new(name)
        .file_name()
        .map_or(name.to_string(), |n| n.to_string_lossy().into_owned());
    bar.set_prefix(format!("reading {short}"));
    bar.set_message(String::new());
}

/// `bytes` and `rows` more of the file were read (`bytes` is 0 for Parquet, whose bar
/// counts rows).
pub fn advance(bytes: u64, rows: u64) {
    let Some(bar) = BAR.lock().unwrap_or_else(|e| e.into_inner()).clone() else {
        return;
    };
    let mut file = FILE.lock().unwrap_or_else(|e| e.into_inner());
    let Some((since, read)) = file.as_mut() else {
        return;
    };
    *read += rows;
    bar.inc(if bytes > 0 { bytes } else { rows });
    let seconds = since.elapsed().as_secs_f64().max(1e-3);
    bar.set_message(format!(
        "{} rows/s",
        short_count((*read as f64 / seconds) as u64)
    ));
}

/// `1234567` → `1.2M`, `45678` → `45.7k`.
fn short_count(n: u64) -> String {
    match n {
        0..1_000 => n.to_string(),
        1_000..1_000_000 => format!("{:.1}k", n as f64 / 1e3),
        _ => format!("{:.1}M", n as f64 / 1e6),
    }
}

/// When the last stage began, and its name; `None` until the first mark.
static STAGE: Mutex<Option<(Instant, String)>> = Mutex::new(None);

/// With `REBUY_TIMINGS` set, prints how long the stage before took, and begins
/// `next` (an empty name ends the last stage).
pub fn mark(next: &str) {
    if std::env::var_os("REBUY_TIMINGS").is_none() {
        return;
    }
    let now = Instant::now();
    let mut stage = STAGE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((start, name)) = stage.take() {
        eprintln!("{:>8.3} s  {name}", (now - start).as_secs_f64());
    }
    if !next.is_empty() {
        *stage = Some((now, next.to_string()));
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        mark("writing the output");
        *BAR.lock().unwrap_or_else(|e| e.into_inner()) = None;
        if let Some(spinner) = &self.spinner {
            spinner.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_short() {
        assert_eq!(short_count(999), "999");
        assert_eq!(short_count(45_678), "45.7k");
        assert_eq!(short_count(1_234_567), "1.2M");
    }
}
