//! A spinner on stderr while rebuy works, so a long run on a big export shows it is
//! alive. Drawn only when stderr is a terminal; pipes, files and CI logs stay clean.
//!
//! With `REBUY_TIMINGS=1` in the environment, every step (and every `mark`) also
//! prints to stderr how long the stage before it took: where the time of a run goes.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    spinner: Option<ProgressBar>,
}

impl Progress {
    pub fn start() -> Progress {
        if !std::io::stderr().is_terminal() {
            return Progress { spinner: None };
        }
        let spinner = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            spinner.set_style(style);
        }
        spinner.enable_steady_tick(Duration::from_millis(120));
        Progress {
            spinner: Some(spinner),
        }
    }

    /// Says what rebuy is doing now.
    pub fn step(&self, message: impl Into<String>) {
        let message = message.into();
        mark(&message);
        if let Some(spinner) = &self.spinner {
            spinner.set_message(message);
        }
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
        if let Some(spinner) = &self.spinner {
            spinner.finish_and_clear();
        }
    }
}
