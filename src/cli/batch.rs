//! gen-batch and verify-batch: one ticket per input line, on every core, in order.

use std::borrow::Cow;
use std::io::{self, BufReader, BufWriter, IsTerminal};
use std::os::unix::fs::MetadataExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use usersig::clock::{Clock, SystemClock, describe_span};
use usersig::issue::DEFAULT_EXPIRE;
use usersig::issue::{self, TicketBatch};
use usersig::json::{self, Json};
use usersig::keys::EcKey;
use usersig::verify::{BatchVerifier, Expect, VerifyKey};

use super::args::{BatchFormat, GenBatchArgs, MAX_JOBS, VerifyBatchArgs};
use super::checks::{judging_clock, parse_duration};
use super::error::{CommandResult, Stop, stdout_error, usage};
use super::keyload::{KeyOrSecret, Signer, load_key_or_secret};
use super::output::NAME;
use super::pipeline::{self, Line, LineOutcome, Lines, Progress, Totals};
use super::report::{
    self, GenBatchError, GenBatchLines, VerifyBatchError, VerifyBatchLines, VerifyReport,
};
use super::source::Source;
use super::streams;
use super::{duration, hints, redact};

/// A batch command's KEY: stdin carries the lines, so `-` is no key source here.
fn batch_key_source(arg: &std::ffi::OsStr) -> Result<Source, Stop> {
    let source = Source::pem_key(arg);
    if source.is_stdin() {
        return Err(Stop::Usage(
            "stdin carries the input lines; give KEY as PATH, file:PATH or env:NAME".into(),
        ));
    }
    Ok(source)
}

/// The worker threads: --jobs (clap has checked it is 1 to [`MAX_JOBS`]), else one per
/// core.
fn jobs(requested: Option<usize>) -> usize {
    requested.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(MAX_JOBS)
    })
}

/// A progress line on stderr while `run` goes on, when stderr is a terminal: lines done,
/// the rate, and the time left when the input is a file of known size.
fn with_progress<T>(run: impl FnOnce(&Progress) -> T) -> T {
    let progress = Progress::default();
    if !io::stderr().is_terminal() {
        return run(&progress);
    }
    let total = std::fs::metadata("/dev/stdin")
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.size());
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let start = Instant::now();
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                let lines = progress.lines.load(Ordering::Relaxed);
                let secs = start.elapsed().as_secs_f64().max(0.001);
                let mut line = format!("\r{lines} lines, {:.0}/s", lines as f64 / secs);
                if let Some(total) = total {
                    let bytes = progress.bytes.load(Ordering::Relaxed);
                    if bytes > 0 {
                        let left = (total.saturating_sub(bytes)) as f64 * secs / bytes as f64;
                        line.push_str(&format!(
                            ", {:.0}%, about {} left",
                            100.0 * bytes as f64 / total as f64,
                            describe_span(left as i64)
                        ));
                    }
                }
                streams::write_stderr(format!("{line}\x1b[K").as_bytes());
            }
            streams::write_stderr(b"\r\x1b[K");
        });
        let result = run(&progress);
        done.store(true, Ordering::Relaxed);
        result
    })
}

