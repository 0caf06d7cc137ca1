//! Batch work over lines: read lines, process them on every core, write the results in
//! input order, in constant memory.
//!
//! Worker threads take turns at the input to read a chunk of lines, turn it into output
//! bytes, and take turns at the output to write the chunks back in input order. A worker
//! waits when it has got a few chunks ahead of the slowest, so at most a few chunks per
//! worker are in memory at once whatever the size of the input. A write error ends the
//! run: a closed pipe (`| head`) is reported in [`Totals::output_closed`], any other
//! failure as [`Error::Write`].

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, BufRead, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// The longest input line kept; a longer one reaches the processor as
/// [`Line::TooLong`] and is skipped without being held in memory.
pub const MAX_LINE: usize = 2 << 20;

/// Lines per chunk: large enough that taking turns at the input and output costs nothing
/// next to the work, small enough to keep memory low and the workers' last chunks even.
const CHUNK_LINES: usize = 512;

/// Input bytes per chunk, at most (but for one line): long lines make short chunks, so
/// memory stays bounded by the number of chunks whatever the lines.
const CHUNK_BYTES: usize = 256 << 10;

/// The largest output buffer a worker keeps for reuse; a larger one (long lines) is
/// freed.
const MAX_SPARE: usize = 4 << 20;

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

/// A chunk of input lines: the bytes, and where each line ends (`None`: too long). A
/// worker keeps one and refills it, so its buffers are reused.
#[derive(Default)]
struct Chunk {
    bytes: Vec<u8>,
    lines: Vec<Option<(usize, usize)>>,
    input_bytes: u64,
}

impl Chunk {
    /// Whether the chunk has taken as many lines, or bytes, as a chunk holds.
    fn is_full(&self) -> bool {
        self.lines.len() >= CHUNK_LINES || self.bytes.len() >= CHUNK_BYTES
    }
}

/// A processed chunk waiting for the chunks before it to be written.
struct Done {
    out: Vec<u8>,
    totals: Totals,
    lines: u64,
    input_bytes: u64,
}

/// The input side, taken by one worker at a time to read its next chunk.
struct Input<R> {
    reader: R,
    /// The number of the next chunk.
    seq: u64,
    /// The number of the next chunk's first line, from 1.
    line_no: u64,
    /// No more chunks: the input ended or could not be read.
    done: bool,
    error: Option<io::Error>,
}

/// The output side's bookkeeping (the writer itself is apart, so that writing, which
/// can block, never holds it).
struct Output {
    /// Whether a worker is writing: it writes every chunk that becomes ready meanwhile.
    writing: bool,
    /// The number of the next chunk to write.
    next: u64,
    /// Processed chunks waiting for an earlier one.
    pending: BTreeMap<u64, Done>,
    totals: Totals,
    failure: Option<io::Error>,
    /// Written chunks' output buffers, for the workers to reuse.
    spare: Vec<Vec<u8>>,
}

/// What the workers share.
struct Shared<R, W> {
    input: Mutex<Input<R>>,
    output: Mutex<Output>,
    /// Taken only by the worker that set [`Output::writing`].
    sink: Mutex<W>,
    /// Signalled when chunks are written (room in `pending`) or the run stops.
    written: Condvar,
    /// Set when the output fails (or is a closed pipe), or a worker panics.
    stop: AtomicBool,
    /// The most processed chunks kept waiting for an earlier one: what bounds memory
    /// when one worker falls behind the others.
    max_pending: usize,
}

