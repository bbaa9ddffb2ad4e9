//! Writing a command's result to stdout.

use std::io::Write;

use super::Failure;

/// Writes to stdout; a closed pipe (`| head`) ends output quietly.
pub fn emit(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::usage(format!("stdout: {e}"))),
    }
}
