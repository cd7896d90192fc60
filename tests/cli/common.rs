//! A temporary working folder with input files, and runs of the rebuy binary in it
//! that show status, stdout and stderr when an expectation fails.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Workdir {
    dir: tempfile::TempDir,
}

/// The bundled hand-made fixture.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).expect("writing a test input");
        path
    }

    pub fn command(&self, args: &[&str]) -> Command {
        // Cargo builds the binary for integration tests and says where it is.
        let mut command = Command::new(env!("CARGO_BIN_EXE_rebuy"));
        command
            .current_dir(self.dir.path())
            .args(args)
            .env("NO_COLOR", "1");
        command
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let output = self.command(args).stdin(Stdio::null()).output();
        Run::from(output.expect("running rebuy"))
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: impl Into<Vec<u8>>) -> Run {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("running rebuy");
        let input = stdin.into();
        let mut pipe = child.stdin.take().expect("stdin is piped");
        // Write on a thread so a full stdout pipe cannot block the writer.
        let writer = std::thread::spawn(move || pipe.write_all(&input));
        let output = child.wait_with_output().expect("running rebuy");
        writer
            .join()
            .expect("the writer thread")
            .expect("writing stdin");
        Run::from(output)
    }
}

pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    fn show(&self) -> String {
        format!(
            "exit code: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// Exit 0; returns stdout.
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, Some(0), "expected success\n{}", self.show());
        &self.stdout
    }

    /// Exit 2 with nothing on stdout; returns stderr.
    pub fn bad_input(&self) -> &str {
        assert_eq!(self.code, Some(2), "expected exit code 2\n{}", self.show());
        assert!(
            self.stdout.is_empty(),
            "nothing on stdout on error\n{}",
            self.show()
        );
        &self.stderr
    }
}

/// Asserts that `text` contains every one of `parts`.
#[track_caller]
pub fn assert_mentions(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "expected {part:?} in:\n{text}");
    }
}
