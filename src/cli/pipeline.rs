//! Batch work over lines: read lines, process them on every core, write the results in
//! input order, in constant memory.
//!
//! The reader cuts the input into chunks of lines; worker threads turn each chunk into
//! output bytes; a writer puts the chunks back in order. The channels between them are
//! bounded, so at most a few chunks per worker are in memory at once whatever the size
//! of the input. A write error ends the run: a closed pipe (`| head`) is reported in
//! [`Totals::output_closed`], any other failure as [`Error::Write`].

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, BufRead, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

/// The longest input line kept; a longer one reaches the processor as
/// [`Line::TooLong`] and is skipped without being held in memory.
pub const MAX_LINE: usize = 2 << 20;

/// Lines per chunk: large enough that passing chunks between threads costs nothing
/// next to the work, small enough to keep memory low.
const CHUNK_LINES: usize = 512;

/// One input line, as the processor sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<'a> {
    /// The line's bytes, without the line ending (`\n` or `\r\n`; a `\r` not followed
    /// by `\n` is part of the line).
    Text(&'a [u8]),
    /// The line was longer than [`MAX_LINE`].
    TooLong,
}

/// What processing one line came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineOutcome {
    /// It succeeded.
    Ok,
    /// It succeeded, but with a warning (a ticket valid but expiring soon).
    Warned,
    /// It failed.
    Failed,
    /// It was not an item at all (a header line): not counted.
    Skipped,
    /// The line was blank (empty or only white space): skipped, counted in
    /// [`Totals::blank`].
    Blank,
}

/// How many lines came to each outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Lines that succeeded.
    pub ok: u64,
    /// Lines that succeeded with a warning.
    pub warned: u64,
    /// Lines that failed.
    pub failed: u64,
    /// Blank lines skipped.
    pub blank: u64,
    /// Whether the run stopped early because the output was a closed pipe: the output
    /// was cut short, the input not all processed, and the counts cover only what was
    /// written. A caller must not report such a run as a success.
    pub output_closed: bool,
}

impl Totals {
    fn add(&mut self, other: &Totals) {
        self.ok += other.ok;
        self.warned += other.warned;
        self.failed += other.failed;
        self.blank += other.blank;
    }

    fn count(&mut self, outcome: LineOutcome) {
        match outcome {
            LineOutcome::Ok => self.ok += 1,
            LineOutcome::Warned => self.warned += 1,
            LineOutcome::Failed => self.failed += 1,
            LineOutcome::Blank => self.blank += 1,
            LineOutcome::Skipped => {}
        }
    }
}

/// Progress, readable from another thread while a run goes on (for a progress bar).
#[derive(Debug, Default)]
pub struct Progress {
    /// Lines written so far.
    pub lines: AtomicU64,
    /// Input bytes read so far.
    pub bytes: AtomicU64,
}

/// Why a run stopped before the end of its input (a closed output pipe is not an error:
/// see [`Totals::output_closed`]).
#[derive(Debug)]
pub enum Error {
    /// The input could not be read.
    Read(io::Error),
    /// The output could not be written (other than a closed pipe).
    Write(io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Read(e) => write!(f, "cannot read standard input: {e}"),
            Error::Write(e) => write!(f, "cannot write to standard output: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Read(e) | Error::Write(e) => Some(e),
        }
    }
}

/// A chunk of input lines: the bytes, and where each line ends (`None`: too long).
struct Chunk {
    seq: u64,
    first_line: u64,
    bytes: Vec<u8>,
    lines: Vec<Option<(usize, usize)>>,
    input_bytes: u64,
}

/// A processed chunk.
struct Done {
    seq: u64,
    out: Vec<u8>,
    totals: Totals,
    lines: u64,
    input_bytes: u64,
}

