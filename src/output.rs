//! Where results go: stdout, or `-o FILE` written atomically (a temporary file beside
//! it, then a rename), never onto an input file. The file is prepared before the work
//! starts, so a bad path fails at once rather than after the computing.

use std::io::{BufWriter, Write};
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
        let mut builder = tempfile::Builder::new();
        builder.prefix(".rebuy-").suffix(".tmp");
        if let Some(permissions) = permissions_for(path) {
            builder.permissions(permissions);
        }
        let temporary = builder.tempfile_in(folder).map_err(|e| {
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
        let mut stream = self.stream();
        stream.write_all(bytes)?;
        stream.commit()
    }

    /// A buffered writer; nothing reaches the target file until `commit`.
    pub fn stream(self) -> Stream {
        match self {
            Output::Stdout => Stream::Stdout(BufWriter::new(std::io::stdout())),
            Output::File { path, temporary } => Stream::File {
                path,
                temporary: BufWriter::with_capacity(1 << 20, temporary),
            },
        }
    }
}

/// The mode the written file gets: an existing file keeps its own; a new one gets
/// the usual 0666 less the umask (a temporary file would otherwise be private).
fn permissions_for(path: &Path) -> Option<std::fs::Permissions> {
    match std::fs::metadata(path) {
        Ok(existing) => Some(existing.permissions()),
        #[cfg(unix)]
        Err(_) => Some(std::os::unix::fs::PermissionsExt::from_mode(0o666)),
        #[cfg(not(unix))]
        Err(_) => None,
    }
}

/// Where output bytes go while they are written.
pub enum Stream {
    Stdout(BufWriter<std::io::Stdout>),
    File {
        path: PathBuf,
        temporary: BufWriter<NamedTempFile>,
    },
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Stdout(out) => out.write(buf),
            Stream::File { temporary, .. } => temporary.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Stream::Stdout(out) => out.write_all(buf),
            Stream::File { temporary, .. } => temporary.write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Stdout(out) => out.flush(),
            Stream::File { temporary, .. } => temporary.flush(),
        }
    }
}

impl Stream {
    /// Flushes, and for a file syncs it and renames it into place.
    pub fn commit(self) -> anyhow::Result<()> {
        match self {
            Stream::Stdout(mut out) => Ok(out.flush()?),
            Stream::File { path, temporary } => {
                let temporary = temporary
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .with_context(|| format!("writing {}", path.display()))?;
                temporary
                    .as_file()
                    .sync_all()
                    .with_context(|| format!("writing {}", path.display()))?;
                temporary
                    .persist(&path)
                    .map_err(|e| e.error)
                    .with_context(|| format!("moving the result into {}", path.display()))?;
                Ok(())
            }
        }
    }
}
