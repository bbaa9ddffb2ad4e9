//! Outputs the user names with `-o`, and stdout: a file is written
//! atomically (a temporary file renamed over it), but a device or a pipe
//! (`-o /dev/null`, `-o /dev/stdout`, a FIFO a consumer reads) is written
//! into: renaming over it would put a regular file in its place
//! (`/dev/null` among them, for every program on the machine). Streamed
//! into, as stdout is, the output is still made in full first, in an
//! unnamed temporary file, so a reader never gets half of it.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::store::{AtomicFile, without_temp_path};

/// Whether `path` (followed through links) is there and neither a regular
/// file nor a folder: a device, a FIFO or a socket, written into, not
/// replaced.
pub fn is_stream(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// An output being written.
pub enum OutputFile {
    /// A temporary file beside the path, renamed over it at the end.
    Replace(AtomicFile),
    /// An unnamed temporary file, copied into a device, a pipe or stdout at
    /// the end.
    Stream { into: Stream, spool: File },
}

/// Where a spooled output goes.
pub enum Stream {
    Path(PathBuf),
    Stdout,
}

impl Stream {
    /// How messages name it.
    fn name(&self) -> &Path {
        match self {
            Stream::Path(path) => path,
            Stream::Stdout => Path::new("stdout"),
        }
    }
}

impl OutputFile {
    /// An output to `path`: replaced if it is a file (or nothing), written
    /// into if it is a device or a pipe.
    pub fn create(path: &Path) -> Result<OutputFile> {
        if is_stream(path) {
            return OutputFile::spooled(Stream::Path(path.to_path_buf()));
        }
        Ok(OutputFile::Replace(AtomicFile::create(path)?))
    }

    /// An output to stdout.
    pub fn stdout() -> Result<OutputFile> {
        OutputFile::spooled(Stream::Stdout)
    }

    fn spooled(into: Stream) -> Result<OutputFile> {
        let spool = tempfile::tempfile().map_err(|e| spool_failed(into.name(), e))?;
        Ok(OutputFile::Stream { into, spool })
    }

    /// Where to write the output.
    pub fn file(&mut self) -> &mut File {
        match self {
            OutputFile::Replace(atomic) => atomic.file(),
            OutputFile::Stream { spool, .. } => spool,
        }
    }

    /// An error in writing to [`OutputFile::file`], naming the output (and
    /// the temporary file it is made in, where that is what failed).
    pub fn write_failed(&self, e: std::io::Error) -> Error {
        match self {
            OutputFile::Replace(atomic) => Error::io(atomic.path(), without_temp_path(e)),
            OutputFile::Stream { into, .. } => spool_failed(into.name(), e),
        }
    }

    /// Puts the output written in full in place: renamed over the file, or
    /// copied into the device, pipe or stdout.
    pub fn commit(self) -> Result<()> {
        match self {
            OutputFile::Replace(atomic) => atomic.commit(),
            OutputFile::Stream { into, mut spool } => {
                spool
                    .seek(SeekFrom::Start(0))
                    .map_err(|e| spool_failed(into.name(), e))?;
                let copied = match &into {
                    Stream::Path(path) => {
                        let mut out = open_stream(path)?;
                        std::io::copy(&mut spool, &mut out).and_then(|_| out.flush())
                    }
                    Stream::Stdout => {
                        let mut out = std::io::stdout().lock();
                        std::io::copy(&mut spool, &mut out).and_then(|_| out.flush())
                    }
                };
                copied.map_err(|e| Error::io(into.name(), e))
            }
        }
    }
}

/// Writes `bytes` to `path`: atomically to a file, into a device or pipe.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<()> {
    if !is_stream(path) {
        return crate::store::write_atomic(path, bytes);
    }
    open_stream(path)?
        .write_all(bytes)
        .map_err(|e| Error::io(path, e))
}

/// Opens a device or pipe for writing, as a shell's `>` does.
fn open_stream(path: &Path) -> Result<File> {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| Error::io(path, e))
}

fn spool_failed(path: &Path, e: std::io::Error) -> Error {
    Error::invalid(
        path,
        format!(
            "the temporary file it is made in first: {}",
            without_temp_path(e)
        ),
    )
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::io::Read;

    /// A FIFO in a fresh folder, read on another thread.
    fn fifo_read_by_a_thread(
        dir: &Path,
    ) -> (PathBuf, std::thread::JoinHandle<std::io::Result<Vec<u8>>>) {
        let fifo = dir.join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let path = fifo.clone();
        let reader = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            File::open(&path)?.read_to_end(&mut bytes)?;
            Ok(bytes)
        });
        (fifo, reader)
    }

    fn is_fifo(path: &Path) -> bool {
        use std::os::unix::fs::FileTypeExt;
        std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_fifo())
    }

    #[test]
    fn a_pipe_named_as_the_output_is_written_into_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let (fifo, reader) = fifo_read_by_a_thread(dir.path());
        let mut out = OutputFile::create(&fifo).unwrap();
        out.file().write_all(b"{\"text\": \"a\"}\n").unwrap();
        out.commit().unwrap();
        assert_eq!(reader.join().unwrap().unwrap(), b"{\"text\": \"a\"}\n");
        assert!(is_fifo(&fifo), "the pipe was replaced by a file");
        // Nothing was left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn bytes_for_a_pipe_go_into_it_and_a_file_is_still_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let (fifo, reader) = fifo_read_by_a_thread(dir.path());
        write_output(&fifo, b"stats\n").unwrap();
        assert_eq!(reader.join().unwrap().unwrap(), b"stats\n");
        assert!(is_fifo(&fifo));
        let file = dir.path().join("out.json");
        std::fs::write(&file, "old, longer than the new").unwrap();
        write_output(&file, b"new").unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"new");
        assert!(!is_stream(&file) && !is_stream(&dir.path().join("none")));
    }
}