/// Process every line of `input` with `process` on `jobs` threads and write what it
/// writes, in input order, to `output`. `process` gets the 1-based line number, the
/// line, and the buffer to append its output to.
///
/// A write error ends the run: a closed pipe gives totals with
/// [`Totals::output_closed`] set, any other failure [`Error::Write`]. A read error gives
/// [`Error::Read`] (a write error, which stops the reading, takes precedence).
pub fn run<R, W, F>(
    input: R,
    output: W,
    jobs: usize,
    progress: &Progress,
    process: F,
) -> Result<Totals, Error>
where
    R: BufRead,
    W: Write + Send,
    F: Fn(u64, Line<'_>, &mut Vec<u8>) -> LineOutcome + Sync,
{
    let jobs = jobs.max(1);
    let stop = AtomicBool::new(false);
    let (chunk_tx, chunk_rx) = sync_channel::<Chunk>(jobs * 2);
    let (done_tx, done_rx) = sync_channel::<Done>(jobs * 2);
    let chunk_rx = Arc::new(Mutex::new(chunk_rx));
    std::thread::scope(|scope| {
        let writer = scope.spawn(|| write_in_order(output, done_rx, progress, &stop));
        for _ in 0..jobs {
            let rx = Arc::clone(&chunk_rx);
            let tx = done_tx.clone();
            let process = &process;
            scope.spawn(move || work(&rx, &tx, process));
        }
        drop(done_tx);
        let read = read_chunks(input, &chunk_tx, &stop);
        drop(chunk_tx);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("writer panicked")))
            .map_err(Error::Write)?;
        read.map_err(Error::Read)?;
        Ok(written)
    })
}

/// Cut the input into chunks and send them, until the input ends or `stop` is set.
fn read_chunks<R: BufRead>(
    mut input: R,
    tx: &SyncSender<Chunk>,
    stop: &AtomicBool,
) -> io::Result<()> {
    let mut seq = 0;
    let mut line_no = 1;
    loop {
        let mut chunk = Chunk {
            seq,
            first_line: line_no,
            bytes: Vec::new(),
            lines: Vec::with_capacity(CHUNK_LINES),
            input_bytes: 0,
        };
        let mut at_end = false;
        while chunk.lines.len() < CHUNK_LINES {
            let start = chunk.bytes.len();
            match read_line(&mut input, &mut chunk.bytes)? {
                None => {
                    at_end = true;
                    break;
                }
                Some((consumed, fits, newline)) => {
                    chunk.input_bytes += consumed;
                    if fits {
                        let mut end = chunk.bytes.len();
                        // `\r\n` is a line ending; a `\r` without `\n` is data.
                        if newline && chunk.bytes[start..end].ends_with(b"\r") {
                            end -= 1;
                        }
                        chunk.lines.push(Some((start, end)));
                    } else {
                        chunk.bytes.truncate(start);
                        chunk.lines.push(None);
                    }
                }
            }
        }
        line_no += chunk.lines.len() as u64;
        if !chunk.lines.is_empty() && (stop.load(Ordering::Relaxed) || tx.send(chunk).is_err()) {
            return Ok(());
        }
        if at_end || stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        seq += 1;
    }
}

/// Read one line (without its `\n`) onto `buf`. Returns the bytes consumed, whether
/// the line fitted in [`MAX_LINE`] (if not, what was read of it is left on `buf` for the
/// caller to drop, and the rest is skipped unread into memory) and whether it ended with
/// `\n` (not at the end of the input); `None` at the end.
fn read_line<R: BufRead>(
    input: &mut R,
    buf: &mut Vec<u8>,
) -> io::Result<Option<(u64, bool, bool)>> {
    let start = buf.len();
    let mut consumed = 0u64;
    let mut fits = true;
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((consumed > 0).then_some((consumed, fits, false)));
        }
        let (piece, newline) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], true),
            None => (available, false),
        };
        if fits && buf.len() - start + piece.len() <= MAX_LINE {
            buf.extend_from_slice(piece);
        } else {
            fits = false;
        }
        let used = piece.len() + usize::from(newline);
        consumed += used as u64;
        input.consume(used);
        if newline {
            return Ok(Some((consumed, fits, true)));
        }
    }
}