/// Lock a mutex, whether or not a thread panicked holding it (the panic is re-raised
/// when the threads are joined).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// [`run_with`] without a state of each worker's (the tests' form).
#[cfg(test)]
pub fn run<R, W, F>(
    input: R,
    output: W,
    jobs: usize,
    progress: &Progress,
    process: F,
) -> Result<Totals, Error>
where
    R: BufRead + Send,
    W: Write + Send,
    F: Fn(u64, Line<'_>, &mut Vec<u8>) -> LineOutcome + Sync,
{
    let process =
        |_: &mut (), line_no: u64, line: Line<'_>, out: &mut Vec<u8>| process(line_no, line, out);
    run_with(input, output, jobs, progress, || (), process)
}

/// Process every line of `input` with `process` on `jobs` threads and write what it
/// writes, in input order, to `output`. `process` gets the worker's state (made by
/// `state` as the worker starts: buffers and caches its lines reuse, such as a batch
/// verifier), the 1-based line number, the line, and the buffer to append its output to.
///
/// There is no reader or writer thread: each worker takes the input in turn to read a
/// chunk of lines and processes it; when it finishes the chunk next in order, it writes
/// that and every chunk ready after it (the others reading and processing on meanwhile).
/// No chunk is handed between threads, and nobody waits to be woken but a worker that
/// has got [`Shared::max_pending`] chunks ahead of the slowest. The calling thread is
/// one of the workers.
///
/// A write error ends the run: a closed pipe gives totals with
/// [`Totals::output_closed`] set, any other failure [`Error::Write`]. A read error gives
/// [`Error::Read`] (a write error, which stops the reading, takes precedence).
pub fn run_with<R, W, S, M, F>(
    input: R,
    output: W,
    jobs: usize,
    progress: &Progress,
    state: M,
    process: F,
) -> Result<Totals, Error>
where
    R: BufRead + Send,
    W: Write + Send,
    M: Fn() -> S + Sync,
    F: Fn(&mut S, u64, Line<'_>, &mut Vec<u8>) -> LineOutcome + Sync,
{
    let jobs = jobs.max(1);
    let shared = Shared {
        input: Mutex::new(Input {
            reader: input,
            seq: 0,
            line_no: 1,
            done: false,
            error: None,
        }),
        output: Mutex::new(Output {
            writing: false,
            next: 0,
            pending: BTreeMap::new(),
            totals: Totals::default(),
            failure: None,
            spare: Vec::new(),
        }),
        sink: Mutex::new(output),
        written: Condvar::new(),
        stop: AtomicBool::new(false),
        max_pending: max_pending(jobs),
    };
    std::thread::scope(|scope| {
        for _ in 1..jobs {
            scope.spawn(|| work(&shared, &state, &process, progress));
        }
        work(&shared, &state, &process, progress);
    });
    let input = shared.input.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut output = shared
        .output
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    let mut sink = shared.sink.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(e) = output.failure {
        return Err(Error::Write(e));
    }
    if !output.totals.output_closed
        && let Err(e) = sink.flush()
    {
        if e.kind() == io::ErrorKind::BrokenPipe {
            output.totals.output_closed = true;
        } else {
            return Err(Error::Write(e));
        }
    }
    if let Some(e) = input.error {
        return Err(Error::Read(e));
    }
    Ok(output.totals)
}

/// Stops the run if a worker panics, so that no other worker waits for the chunk it
/// held (the panic itself reaches the caller when the threads are joined).
struct PanicStop<'a> {
    stop: &'a AtomicBool,
    output: &'a Mutex<Output>,
    written: &'a Condvar,
}

impl Drop for PanicStop<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // Set under the lock the waiters test it under, so that none can test it,
            // miss the notification and then wait for ever. (The worker's own guards
            // were dropped before this one, so the lock is free to take.)
            let output = lock(self.output);
            self.stop.store(true, Ordering::SeqCst);
            drop(output);
            self.written.notify_all();
        }
    }
}

