//! A spinner on stderr while rebuy works, so a long run on a big export shows it is
//! alive. Drawn only when stderr is a terminal; pipes, files and CI logs stay clean.

use std::io::IsTerminal;
use std::time::Duration;

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
        if let Some(spinner) = &self.spinner {
            spinner.set_message(message.into());
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(spinner) = &self.spinner {
            spinner.finish_and_clear();
        }
    }
}