/// A worker: process chunks until there are no more.
fn work<F>(rx: &Mutex<Receiver<Chunk>>, tx: &SyncSender<Done>, process: &F)
where
    F: Fn(u64, Line<'_>, &mut Vec<u8>) -> LineOutcome + Sync,
{
    loop {
        let chunk = match rx.lock() {
            Ok(rx) => match rx.recv() {
                Ok(chunk) => chunk,
                Err(_) => return,
            },
            Err(_) => return,
        };
        let mut out = Vec::with_capacity(chunk.lines.len() * 256);
        let mut totals = Totals::default();
        for (i, span) in chunk.lines.iter().enumerate() {
            let line = match span {
                Some((a, b)) => Line::Text(&chunk.bytes[*a..*b]),
                None => Line::TooLong,
            };
            totals.count(process(chunk.first_line + i as u64, line, &mut out));
        }
        let done = Done {
            seq: chunk.seq,
            out,
            totals,
            lines: chunk.lines.len() as u64,
            input_bytes: chunk.input_bytes,
        };
        if tx.send(done).is_err() {
            return;
        }
    }
}

/// The writer: put processed chunks back in order and write them.
fn write_in_order<W: Write>(
    mut output: W,
    rx: Receiver<Done>,
    progress: &Progress,
    stop: &AtomicBool,
) -> io::Result<Totals> {
    let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
    let mut next = 0u64;
    let mut totals = Totals::default();
    let mut failure: Option<io::Error> = None;
    for done in rx {
        if failure.is_some() || totals.output_closed {
            continue; // drain, so that the workers can finish
        }
        pending.insert(done.seq, done);
        while let Some(done) = pending.remove(&next) {
            next += 1;
            if let Err(e) = output.write_all(&done.out) {
                stop.store(true, Ordering::Relaxed);
                if e.kind() == io::ErrorKind::BrokenPipe {
                    totals.output_closed = true;
                } else {
                    failure = Some(e);
                }
                pending.clear();
                break;
            }
            totals.add(&done.totals);
            progress.lines.fetch_add(done.lines, Ordering::Relaxed);
            progress
                .bytes
                .fetch_add(done.input_bytes, Ordering::Relaxed);
        }
    }
    if let Some(e) = failure {
        return Err(e);
    }
    if !totals.output_closed
        && let Err(e) = output.flush()
    {
        if e.kind() == io::ErrorKind::BrokenPipe {
            totals.output_closed = true;
        } else {
            return Err(e);
        }
    }
    Ok(totals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_lines_come_out_in_input_order() {
        let input = b"a\nbb\nccc\n";
        let mut out = Vec::new();
        let totals = run(
            &input[..],
            &mut out,
            2,
            &Progress::default(),
            |n, line, buf| {
                if let Line::Text(t) = line {
                    buf.extend_from_slice(format!("{n}:{}\n", t.len()).as_bytes());
                }
                LineOutcome::Ok
            },
        )
        .unwrap();
        assert_eq!(out, b"1:1\n2:2\n3:3\n");
        assert_eq!(totals.ok, 3);
    }

    fn numbered(input: &[u8], jobs: usize) -> (Vec<u8>, Totals) {
        let mut out = Vec::new();
        let totals = run(
            input,
            &mut out,
            jobs,
            &Progress::default(),
            |n, line, buf| match line {
                Line::Text(t) => {
                    buf.extend_from_slice(format!("{n}:").as_bytes());
                    buf.extend_from_slice(t);
                    buf.push(b'\n');
                    LineOutcome::Ok
                }
                Line::TooLong => {
                    buf.extend_from_slice(format!("{n}:too long\n").as_bytes());
                    LineOutcome::Failed
                }
            },
        )
        .unwrap();
        (out, totals)
    }

    #[test]
    fn order_is_kept_under_every_job_count() {
        let input: String = (0..5000).map(|i| format!("line{i}\n")).collect();
        let want: String = (0..5000).map(|i| format!("{}:line{i}\n", i + 1)).collect();
        for jobs in [1, 2, 3, 8] {
            let (out, totals) = numbered(input.as_bytes(), jobs);
            assert_eq!(String::from_utf8(out).unwrap(), want, "jobs {jobs}");
            assert_eq!(totals.ok, 5000);
        }
    }

    #[test]
    fn line_endings_and_the_last_line() {
        let (out, _) = numbered(b"a\r\nb\n\nc", 2);
        assert_eq!(out, b"1:a\n2:b\n3:\n4:c\n");
        // Only `\r\n` is a line ending: a lone `\r`, or two before the `\n`, is data.
        let (out, _) = numbered(b"a\rb\nc\r\r\nd\r", 1);
        assert_eq!(out, b"1:a\rb\n2:c\r\n3:d\r\n");
        let (out, totals) = numbered(b"", 2);
        assert_eq!((out.len(), totals.ok), (0, 0));
    }

    #[test]
    fn an_overlong_line_is_skipped_not_kept() {
        let mut input = b"first\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_LINE + 10));
        input.extend_from_slice(b"\nlast\n");
        let (out, totals) = numbered(&input, 2);
        assert_eq!(out, b"1:first\n2:too long\n3:last\n");
        assert_eq!((totals.ok, totals.failed), (2, 1));
    }

    /// A writer that takes a few bytes and then reports a closed pipe.
    struct ClosedAfter(usize);

    impl Write for ClosedAfter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.0 == 0 {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            let n = buf.len().min(self.0);
            self.0 -= n;
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_output_ends_the_run_quietly() {
        let input: String = (0..100_000).map(|i| format!("{i}\n")).collect();
        let totals = run(
            input.as_bytes(),
            ClosedAfter(10),
            2,
            &Progress::default(),
            |_, _, buf| {
                buf.extend_from_slice(b"0123456789\n");
                LineOutcome::Ok
            },
        )
        .unwrap();
        assert!(totals.output_closed);
        assert!(totals.ok < 100_000);
    }

    /// A writer that fails with a full disk.
    struct Full;

    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from_raw_os_error(28))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A reader that gives some lines and then fails.
    struct FailingReader(&'static [u8]);

    impl io::Read for FailingReader {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::from_raw_os_error(5));
            }
            let n = buf.len().min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_failed_write_or_read_is_an_error_that_says_which() {
        let input: String = (0..10_000).map(|i| format!("{i}\n")).collect();
        let echo = |_: u64, _: Line<'_>, buf: &mut Vec<u8>| {
            buf.extend_from_slice(b"x\n");
            LineOutcome::Ok
        };
        for jobs in [1, 3] {
            let e = run(input.as_bytes(), Full, jobs, &Progress::default(), echo).unwrap_err();
            assert!(
                matches!(&e, Error::Write(io) if io.raw_os_error() == Some(28)),
                "{e:?}"
            );
            assert!(
                e.to_string()
                    .starts_with("cannot write to standard output: ")
            );
            let reader = io::BufReader::new(FailingReader(b"a\nb\n"));
            let e = run(reader, Vec::new(), jobs, &Progress::default(), echo).unwrap_err();
            assert!(
                matches!(&e, Error::Read(io) if io.raw_os_error() == Some(5)),
                "{e:?}"
            );
            assert!(e.to_string().starts_with("cannot read standard input: "));
        }
    }

    #[test]
    fn blank_lines_are_counted_apart() {
        let mut out = Vec::new();
        let totals = run(
            &b"a\n\n  \nb\n\t\r\n"[..],
            &mut out,
            2,
            &Progress::default(),
            |_, line, _| match line {
                Line::Text(t) if t.iter().all(u8::is_ascii_whitespace) => LineOutcome::Blank,
                _ => LineOutcome::Ok,
            },
        )
        .unwrap();
        assert_eq!((totals.ok, totals.blank, totals.failed), (2, 3, 0));
    }
}
