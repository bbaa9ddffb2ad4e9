//! The one way claimtag reads a file from the user's disk (sidecars, sources,
//! scheme, config, import inputs): only regular files, opened without blocking
//! and read up to a cap. A FIFO, a device (`/dev/zero` behind a symlink a git
//! checkout may hold), a directory or a socket is a one-line error at once,
//! never a hang or an unbounded read.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// Scheme files larger than this are refused before parsing.
pub const MAX_SCHEME_BYTES: u64 = 4 * 1024 * 1024;
/// Config files larger than this are refused before parsing.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;
/// Source articles larger than this are refused (a 50 MB article is normal).
pub const MAX_SOURCE_BYTES: u64 = 1024 * 1024 * 1024;

/// Opens `path` for reading without blocking (a FIFO with no writer would
/// otherwise wait forever in `open`) and checks, on the opened file itself,
/// that it is a regular file.
pub fn open_regular(path: &Path) -> Result<(File, Metadata)> {
    let file = open_for_reading(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(Error::NotRegular {
            path: path.to_path_buf(),
            what: kind_of(&meta),
        });
    }
    Ok((file, meta))
}

/// Opens without blocking and, where the file is ours, without updating
/// its access time: the first read of each file of a fresh checkout or
/// copy otherwise dirtied its inode, for the disk to write back (some 7%
/// of import's planning). Linux lets only the owner ask; for anyone else's
/// file it is opened as usual.
fn open_for_reading(path: &Path) -> std::io::Result<File> {
    let open = |flags: i32| {
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NONBLOCK | flags);
        }
        #[cfg(not(unix))]
        let _ = flags;
        options.open(path)
    };
    #[cfg(target_os = "linux")]
    match open(libc::O_NOATIME) {
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => {}
        opened => return opened,
    }
    open(0)
}

/// Reads a regular file of at most `limit` bytes. The cap holds even when the
/// file grows while being read.
pub fn read_capped(path: &Path, limit: u64) -> Result<(Vec<u8>, Metadata)> {
    let (file, meta) = open_regular(path)?;
    if meta.len() > limit {
        return Err(too_large(path, meta.len(), limit));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(path, bytes.len() as u64, limit));
    }
    Ok((bytes, meta))
}

/// Calls `each(line_number, line)` for each line of a regular UTF-8 text
/// file of at most `limit` bytes, holding one line at a time (line ends
/// `\n` or `\r\n`, as `str::lines`). Invalid UTF-8 is an error with its
/// byte offset, as [`read_text_capped`] gives, after the lines before it.
pub fn for_each_line_capped(
    path: &Path,
    limit: u64,
    mut each: impl FnMut(usize, &str),
) -> Result<()> {
    use std::io::BufRead;
    let (file, meta) = open_regular(path)?;
    if meta.len() > limit {
        return Err(too_large(path, meta.len(), limit));
    }
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file.take(limit.saturating_add(1)));
    let (mut line, mut offset, mut number) = (Vec::new(), 0u64, 0usize);
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::io(path, e))?;
        if n == 0 {
            return Ok(());
        }
        if offset + n as u64 > limit {
            return Err(too_large(path, offset + n as u64, limit));
        }
        let text = std::str::from_utf8(&line).map_err(|e| Error::NotUtf8 {
            path: path.to_path_buf(),
            offset: offset as usize + e.valid_up_to(),
        })?;
        number += 1;
        let text = text.strip_suffix('\n').unwrap_or(text);
        each(number, text.strip_suffix('\r').unwrap_or(text));
        offset += n as u64;
    }
}