/// Run the pipeline over stdin into stdout. A closed stdout pipe comes back as
/// [`Totals::output_closed`]; any other failed write or read is the stop.
fn run_on_stdin<F>(jobs: usize, process: F) -> Result<Totals, Stop>
where
    F: Fn(u64, Line<'_>, &mut Vec<u8>) -> LineOutcome + Sync,
{
    run_on_stdin_with(
        jobs,
        || (),
        |_, line_no, line, out| process(line_no, line, out),
    )
}

/// [`run_on_stdin`], each worker with a `state` of its own (made as it starts).
fn run_on_stdin_with<S, M, F>(jobs: usize, state: M, process: F) -> Result<Totals, Stop>
where
    M: Fn() -> S + Sync,
    F: Fn(&mut S, u64, Line<'_>, &mut Vec<u8>) -> LineOutcome + Sync,
{
    run_on_stdin_chunks(jobs, state, pipeline::each_line(process))
}

/// [`run_on_stdin_with`], a chunk of lines at a time ([`pipeline::run_chunks_with`]).
fn run_on_stdin_chunks<S, M, F>(jobs: usize, state: M, process: F) -> Result<Totals, Stop>
where
    M: Fn() -> S + Sync,
    F: Fn(&mut S, Lines<'_>, &mut Vec<u8>, &mut Totals) + Sync,
{
    // Read in large blocks (by whichever worker's turn it is: `Stdin`, not its lock).
    let stdin = BufReader::with_capacity(1 << 16, io::stdin());
    let stdout = BufWriter::with_capacity(1 << 16, streams::Stdout);
    let run = |progress: &Progress| {
        pipeline::run_chunks_with(stdin, stdout, jobs, progress, state, process)
    };
    with_progress(run).map_err(|e| match e {
        pipeline::Error::Write(e) => stdout_error(&e),
        pipeline::Error::Read(e) => Stop::Io(format!("cannot read standard input: {e}")),
    })
}

/// Whether a line is blank: empty, or only white space.
fn is_blank(line: &[u8]) -> bool {
    std::str::from_utf8(line).is_ok_and(|t| t.trim().is_empty())
}

/// A CSV field: quoted when it holds a comma, quote or line break.
fn push_csv_field(out: &mut Vec<u8>, field: &str) {
    if field.contains([',', '"', '\n', '\r']) {
        out.push(b'"');
        out.extend_from_slice(field.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(field.as_bytes());
    }
}

/// A line's error on stderr: scrubbed of secrets, one line.
fn line_error(line_no: u64, message: &str) {
    let message = redact::shown(message.as_bytes());
    streams::stderr_line(&format!("{NAME}: line {line_no}: {message}"));
}

/// The exit for a batch: 141 (quietly) when stdout was a closed pipe and the run was cut
/// short; else 1 when lines failed (the summary counting those that only warned too),
/// 4 when some only warned. Blank lines skipped are counted in the summary line, which
/// is written on success too when there were any.
fn finish(totals: Totals, what: &str) -> CommandResult {
    if totals.output_closed {
        return Err(Stop::Closed);
    }
    let blanks = match totals.blank {
        0 => String::new(),
        1 => "; 1 blank line skipped".to_owned(),
        n => format!("; {n} blank lines skipped"),
    };
    if totals.failed > 0 {
        // The failures decide the status; the tickets that only expire too soon are
        // still counted (--min-remaining was asked).
        let expiring = match totals.warned {
            0 => String::new(),
            n => format!("; {n} valid but expiring sooner than --min-remaining"),
        };
        return Err(Stop::Mismatch(format!(
            "{what}: {} of {} lines failed{expiring}{blanks}",
            totals.failed,
            totals.ok + totals.warned + totals.failed
        )));
    }
    if totals.warned > 0 {
        return Err(Stop::Expiring(format!(
            "{} of {} tickets expire sooner than --min-remaining{blanks}",
            totals.warned,
            totals.ok + totals.warned
        )));
    }
    if let Some(blanks) = blanks.strip_prefix("; ") {
        streams::stderr_line(&format!("{NAME}: {what}: {blanks}"));
    }
    Ok(())
}

pub(super) fn gen_batch(a: &GenBatchArgs, clock: &SystemClock) -> CommandResult {
    let sdkappid = issue::parse_sdkappid(&a.sdkappid).map_err(usage)?;
    let expire = match &a.expire {
        Some(text) => duration::parse_expire(text).map_err(usage)?,
        None => DEFAULT_EXPIRE,
    };
    let jobs = jobs(a.jobs);
    let signer = Signer::load(&batch_key_source(&a.key)?, "gen-batch")?;
    // Every ticket of the run is issued at the same second: what they share is laid out
    // once.
    let now = clock.now();
    let expires_at = now + i64::from(expire);
    // Every ticket is compressed in one Huffman code made for the run: about as small as
    // each ticket's own code makes it, for well under half the work (README,
    // "Performance").
    let batch = match &signer {
        Signer::V1(key) => {
            TicketBatch::v1(key, sdkappid, expire, now).map(TicketBatch::with_shared_code)
        }
        Signer::V2(secret) => {
            TicketBatch::v2(secret, sdkappid, expire, now).map(TicketBatch::with_shared_code)
        }
    }
    .map_err(usage)?;
    let batch = if a.allow_any_identifier {
        batch.allowing_any_identifier()
    } else {
        batch
    };
    let json_lines = GenBatchLines::new(expires_at);
    let csv_end = format!(",{expires_at}\n");
    let csv = a.format == BatchFormat::Csv;
    let unsigned = std::sync::OnceLock::new();
    let totals = run_on_stdin(jobs, |line_no, line, out| {
        // The identifier is the line exactly (without its line ending), or it is refused.
        let bytes = match line {
            Line::Text(t) => t,
            Line::TooLong => {
                return bad_identifier(out, csv, line_no, "", "the line is too long");
            }
        };
        let id = match identifier_of(bytes) {
            Ok(Some(id)) => id,
            Ok(None) => return LineOutcome::Blank,
            Err(why) => {
                return bad_identifier(out, csv, line_no, &String::from_utf8_lossy(bytes), &why);
            }
        };
        // Only an identifier made with --allow-any-identifier can be shaped like a secret.
        let shown = redact::scrub(id);
        let made = if csv {
            let from = out.len();
            push_csv_field(out, &shown);
            out.push(b',');
            let made = batch.push_ticket(id, out);
            match made {
                Ok(()) => out.extend_from_slice(csv_end.as_bytes()),
                Err(_) => out.truncate(from),
            }
            made
        } else {
            json_lines.push(out, &shown, |out| batch.push_ticket(id, out))
        };
        match made {
            Ok(()) => LineOutcome::Ok,
            Err(issue::Error::Argument(e)) => {
                bad_identifier(out, csv, line_no, id, &hints::arg_error(&e))
            }
            Err(e) => {
                // No randomness to sign with: the line fails, and so does the run (exit 3).
                let _ = unsigned.set(e.to_string());
                bad_identifier(out, csv, line_no, id, &e.to_string())
            }
        }
    })?;
    if let Some(why) = unsigned.get().filter(|_| !totals.output_closed) {
        return Err(Stop::Io(format!("gen-batch: {why}")));
    }
    finish(totals, "gen-batch")
}

/// The identifier a gen-batch line gives: the line's bytes exactly, `None` for a blank
/// line, or why it is refused (not UTF-8; white space at either end, which a line cannot
/// show and the identifier would carry).
fn identifier_of(line: &[u8]) -> Result<Option<&str>, String> {
    // A line that begins and ends with printable ASCII other than space (nearly every
    // line) can have no white space to trim: it is taken once it is UTF-8, which a byte
    // loop tells for a line this short in fewer instructions and mispredicted branches
    // than `str::from_utf8`'s word-at-a-time path. (The identifier rules are the
    // batch's to check.)
    if let (Some(b'!'..=b'~'), Some(b'!'..=b'~')) = (line.first(), line.last())
        && let Some(text) = line.utf8_chunks().next()
        && text.invalid().is_empty()
    {
        // Nothing invalid before the end: the line is all valid.
        return Ok(Some(text.valid()));
    }
    if is_blank(line) {
        return Ok(None);
    }
    let id = std::str::from_utf8(line).map_err(|e| {
        format!(
            "the identifier is not UTF-8 text (a bad byte at offset {}); give identifiers in UTF-8",
            e.valid_up_to()
        )
    })?;
    if id.trim() != id {
        return Err("the identifier begins or ends with white space; identifiers are signed exactly as given: remove it".into());
    }
    Ok(Some(id))
}

/// A line whose identifier cannot have a ticket: `{"line","identifier","error"}`, or in CSV
/// empty fields and the message on stderr.
/// The identifier is echoed scrubbed of anything shaped like a secret.
fn bad_identifier(out: &mut Vec<u8>, csv: bool, line_no: u64, id: &str, why: &str) -> LineOutcome {
    let id = redact::scrub(id);
    let id = id.as_ref();
    let why = redact::scrub(why);
    let why = why.as_ref();
    if csv {
        push_csv_field(out, id);
        out.extend_from_slice(b",,\n");
        line_error(line_no, why);
    } else {
        report::push_line(
            out,
            &GenBatchError {
                line: line_no,
                identifier: id,
                error: format!("line {line_no}: {why}"),
            },
        );
    }
    LineOutcome::Failed
}

/// Why a verify-batch input line could not be read, with the identifier it names when it
/// names one.
struct BadLine {
    identifier: Option<String>,
    why: String,
}

impl From<String> for BadLine {
    fn from(why: String) -> BadLine {
        BadLine {
            identifier: None,
            why,
        }
    }
}

/// The identifier and ticket of a line exactly as gen-batch writes it,
/// `{"identifier":"…","usersig":"…"}` with an optional `,"expires_at":N` (no white space,
/// these members in this order, strings without an escape or control character, N a
/// whole number of 1 to 19 digits without a leading zero), read without building an
/// object. `None` for anything else, which the strict reader then reads: whatever this
/// takes, it reads to the same two strings (a proptest holds the two together).
fn gen_batch_line(text: &str) -> Option<(&str, &str)> {
    /// A string's plain content and what follows its closing quote.
    fn string(text: &str) -> Option<(&str, &str)> {
        let (s, rest) = text.split_at_checked(json::plain_len(text.as_bytes()))?;
        Some((s, rest.strip_prefix('"')?))
    }
    let (identifier, rest) = string(text.strip_prefix(r#"{"identifier":""#)?)?;
    let (usersig, rest) = string(rest.strip_prefix(r#","usersig":""#)?)?;
    let expires_at = match rest.strip_prefix(r#","expires_at":"#) {
        Some(tail) => tail.strip_suffix('}')?,
        None if rest == "}" => "0",
        None => return None,
    };
    let number = expires_at == "0"
        || ((1..=19).contains(&expires_at.len())
            && !expires_at.starts_with('0')
            && expires_at.bytes().all(|b| b.is_ascii_digit()));
    number.then_some((identifier, usersig))
}

/// Write verify-batch's line for input line `line_no`, which it cannot read: a failed
/// line.
fn push_bad_line(out: &mut Vec<u8>, csv: bool, line_no: u64, bad: BadLine) -> LineOutcome {
    if csv {
        let id = bad.identifier.as_deref();
        push_verify_csv(out, line_no, id, false, None, None, Some(&bad.why));
    } else {
        let identifier = bad.identifier.map(|i| redact::scrub(&i).into_owned());
        let error = format!("line {line_no}: {}", bad.why);
        let result = VerifyBatchError {
            ok: false,
            line: line_no,
            identifier,
            error: redact::scrub(&error).into_owned(),
            exit_status: 1,
        };
        report::push_line(out, &result);
    }
    LineOutcome::Failed
}

/// A verify-batch input line, read.
enum InputLine<'a> {
    /// Empty, or only white space.
    Blank,
    /// The CSV header `identifier,usersig` on the first line.
    Header,
    /// Not a line this command reads.
    Bad(BadLine),
    /// An identifier and its ticket.
    Ticket(Cow<'a, str>, Cow<'a, str>),
}

/// Read verify-batch's input line `line_no`.
fn read_input_line(line_no: u64, line: Line<'_>) -> InputLine<'_> {
    let parsed = match line {
        Line::Text(t) => match std::str::from_utf8(t) {
            Ok(text) if text.trim().is_empty() => return InputLine::Blank,
            Ok(text) if line_no == 1 && text.trim() == "identifier,usersig" => {
                return InputLine::Header;
            }
            Ok(text) => parse_input(text),
            Err(_) => Err("the line is not UTF-8 text".to_owned().into()),
        },
        Line::TooLong => Err("the line is too long".to_owned().into()),
    };
    match parsed {
        Ok((identifier, usersig)) => InputLine::Ticket(identifier, usersig),
        Err(bad) => InputLine::Bad(bad),
    }
}

/// One verify-batch input line: JSON `{"identifier","usersig"}` or CSV `identifier,usersig`.
fn parse_input(text: &str) -> Result<(Cow<'_, str>, Cow<'_, str>), BadLine> {
    let text = text.trim();
    if let Some((identifier, usersig)) = gen_batch_line(text) {
        return Ok((Cow::Borrowed(identifier), Cow::Borrowed(usersig)));
    }
    if text.starts_with('{') {
        // Strict: a line naming "identifier" twice would mean one user to this reader and
        // another to the next.
        let object = json::members_of_text(text).map_err(|e| e.to_string())?;
        let field = |name: &str| match object.get(name) {
            Some(Json::String(s)) => Ok(s.clone()),
            _ => Err(format!("the JSON has no string \"{name}\"")),
        };
        let identifier = field("identifier")?;
        return match field("usersig") {
            Ok(usersig) => Ok((identifier, usersig)),
            Err(why) => Err(BadLine {
                identifier: Some(identifier.into_owned()),
                why,
            }),
        };
    }
    // The ticket alphabet has no comma or quote: the last comma ends the identifier,
    // unless the last field is gen-batch's expires_at (digits), which is dropped.
    let mut text = text;
    if let Some((rest, last)) = text.rsplit_once(',')
        && !last.is_empty()
        && last.bytes().all(|b| b.is_ascii_digit())
        && rest.contains(',')
    {
        text = rest;
    }
    let (id, sig) = text
        .rsplit_once(',')
        .ok_or_else(|| "neither JSON nor CSV identifier,usersig".to_owned())?;
    let id = match id.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(quoted) => Cow::Owned(quoted.replace("\"\"", "\"")),
        None => Cow::Borrowed(id),
    };
    Ok((id, Cow::Borrowed(sig)))
}

/// The header of verify-batch's CSV output.
const VERIFY_CSV_HEADER: &str = "line,identifier,ok,code,expires_at,reason\n";

/// One verify-batch CSV row: `line,identifier,ok,code,expires_at,reason`. Text fields are
/// shown as on a terminal (scrubbed, control characters escaped) and quoted when they
/// hold a comma or quote; an unknown field is empty.
fn push_verify_csv(
    out: &mut Vec<u8>,
    line_no: u64,
    identifier: Option<&str>,
    ok: bool,
    code: Option<u32>,
    expires_at: Option<i64>,
    reason: Option<&str>,
) {
    json::push_uint(out, line_no);
    out.push(b',');
    push_csv_field(
        out,
        &identifier
            .map(|i| redact::shown(i.as_bytes()))
            .unwrap_or_default(),
    );
    out.extend_from_slice(if ok { b",true," } else { b",false," });
    if let Some(code) = code {
        json::push_uint(out, code.into());
    }
    out.push(b',');
    if let Some(at) = expires_at {
        json::push_int(out, at);
    }
    out.push(b',');
    push_csv_field(
        out,
        &reason
            .map(|r| redact::shown(r.as_bytes()))
            .unwrap_or_default(),
    );
    out.push(b'\n');
}

pub(super) fn verify_batch(a: &VerifyBatchArgs, system: &SystemClock) -> CommandResult {
    let sdkappid = issue::parse_sdkappid(&a.sdkappid).map_err(usage)?;
    let clock = judging_clock(a.at.as_deref(), system)?;
    let min_remaining = a
        .min_remaining
        .as_deref()
        .map(|t| parse_duration("--min-remaining", t, 0..=duration::LONGEST))
        .transpose()?;
    let jobs = jobs(a.jobs);
    // KEY, then each --key: tried in order, the first that verifies a ticket named in
    // its line when there are several.
    let sources = std::iter::once(&a.key)
        .chain(&a.keys)
        .map(|k| batch_key_source(k))
        .collect::<Result<Vec<_>, _>>()?;
    let keys = sources
        .iter()
        .map(|source| {
            Ok(match load_key_or_secret(source, "verify-batch")? {
                KeyOrSecret::Pem(EcKey::Private(key)) => VerifyKey::Public(key.public_key()),
                KeyOrSecret::Pem(EcKey::Public(key)) => VerifyKey::Public(key),
                KeyOrSecret::Secret(secret) => VerifyKey::Secret(secret),
            })
        })
        .collect::<Result<Vec<_>, Stop>>()?;
    let key_names = super::verify::names(&sources);
    let csv = a.format == BatchFormat::Csv;
    if csv {
        super::output::out(VERIFY_CSV_HEADER.as_bytes())?;
    }
    // A verifier and a line writer a worker: their buffers serve every line the worker
    // takes; the verifiers are clones of one, sharing its key tables.
    let verifier = BatchVerifier::new();
    let state = || (verifier.clone(), VerifyBatchLines::default());
    let totals = run_on_stdin_chunks(jobs, state, |(verifier, lines), chunk, out, totals| {
        // The chunk's lines read, their tickets checked together, then each line's
        // result written in order.
        let read: Vec<(u64, InputLine<'_>)> = chunk
            .iter()
            .map(|(line_no, line)| (line_no, read_input_line(line_no, line)))
            .collect();
        let items: Vec<(&str, Expect<'_>)> = read
            .iter()
            .filter_map(|(_, line)| match line {
                InputLine::Ticket(identifier, usersig) => Some((
                    usersig.as_ref(),
                    Expect {
                        sdkappid,
                        identifier: identifier.as_ref(),
                        userbuf: None,
                    },
                )),
                _ => None,
            })
            .collect();
        let mut checked = Vec::with_capacity(items.len());
        verifier.check_chunk(&items, &keys, &clock, &mut checked);
        // One Checked an item, in order.
        let mut checked = checked.iter();
        for (line_no, line) in read {
            let outcome = match line {
                InputLine::Blank => LineOutcome::Blank,
                InputLine::Header => LineOutcome::Skipped,
                InputLine::Bad(bad) => push_bad_line(out, csv, line_no, bad),
                InputLine::Ticket(identifier, _) => {
                    let Some(checked) = checked.next() else {
                        break;
                    };
                    let (valid, ok) = if csv {
                        let result = VerifyReport::for_line(
                            checked,
                            min_remaining,
                            &key_names,
                            line_no,
                            &identifier,
                        );
                        push_verify_csv(
                            out,
                            line_no,
                            Some(&identifier),
                            result.ok,
                            Some(result.code),
                            result.ticket.as_ref().map(|t| t.expires_at),
                            result.reason.as_deref(),
                        );
                        (result.valid, result.ok)
                    } else {
                        lines.push_for_line(
                            checked,
                            min_remaining,
                            &key_names,
                            line_no,
                            &identifier,
                            out,
                        )
                    };
                    // Not ok but valid: it only fails --min-remaining.
                    match (valid, ok) {
                        (false, _) => LineOutcome::Failed,
                        (true, false) => LineOutcome::Warned,
                        (true, true) => LineOutcome::Ok,
                    }
                }
            };
            totals.count(outcome);
        }
    })?;
    finish(totals, "verify-batch")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The two strings the strict reader finds in a JSON line, if it reads it.
    fn strictly(text: &str) -> Option<(String, String)> {
        let object = json::members_of_text(text).ok()?;
        let get = |name| match object.get(name) {
            Some(Json::String(s)) => Some(s.to_string()),
            _ => None,
        };
        Some((get("identifier")?, get("usersig")?))
    }

    proptest! {
        /// Whatever line the gen-batch shape takes, the strict reader reads to the same
        /// identifier and ticket; and it takes every line gen-batch writes.
        #[test]
        fn the_gen_batch_shape_reads_as_the_strict_reader_does(
            head in prop_oneof![
                Just(r#"{"identifier":""#.to_owned()),
                r#"\{ ?"(identifier|usersig|identifie|identifier\\u0072)" ?: ?""#,
            ],
            id in "[a-z0-9\"\\\\\u{0}\u{1f}\u{7f}\u{e9}\u{4e00} ]{0,12}",
            mid in prop_oneof![
                Just(r#"","usersig":""#.to_owned()),
                r#"" ?, ?"(usersig|identifier|usersi)" ?: ?""#,
            ],
            sig in "[A-Za-z0-9*_\"\\\\\t-]{0,40}",
            tail in prop_oneof![
                Just(r#""}"#.to_owned()),
                r#"","expires_at":(0|[1-9][0-9]{0,20}|-1|01|1\.5|1e3|"1"|null)\}"#,
                r#""( |,|,"x":1)?\}( |x)?"#,
            ],
        ) {
            let line = format!("{head}{id}{mid}{sig}{tail}");
            if let Some((i, u)) = gen_batch_line(&line) {
                prop_assert_eq!(strictly(&line), Some((i.to_owned(), u.to_owned())), "{}", line);
            }
            let expires_at = id.len() as u64 * 1_000_003;
            for plain in [
                format!(r#"{{"identifier":"user{expires_at}","usersig":"eAE1*-_"}}"#),
                format!(r#"{{"identifier":"u","usersig":"eAE_","expires_at":{expires_at}}}"#),
            ] {
                prop_assert!(gen_batch_line(&plain).is_some(), "{}", plain);
                prop_assert_eq!(
                    gen_batch_line(&plain).map(|(i, u)| (i.to_owned(), u.to_owned())),
                    strictly(&plain)
                );
            }
        }
    }

    #[test]
    fn a_verify_csv_row_writes_numbers_as_display_does() {
        for (line, code, at) in [
            (0, Some(0), Some(0)),
            (1, None, None),
            (u64::MAX, Some(u32::MAX), Some(i64::MIN)),
            (10, Some(70001), Some(i64::MAX)),
            (99, Some(9), Some(-1)),
        ] {
            for ok in [true, false] {
                let mut got = b"x".to_vec();
                push_verify_csv(&mut got, line, Some("a,b"), ok, code, at, Some("why"));
                let code = code.map(|c| c.to_string()).unwrap_or_default();
                let at = at.map(|a| a.to_string()).unwrap_or_default();
                let want = format!("x{line},\"a,b\",{ok},{code},{at},why\n");
                assert_eq!(String::from_utf8(got).unwrap(), want);
            }
        }
    }

    #[test]
    fn lines_off_the_gen_batch_shape_go_to_the_strict_reader() {
        for line in [
            r#"{"identifier":"a","usersig":"b","expires_at":01}"#,
            r#"{"identifier":"a","usersig":"b","expires_at":12345678901234567890}"#,
            r#"{"identifier":"a","usersig":"b","expires_at":-1}"#,
            r#"{"identifier":"a","usersig":"b","expires_at":}"#,
            r#"{"identifier":"a","usersig":"b","expires_at":1} "#,
            r#"{"identifier":"a","usersig":"b","usersig":"c"}"#,
            r#"{"identifier":"a","usersig":"b","identifier":"c"}"#,
            r#"{"identifier":"a\u0062","usersig":"b"}"#,
            "{\"identifier\":\"a\u{1}\",\"usersig\":\"b\"}",
            r#"{"identifier":"a","usersig":"b"#,
            r#"{"identifier":"a","usersig":"b}"#,
            r#"{"identifier":"a", "usersig":"b"}"#,
            r#"{"usersig":"b","identifier":"a"}"#,
        ] {
            assert_eq!(gen_batch_line(line), None, "{line}");
        }
        let line = r#"{"identifier":"a","usersig":"b","expires_at":1234567890123456789}"#;
        assert_eq!(gen_batch_line(line), Some(("a", "b")));
        assert_eq!(
            gen_batch_line(r#"{"identifier":"","usersig":""}"#),
            Some(("", ""))
        );
    }

    proptest! {
        /// Whatever the line, an identifier taken from it is the line's bytes exactly,
        /// with no white space at either end; a blank line gives none; nothing else is
        /// refused but lines that are not UTF-8 or carry white space at an end.
        #[test]
        fn an_identifier_is_the_line_exactly(
            line in prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..40),
                "[ \t\u{a0}\u{3000}]{0,2}[a-z\u{4e00}\t ]{0,10}[ \t\u{a0}\u{85}]{0,2}"
                    .prop_map(String::into_bytes),
            ]
        ) {
            let text = std::str::from_utf8(&line).ok();
            match identifier_of(&line) {
                Ok(Some(id)) => {
                    prop_assert_eq!(id.as_bytes(), &line[..]);
                    prop_assert_eq!(id.trim(), id);
                    prop_assert!(!id.is_empty());
                }
                Ok(None) => prop_assert!(text.is_some_and(|t| t.trim().is_empty())),
                Err(why) => match text {
                    None => prop_assert!(why.contains("not UTF-8"), "{}", why),
                    Some(t) => {
                        prop_assert!(!t.trim().is_empty() && t.trim() != t);
                        prop_assert!(why.contains("white space"), "{}", why);
                    }
                },
            }
        }
    }
}