/// A worker: read a chunk, process it, write what is ready; until the input ends or the
/// run stops.
fn work<R, W, S, M, F>(shared: &Shared<R, W>, state: &M, process: &F, progress: &Progress)
where
    R: BufRead,
    W: Write,
    M: Fn() -> S + Sync,
    F: Fn(&mut S, u64, Line<'_>, &mut Vec<u8>) -> LineOutcome + Sync,
{
    let _guard = PanicStop {
        stop: &shared.stop,
        output: &shared.output,
        written: &shared.written,
    };
    let mut chunk = Chunk::default();
    let mut state = state();
    loop {
        // Room to get ahead: the chunk next in order is always being processed by a
        // worker that does not wait here, so the wait ends.
        let mut out = {
            let mut output = lock(&shared.output);
            while output.pending.len() >= shared.max_pending && !shared.stop.load(Ordering::SeqCst)
            {
                output = shared
                    .written
                    .wait(output)
                    .unwrap_or_else(|e| e.into_inner());
            }
            output.spare.pop().unwrap_or_default()
        };
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let (seq, first_line) = {
            let mut input = lock(&shared.input);
            if input.done {
                return;
            }
            match read_chunk(&mut input.reader, &mut chunk) {
                Ok(at_end) => input.done = at_end,
                Err(e) => {
                    // The lines read before the error are still processed and written.
                    input.error = Some(e);
                    input.done = true;
                }
            }
            if chunk.lines.is_empty() {
                return;
            }
            let at = (input.seq, input.line_no);
            input.seq += 1;
            input.line_no += chunk.lines.len() as u64;
            at
        };
        out.clear();
        let mut totals = Totals::default();
        for (i, span) in chunk.lines.iter().enumerate() {
            let line = match span {
                Some((a, b)) => Line::Text(&chunk.bytes[*a..*b]),
                None => Line::TooLong,
            };
            totals.count(process(&mut state, first_line + i as u64, line, &mut out));
        }
        let done = Done {
            out,
            totals,
            lines: chunk.lines.len() as u64,
            input_bytes: chunk.input_bytes,
        };
        let mut output = lock(&shared.output);
        if output.failure.is_some() || output.totals.output_closed {
            return;
        }
        output.pending.insert(seq, done);
        if output.writing {
            continue; // the worker writing takes it
        }
        output.writing = true;
        let mut ready = Vec::new();
        loop {
            loop {
                let next = output.next;
                let Some(done) = output.pending.remove(&next) else {
                    break;
                };
                output.next += 1;
                ready.push(done);
            }
            if ready.is_empty() || shared.stop.load(Ordering::SeqCst) {
                output.writing = false;
                break;
            }
            // Room in `pending`: the others read on while this worker writes.
            drop(output);
            shared.written.notify_all();
            let mut failure = None;
            let written = {
                let mut sink = lock(&shared.sink);
                ready
                    .iter()
                    .take_while(|done| match sink.write_all(&done.out) {
                        Ok(()) => true,
                        Err(e) => {
                            failure = Some(e);
                            false
                        }
                    })
                    .count()
            };
            output = lock(&shared.output);
            for done in ready.drain(..).take(written) {
                output.totals.add(&done.totals);
                progress.lines.fetch_add(done.lines, Ordering::Relaxed);
                progress
                    .bytes
                    .fetch_add(done.input_bytes, Ordering::Relaxed);
                if output.spare.len() < shared.max_pending && done.out.capacity() <= MAX_SPARE {
                    output.spare.push(done.out);
                }
            }
            ready.clear();
            if let Some(e) = failure {
                shared.stop.store(true, Ordering::SeqCst);
                if e.kind() == io::ErrorKind::BrokenPipe {
                    output.totals.output_closed = true;
                } else {
                    output.failure = Some(e);
                }
                output.pending.clear();
            }
        }
        drop(output);
        shared.written.notify_all();
    }
}

/// The most processed chunks kept waiting for an earlier one, for `jobs` workers.
fn max_pending(jobs: usize) -> usize {
    jobs * 2 + 2
}

/// Refill `chunk` with the next lines of `input`, until it is full or the input ends.
/// Returns whether the input ended. A line longer than [`MAX_LINE`] is skipped unread
/// into memory (its span is `None`); only `\n` and `\r\n` end a line.
fn read_chunk<R: BufRead>(input: &mut R, chunk: &mut Chunk) -> io::Result<bool> {
    chunk.bytes.clear();
    chunk.lines.clear();
    chunk.input_bytes = 0;
    // The line being read: where it starts in `chunk.bytes`, whether it still fits, and
    // whether any of it has been read.
    let mut start = 0;
    let mut fits = true;
    let mut begun = false;
    loop {
        let available = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            if begun {
                end_line(chunk, start, fits, false);
            }
            return Ok(true);
        }
        let mut used = 0;
        let mut full = false;
        while used < available.len() {
            let rest = &available[used..];
            let (piece, newline) = match find_newline(rest) {
                Some(i) => (&rest[..i], true),
                None => (rest, false),
            };
            if fits && chunk.bytes.len() - start + piece.len() <= MAX_LINE {
                chunk.bytes.extend_from_slice(piece);
            } else {
                fits = false;
            }
            used += piece.len() + usize::from(newline);
            if !newline {
                begun = true;
                break;
            }
            end_line(chunk, start, fits, true);
            (start, fits, begun) = (chunk.bytes.len(), true, false);
            if chunk.is_full() {
                full = true;
                break;
            }
        }
        chunk.input_bytes += used as u64;
        input.consume(used);
        if full {
            return Ok(false);
        }
    }
}

