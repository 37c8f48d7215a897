//! Standard output for every verb: text written whole to a locked stdout, where a reader that has gone
//! away (`kiosk-provision detect | head -1`) ends the output quietly instead of panicking as `println!` does.
//! Must not do: hide any other write error, or write to standard error (messages stay with the verbs).
//!
//! Rust ignores SIGPIPE, so a write to a closed pipe returns `ErrorKind::BrokenPipe`, and `println!` panics on
//! it ("failed printing to stdout"). A verb builds its text (`writeln!` into a `String`) and ends with
//! `return out::emit(&text)`; `write_quietly` does the same into any writer.

use std::io::{self, Write};
use std::process::ExitCode;

/// Writes `text` to standard output and flushes it: `ExitCode::SUCCESS` when written or when the reader has gone
/// (a closed pipe is the reader's choice, not a failure); `ExitCode::FAILURE` with a message on standard error for
/// any other write error (a full disk behind `>`).
pub fn emit(text: &str) -> ExitCode {
    finish(write_quietly(io::stdout().lock(), text))
}

/// Writes `text` to `writer` and flushes it. `Ok(true)`: all written; `Ok(false)`: the reader had gone
/// (BrokenPipe), so the rest was dropped; `Err`: any other error.
pub fn write_quietly(mut writer: impl Write, text: &str) -> io::Result<bool> {
    match writer.write_all(text.as_bytes()).and_then(|()| writer.flush()) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(false),
        Err(error) => Err(error),
    }
}

fn finish(written: io::Result<bool>) -> ExitCode {
    match written {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kiosk-provision: writing to standard output: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that has gone: every write fails as a closed pipe does.
    struct ClosedPipe;

    impl Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    struct FullDisk;

    impl Write for FullDisk {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::StorageFull))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_ends_the_output_quietly() {
        assert!(!write_quietly(ClosedPipe, "Receipt printers\n").expect("a closed pipe is no error"));
    }

    #[test]
    fn text_is_written_whole() {
        let mut buffer = Vec::new();
        assert!(write_quietly(&mut buffer, "one\ntwo\n").expect("written"));
        assert_eq!(buffer, b"one\ntwo\n");
    }

    #[test]
    fn other_write_errors_are_errors() {
        let error = write_quietly(FullDisk, "x").expect_err("a full disk is reported");
        assert_eq!(error.kind(), io::ErrorKind::StorageFull);
        assert_eq!(finish(Err(error)), ExitCode::FAILURE);
        assert_eq!(finish(Ok(false)), ExitCode::SUCCESS);
    }
}
