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
/// chunks waiting to be written in order are bounded, so memory is too. The line is
/// held until the other worker has stopped: asleep (with the held worker holding no
/// lock, the one place it can sleep is the wait for room) or ended (no bound at all,
/// it took the whole input). Its state is read from /proc, so nothing is timed.
#[test]
fn a_slow_line_holds_back_the_other_workers() {
    use std::path::PathBuf;
    use std::sync::atomic::AtomicUsize;
    /// Whether the thread whose /proc directory is `task` sleeps or has ended.
    fn stopped(task: &std::path::Path) -> bool {
        let Ok(stat) = std::fs::read_to_string(task.join("stat")) else {
            return true;
        };
        // `tid (name) state ...`: the name may hold spaces and parentheses.
        let state = stat.rsplit_once(')').map(|(_, rest)| rest.trim_start());
        matches!(state.and_then(|s| s.chars().next()), Some('S' | 'Z' | 'X'))
    }
    let input: String = (0..20 * CHUNK_LINES).map(|i| format!("{i}\n")).collect();
    let processed = AtomicUsize::new(0);
    let ahead = AtomicUsize::new(0);
    // The other worker's /proc directory, from its first line.
    let other: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let jobs = 2;
    let totals = run(
        input.as_bytes(),
        io::sink(),
        jobs,
        &Progress::default(),
        |n, _, buf| {
            if n == 1 {
                let task = loop {
                    if let Some(task) = other.get() {
                        break task;
                    }
                    std::thread::yield_now();
                };
                while !stopped(task) {
                    std::thread::yield_now();
                }
                ahead.store(processed.load(Ordering::SeqCst), Ordering::SeqCst);
            } else if n as usize > CHUNK_LINES {
                // Not the first chunk, held with line 1: the other worker's.
                other.get_or_init(|| std::fs::canonicalize("/proc/thread-self").unwrap());
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