/// The offset of the first `\n` in `bytes`: eight bytes a step (a byte loop costs a
/// compare and a branch per byte of every line).
fn find_newline(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        // Zero where a byte is `\n`; the lowest marked byte is the first zero (a borrow
        // only marks bytes after a true zero).
        let v = u64::from_le_bytes(word) ^ (ONES * u64::from(b'\n'));
        let marks = v.wrapping_sub(ONES) & !v & HIGH;
        if marks != 0 {
            return Some(at + (marks.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| at + i)
}

/// Record the line that starts at `start` and runs to the end of `chunk.bytes`.
fn end_line(chunk: &mut Chunk, start: usize, fits: bool, newline: bool) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_newline_finds_the_first_at_every_offset() {
        // Every length to past two words, a newline at every offset (alone, or with more
        // after it, or with bytes one bit away from it before it), and none at all.
        for len in 0..40 {
            for fill in [b'a', 0x0b, 0x09, 0x8a, 0xff, 0x00] {
                let plain = vec![fill; len];
                assert_eq!(find_newline(&plain), None, "{len} {fill}");
                for at in 0..len {
                    let mut bytes = plain.clone();
                    bytes[at] = b'\n';
                    assert_eq!(find_newline(&bytes), Some(at), "{len} {fill} {at}");
                    for later in at + 1..len {
                        let mut more = bytes.clone();
                        more[later] = b'\n';
                        assert_eq!(find_newline(&more), Some(at), "{len} {at} {later}");
                    }
                }
            }
        }
    }

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

    /// A reader that gives at most `step` bytes per read.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.step).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// The lines of `input` as the pipeline defines them, numbered.
    fn reference(input: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
        if lines.last() == Some(&&b""[..]) {
            lines.pop();
        }
        let count = lines.len();
        for (i, line) in lines.into_iter().enumerate() {
            let ended = i + 1 < count || input.ends_with(b"\n");
            let line = match line.strip_suffix(b"\r") {
                Some(l) if ended => l,
                _ => line,
            };
            out.extend_from_slice(format!("{}:", i + 1).as_bytes());
            out.extend_from_slice(line);
            out.push(b'\n');
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// However the input arrives (a byte at a time, or in blocks that end anywhere)
        /// and however many workers take turns, the lines are the input's lines, in order.
        #[test]
        fn lines_are_the_same_however_the_input_arrives(
            input in proptest::collection::vec(
                proptest::prop_oneof![proptest::strategy::Just(b'\n'),
                    proptest::strategy::Just(b'\r'), proptest::strategy::Just(b'a'),
                    proptest::strategy::Just(b'b')],
                0..1200,
            ),
            step in 1usize..70,
            capacity in 1usize..100,
            jobs in 1usize..4,
        ) {
            let reader = io::BufReader::with_capacity(capacity, Trickle { data: &input, step });
            let mut out = Vec::new();
            let totals = run(reader, &mut out, jobs, &Progress::default(), |n, line, buf| {
                if let Line::Text(t) = line {
                    buf.extend_from_slice(format!("{n}:").as_bytes());
                    buf.extend_from_slice(t);
                    buf.push(b'\n');
                }
                LineOutcome::Ok
            })
            .unwrap();
            let want = reference(&input);
            proptest::prop_assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(&want));
            proptest::prop_assert_eq!(totals.ok as usize, out.iter().filter(|&&b| b == b'\n').count());
        }
    }

    #[test]
    fn a_chunk_is_bounded_by_bytes_as_well_as_lines() {
        let line = vec![b'x'; 100_000];
        let mut input = Vec::new();
        for _ in 0..40 {
            input.extend_from_slice(&line);
            input.push(b'\n');
        }
        let mut reader = &input[..];
        let mut chunk = Chunk::default();
        let mut lines = 0;
        loop {
            let at_end = read_chunk(&mut reader, &mut chunk).unwrap();
            assert!(
                chunk.bytes.len() < CHUNK_BYTES + line.len(),
                "{}",
                chunk.bytes.len()
            );
            for span in &chunk.lines {
                let (a, b) = span.unwrap();
                assert_eq!(&chunk.bytes[a..b], &line[..]);
            }
            lines += chunk.lines.len();
            if at_end {
                break;
            }
        }
        assert_eq!(lines, 40);
    }

    /// While one line is held up, the other workers get at most a few chunks ahead: the
    /// chunks waiting to be written in order are bounded, so memory is too.
    #[test]
    fn a_slow_line_holds_back_the_other_workers() {
        use std::sync::atomic::AtomicUsize;
        use std::time::{Duration, Instant};
        let input: String = (0..20 * CHUNK_LINES).map(|i| format!("{i}\n")).collect();
        let processed = AtomicUsize::new(0);
        let ahead = AtomicUsize::new(0);
        let jobs = 2;
        let totals = run(
            input.as_bytes(),
            io::sink(),
            jobs,
            &Progress::default(),
            |n, _, buf| {
                if n == 1 {
                    // Hold the first line until the others are far ahead, or a second.
                    let start = Instant::now();
                    while processed.load(Ordering::SeqCst) < 10 * CHUNK_LINES
                        && start.elapsed() < Duration::from_secs(1)
                    {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    ahead.store(processed.load(Ordering::SeqCst), Ordering::SeqCst);
                }
                processed.fetch_add(1, Ordering::SeqCst);
                buf.push(b'\n');
                LineOutcome::Ok
            },
        )
        .unwrap();
        assert_eq!(totals.ok as usize, 20 * CHUNK_LINES);
        // The other worker's chunks, and the rest of the held worker's own.
        let bound = (max_pending(jobs) + 1) * CHUNK_LINES;
        assert!(
            ahead.load(Ordering::SeqCst) <= bound,
            "{}",
            ahead.load(Ordering::SeqCst)
        );
    }

    /// While a write blocks (a consumer that reads the output only after writing all
    /// its input), the other workers read on: a few chunks of input are taken in.
    #[test]
    fn a_blocked_write_does_not_stop_the_reading() {
        use std::sync::atomic::AtomicUsize;
        use std::time::{Duration, Instant};
        struct Counted<'a>(&'a [u8], &'a AtomicUsize);
        impl io::Read for Counted<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = io::Read::read(&mut self.0, buf)?;
                self.1.fetch_add(n, Ordering::SeqCst);
                Ok(n)
            }
        }
        struct Blocked<'a>(&'a AtomicUsize, usize, &'a AtomicBool);
        impl Write for Blocked<'_> {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                let start = Instant::now();
                // Long enough for any machine to read the rest; only a failure waits it out.
                while self.0.load(Ordering::SeqCst) < self.1
                    && start.elapsed() < Duration::from_secs(10)
                {
                    std::thread::sleep(Duration::from_millis(5));
                }
                if self.0.load(Ordering::SeqCst) == self.1 {
                    self.2.store(true, Ordering::SeqCst);
                }
                Ok(buf.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let input: String = (0..4 * CHUNK_LINES).map(|i| format!("{i}\n")).collect();
        let read = AtomicUsize::new(0);
        let all_read = AtomicBool::new(false);
        let reader = io::BufReader::new(Counted(input.as_bytes(), &read));
        let sink = Blocked(&read, input.len(), &all_read);
        let totals = run(reader, sink, 2, &Progress::default(), |_, _, buf| {
            buf.push(b'\n');
            LineOutcome::Ok
        })
        .unwrap();
        assert_eq!(totals.ok as usize, 4 * CHUNK_LINES);
        assert!(all_read.load(Ordering::SeqCst));
    }

    /// A processor that panics makes the run panic; no other worker is left waiting.
    #[test]
    fn a_panic_in_a_worker_ends_the_run() {
        let input: String = (0..20 * CHUNK_LINES).map(|i| format!("{i}\n")).collect();
        for jobs in [1, 2, 3] {
            let result = std::panic::catch_unwind(|| {
                run(
                    input.as_bytes(),
                    io::sink(),
                    jobs,
                    &Progress::default(),
                    |n, _, _| {
                        assert_ne!(n, 1, "the first line");
                        LineOutcome::Ok
                    },
                )
            });
            assert!(result.is_err(), "jobs {jobs}");
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