/// Reads a regular UTF-8 text file of at most `limit` bytes; invalid UTF-8 is
/// an error with its byte offset.
pub fn read_text_capped(path: &Path, limit: u64) -> Result<(String, Metadata)> {
    let (bytes, meta) = read_capped(path, limit)?;
    let text = String::from_utf8(bytes).map_err(|e| Error::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    Ok((text, meta))
}

/// Reads at most the first `max` bytes of a regular file.
pub fn read_prefix(path: &Path, max: u64) -> Result<Vec<u8>> {
    let (file, _) = open_regular(path)?;
    let mut buf = Vec::new();
    file.take(max)
        .read_to_end(&mut buf)
        .map_err(|e| Error::io(path, e))?;
    Ok(buf)
}

fn too_large(path: &Path, size: u64, limit: u64) -> Error {
    Error::TooLarge {
        path: path.to_path_buf(),
        size,
        limit,
    }
}

/// What a non-regular file is, in words for an error message.
pub fn kind_of(meta: &Metadata) -> &'static str {
    let ft = meta.file_type();
    if ft.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// Where the filesystem keeps access times (relatime updates one over
    /// a day old), reading our own file leaves it as it was.
    #[cfg(target_os = "linux")]
    #[test]
    fn reading_leaves_the_access_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "hello").unwrap();
        let two_days_ago = std::time::SystemTime::now() - Duration::from_secs(2 * 86_400);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_times(std::fs::FileTimes::new().set_accessed(two_days_ago))
            .unwrap();
        let (bytes, _) = read_capped(&path, 100).unwrap();
        assert_eq!(bytes, b"hello");
        let accessed = std::fs::metadata(&path).unwrap().accessed().unwrap();
        assert_eq!(accessed, two_days_ago);
    }

    #[test]
    fn lines_are_read_one_at_a_time_as_str_lines_splits_them() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in.jsonl");
        let text = "one\r\ntwo\n\nthree";
        std::fs::write(&p, text).unwrap();
        let mut got = Vec::new();
        for_each_line_capped(&p, 100, |n, l| got.push((n, l.to_string()))).unwrap();
        let want: Vec<(usize, String)> = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.to_string()))
            .collect();
        assert_eq!(got, want);
        // Bad UTF-8 on the second line: its byte offset in the file, after
        // the first line was handed on.
        std::fs::write(&p, b"ok\nb\xffd\n").unwrap();
        let mut seen = 0;
        let e = for_each_line_capped(&p, 100, |_, _| seen += 1).unwrap_err();
        assert_eq!(seen, 1);
        assert!(matches!(e, Error::NotUtf8 { offset: 4, .. }), "{e}");
        assert!(
            for_each_line_capped(&p, 3, |_, _| {}).is_err(),
            "over the cap"
        );
    }

    #[test]
    fn reads_a_regular_file_under_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.yaml");
        std::fs::write(&p, "abc").unwrap();
        assert_eq!(read_capped(&p, 3).unwrap().0, b"abc");
        let e = read_capped(&p, 2).unwrap_err().to_string();
        assert!(e.ends_with("3 bytes is over the limit of 2 bytes"), "{e}");
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_capped(dir.path(), 10).unwrap_err().to_string();
        assert!(e.ends_with("is a directory, not a regular file"), "{e}");
    }

    #[test]
    fn invalid_utf8_gives_the_byte_offset() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.yaml");
        std::fs::write(&p, b"labels: \xff\n").unwrap();
        let e = read_text_capped(&p, 100).unwrap_err().to_string();
        assert!(e.ends_with("not valid UTF-8 at byte offset 8"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.yaml");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&p)
                .status()
                .unwrap()
                .success()
        );
        let t = Instant::now();
        let e = read_capped(&p, 10).unwrap_err().to_string();
        assert!(t.elapsed() < Duration::from_secs(1));
        assert!(e.ends_with("is a FIFO, not a regular file"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_to_dev_zero_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("z.yaml");
        std::os::unix::fs::symlink("/dev/zero", &p).unwrap();
        let t = Instant::now();
        let e = read_capped(&p, u64::MAX).unwrap_err().to_string();
        assert!(t.elapsed() < Duration::from_secs(1));
        assert!(
            e.ends_with("is a character device, not a regular file"),
            "{e}"
        );
        assert!(read_prefix(&p, 10).is_err());
    }
}
