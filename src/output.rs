//! Where results go: stdout, or `-o FILE` written atomically (a temporary file beside
//! it, then a rename), never onto an input file. The file is prepared before the work
//! starts, so a bad path fails at once rather than after the computing.
//!
//! An input is recognised by identity (device and inode), so the same file through a
//! symlink, a hard link or `./` is refused too. A target that is not a regular file (a
//! FIFO, a device such as `/dev/null`, `/dev/stdout`) is written directly, as a shell's
//! `>` would: renaming a file onto it would replace it rather than write into it. A
//! symlink to a regular file keeps its link: the file it points to is replaced.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use tempfile::NamedTempFile;

use crate::error::Error;
use crate::input::read::Source;

/// The temporary file of `-o NAME` is `.NAME.rebuy-unfinished-XXXXXX`, beside NAME:
/// one left behind by a run that was killed can be deleted.
pub const UNFINISHED: &str = "rebuy-unfinished-";

pub enum Output {
    Stdout,
    File {
        path: PathBuf,
        temporary: NamedTempFile,
    },
    /// Not a regular file: written in place.
    Direct {
        path: PathBuf,
        file: std::fs::File,
    },
}

/// The same file: device and inode on Unix, the canonical path elsewhere.
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
    }
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
        for input in inputs {
            if let Source::Path(input_path) = input {
                if same_file(input_path, path) {
                    return Err(Error::usage(format!(
                        "-o {}: that is an input file ({}); rebuy never writes over its input. Choose another name",
                        path.display(),
                        input_path.display()
                    ))
                    .into());
                }
            }
        }
        let cannot = |e: std::io::Error| {
            Error::usage(format!("-o {}: cannot write there: {e}", path.display()))
        };
        // Under /dev and /proc nothing is created or renamed, whatever the path is now.
        let in_place = path.starts_with("/dev") || path.starts_with("/proc");
        let existing = std::fs::metadata(path).ok();
        if in_place || existing.as_ref().is_some_and(|m| !m.is_file()) {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .truncate(existing.is_some_and(|m| m.is_file()))
                .open(path)
                .map_err(cannot)?;
            return Ok(Output::Direct {
                path: path.to_path_buf(),
                file,
            });
        }
        // A symlink to a regular file: replace the file, keep the link.
        let target = match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => path.canonicalize().map_err(cannot)?,
            _ => path.to_path_buf(),
        };
        let folder = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let prefix = format!(".{name}.{UNFINISHED}");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix);
        if let Some(permissions) = permissions_for(&target) {
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
            path: target,
            temporary,
        })
    }

    /// Writes everything, then (for a file) renames it into place.
    pub fn write(self, bytes: &[u8]) -> anyhow::Result<()> {
        let mut stream = self.stream();
        stream.write_all(bytes)?;
        stream.commit()
    }

    /// A buffered writer; nothing reaches a regular target file until `commit`.
    pub fn stream(self) -> Stream {
        match self {
            Output::Stdout => Stream::Stdout(BufWriter::new(std::io::stdout())),
            Output::File { path, temporary } => Stream::File {
                path,
                temporary: BufWriter::with_capacity(1 << 20, temporary),
            },
            Output::Direct { path, file } => Stream::Direct {
                path,
                file: BufWriter::with_capacity(1 << 20, file),
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
    Direct {
        path: PathBuf,
        file: BufWriter<std::fs::File>,
    },
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Stdout(out) => out.write(buf),
            Stream::File { temporary, .. } => temporary.write(buf),
            Stream::Direct { file, .. } => file.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Stream::Stdout(out) => out.write_all(buf),
            Stream::File { temporary, .. } => temporary.write_all(buf),
            Stream::Direct { file, .. } => file.write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Stdout(out) => out.flush(),
            Stream::File { temporary, .. } => temporary.flush(),
            Stream::Direct { file, .. } => file.flush(),
        }
    }
}

impl Stream {
    /// Flushes, and for a file syncs it and renames it into place.
    pub fn commit(self) -> anyhow::Result<()> {
        match self {
            Stream::Stdout(mut out) => Ok(out.flush()?),
            Stream::Direct { path, mut file } => file
                .flush()
                .with_context(|| format!("writing {}", path.display())),
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
