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

    /// Count one line's outcome.
    pub fn count(&mut self, outcome: LineOutcome) {
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

/// [`run_chunks_with`] a line at a time and without a state of each worker's (the
/// tests' form).
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
    run_chunks_with(input, output, jobs, progress, || (), each_line(process))
}

/// A chunk processor for [`run_chunks_with`] that gives each line to `process` in turn,
/// with the worker's state, the line's 1-based number, and the buffer to append its
/// output to.
pub fn each_line<S, F>(process: F) -> impl Fn(&mut S, Lines<'_>, &mut Vec<u8>, &mut Totals) + Sync
where
    F: Fn(&mut S, u64, Line<'_>, &mut Vec<u8>) -> LineOutcome + Sync,
{
    move |state, lines, out, totals| {
        for (line_no, line) in lines.iter() {
            totals.count(process(state, line_no, line, out));
        }
    }
}

/// The numbered lines of one chunk, as a worker's `process` gets them.
#[derive(Clone, Copy)]
pub struct Lines<'a> {
    chunk: &'a Chunk,
    first: u64,
}

impl<'a> Lines<'a> {
    /// Each line with its 1-based number, in order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, Line<'a>)> + use<'a> {
        let (chunk, first) = (self.chunk, self.first);
        chunk.lines.iter().zip(first..).map(|(span, line_no)| {
            let line = match span {
                Some((a, b)) => Line::Text(&chunk.bytes[*a..*b]),
                None => Line::TooLong,
            };
            (line_no, line)
        })
    }
}

/// Process every line of `input` on `jobs` threads, a chunk of lines at a time, and
/// write what `process` writes, in input order, to `output`. `process` gets the
/// worker's state (made by `state` as the worker starts: buffers and caches its lines
/// reuse, such as a batch verifier), a chunk's lines, the buffer to append their output
/// to, in order, and the totals to count each line's outcome in ([`each_line`] makes
/// one from a line processor; verify-batch checks a chunk's tickets together).
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
pub fn run_chunks_with<R, W, S, M, F>(
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
    F: Fn(&mut S, Lines<'_>, &mut Vec<u8>, &mut Totals) + Sync,
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
    F: Fn(&mut S, Lines<'_>, &mut Vec<u8>, &mut Totals) + Sync,
{
    let _guard = PanicStop {
        stop: &shared.stop,
        output: &shared.output,
        written: &shared.written,
    };
    let mut chunk = Chunk::default();
    let mut state = state();
    loop {
        let Some(out) = shared.room_to_get_ahead() else {
            return;
        };
        let Some((seq, first_line)) = shared.next_chunk(&mut chunk) else {
            return;
        };
        let done = process_chunk(&chunk, first_line, out, &mut state, process);
        if !shared.hand_in(seq, done, progress) {
            return;
        }
    }
}

/// Process every line of `chunk`, the first numbered `first_line`, into `out`.
fn process_chunk<S, F>(
    chunk: &Chunk,
    first_line: u64,
    mut out: Vec<u8>,
    state: &mut S,
    process: &F,
) -> Done
where
    F: Fn(&mut S, Lines<'_>, &mut Vec<u8>, &mut Totals),
{
    out.clear();
    let mut totals = Totals::default();
    let lines = Lines {
        chunk,
        first: first_line,
    };
    process(state, lines, &mut out, &mut totals);
    Done {
        out,
        totals,
        lines: chunk.lines.len() as u64,
        input_bytes: chunk.input_bytes,
    }
}

impl<R: BufRead, W: Write> Shared<R, W> {
    /// Wait for room to get ahead, and give an output buffer; `None` when the run has
    /// stopped. The chunk next in order is always being processed by a worker that does
    /// not wait here, so the wait ends.
    fn room_to_get_ahead(&self) -> Option<Vec<u8>> {
        let out = {
            let mut output = lock(&self.output);
            while output.pending.len() >= self.max_pending && !self.stop.load(Ordering::SeqCst) {
                output = self.written.wait(output).unwrap_or_else(|e| e.into_inner());
            }
            output.spare.pop().unwrap_or_default()
        };
        (!self.stop.load(Ordering::SeqCst)).then_some(out)
    }

    /// Read the next chunk of input into `chunk`: its number and the number of its first
    /// line, or `None` when there is no more.
    fn next_chunk(&self, chunk: &mut Chunk) -> Option<(u64, u64)> {
        let mut input = lock(&self.input);
        if input.done {
            return None;
        }
        match read_chunk(&mut input.reader, chunk) {
            Ok(at_end) => input.done = at_end,
            Err(e) => {
                // The lines read before the error are still processed and written.
                input.error = Some(e);
                input.done = true;
            }
        }
        if chunk.lines.is_empty() {
            return None;
        }
        let at = (input.seq, input.line_no);
        input.seq += 1;
        input.line_no += chunk.lines.len() as u64;
        Some(at)
    }

    /// Hand in processed chunk `seq`, and write it and every chunk ready after it unless
    /// another worker is writing (which then does). `false` when the output has failed:
    /// the worker stops.
    fn hand_in(&self, seq: u64, done: Done, progress: &Progress) -> bool {
        let mut output = lock(&self.output);
        if output.failure.is_some() || output.totals.output_closed {
            return false;
        }
        output.pending.insert(seq, done);
        if output.writing {
            return true; // the worker writing takes it
        }
        output.writing = true;
        self.write_ready(output, progress);
        true
    }

    /// As the worker writing: write the chunks ready in order, until none is (or the run
    /// stops), without holding the bookkeeping lock while writing.
    fn write_ready<'a>(&'a self, mut output: MutexGuard<'a, Output>, progress: &Progress) {
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
            if ready.is_empty() || self.stop.load(Ordering::SeqCst) {
                output.writing = false;
                break;
            }
            // Room in `pending`: the others read on while this worker writes.
            drop(output);
            self.written.notify_all();
            let (written, failure) = self.write_out(&ready);
            output = lock(&self.output);
            for done in ready.drain(..).take(written) {
                output.totals.add(&done.totals);
                progress.lines.fetch_add(done.lines, Ordering::Relaxed);
                progress
                    .bytes
                    .fetch_add(done.input_bytes, Ordering::Relaxed);
                if output.spare.len() < self.max_pending && done.out.capacity() <= MAX_SPARE {
                    output.spare.push(done.out);
                }
            }
            ready.clear();
            if let Some(e) = failure {
                self.stop.store(true, Ordering::SeqCst);
                if e.kind() == io::ErrorKind::BrokenPipe {
                    output.totals.output_closed = true;
                } else {
                    output.failure = Some(e);
                }
                output.pending.clear();
            }
        }
        drop(output);
        self.written.notify_all();
    }

    /// Write the chunks' output in order: how many were written whole, and the error
    /// that stopped the rest.
    fn write_out(&self, ready: &[Done]) -> (usize, Option<io::Error>) {
        let mut failure = None;
        let mut sink = lock(&self.sink);
        let written = ready
            .iter()
            .take_while(|done| match sink.write_all(&done.out) {
                Ok(()) => true,
                Err(e) => {
                    failure = Some(e);
                    false
                }
            })
            .count();
        (written, failure)
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
mod tests;
