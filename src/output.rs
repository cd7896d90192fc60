//! Where results go: stdout, or `-o FILE` written atomically (a temporary file beside
//! it, then a rename), never onto an input file. The file is prepared before the work
//! starts, so a bad path fails at once rather than after the computing.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use tempfile::NamedTempFile;

use crate::error::Error;
use crate::input::read::Source;

pub enum Output {
    Stdout,
    File {
        path: PathBuf,
        temporary: NamedTempFile,
    },
}

impl Output {
    /// Checks the target and creates the temporary file beside it.
    pub fn prepare(path: Option<&Path>, inputs: &[Source]) -> anyhow::Result<Output> {
        let Some(path) = path else {
            return Ok(Output::Stdout);
        };
        if path.is_dir() {
            return Err(Error::usage(format!(
                "-o {}: is a directory; name a file inside it",
                path.display()
            ))
            .into());
        }
        if let Ok(target) = path.canonicalize() {
            for input in inputs {
                if let Source::Path(input_path) = input {
                    if input_path.canonicalize().is_ok_and(|p| p == target) {
                        return Err(Error::usage(format!(
                            "-o {}: that is an input file; rebuy never writes over its input. Choose another name",
                            path.display()
                        ))
                        .into());
                    }
                }
            }
        }
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let temporary = tempfile::Builder::new()
            .prefix(".rebuy-")
            .suffix(".tmp")
            .tempfile_in(folder)
            .map_err(|e| {
                Error::usage(format!(
                    "-o {}: cannot write in {}: {e}",
                    path.display(),
                    folder.display()
                ))
            })?;
        Ok(Output::File {
            path: path.to_path_buf(),
            temporary,
        })
    }

    /// Writes everything, then (for a file) renames it into place.
    pub fn write(self, bytes: &[u8]) -> anyhow::Result<()> {
        match self {
            Output::Stdout => {
                let mut stdout = std::io::stdout().lock();
                stdout.write_all(bytes)?;
                stdout.flush()?;
                Ok(())
            }
            Output::File {
                path,
                mut temporary,
            } => {
                temporary
                    .write_all(bytes)
                    .and_then(|()| temporary.as_file().sync_all())
                    .with_context(|| format!("writing {}", path.display()))?;
                temporary
                    .persist(&path)
                    .map_err(|e| e.error)
                    .with_context(|| format!("moving the result into {}", path.display()))?;
                Ok(())
            }
        }
    }

    pub fn is_terminal_stdout(&self) -> bool {
        use std::io::IsTerminal;
        matches!(self, Output::Stdout) && std::io::stdout().is_terminal()
    }
}
