//! Scanning key files without judging them: PEM blocks and their labels, and the shape
//! of DER (a SEQUENCE spanning the input, its elements, an RFC 5915 `ECPrivateKey`).

use spki::der::asn1::{AnyRef, BitStringRef, ContextSpecific, OctetStringRef};
use spki::der::{self, Decode, Reader, SliceReader, Tag, TagNumber, Tagged};

/// One PEM block: its label and its text from `-----BEGIN` to the matching `-----END`
/// line (`None` when it has none).
pub(super) struct Block<'a> {
    pub(super) label: &'a [u8],
    pub(super) text: Option<&'a [u8]>,
}

pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len().max(1))
        .position(|w| w == needle)
}

/// Split the input into PEM blocks; scanning stops at the first unterminated block (an
/// unterminated BEGIN line gives an empty label).
pub(super) fn pem_blocks(input: &[u8]) -> Vec<Block<'_>> {
    let mut blocks = Vec::new();
    let mut rest = input;
    while let Some(start) = find(rest, b"-----BEGIN ") {
        let from_begin = rest.get(start..).unwrap_or_default();
        let line = from_begin
            .get(11..)
            .unwrap_or_default()
            .split(|&b| b == b'\n')
            .next();
        let line = line.unwrap_or_default();
        let label = find(line, b"-----")
            .and_then(|n| line.get(..n))
            .unwrap_or_default();
        let end_line = [b"-----END ", label, b"-----"].concat();
        let stop = find(from_begin, &end_line)
            .map(|n| n + end_line.len())
            .filter(|_| !label.is_empty());
        blocks.push(Block {
            label,
            text: stop.and_then(|n| from_begin.get(..n)),
        });
        let Some(stop) = stop else { break };
        rest = from_begin.get(stop..).unwrap_or_default();
    }
    blocks
}

/// A PEM label as printable text (labels are not key material, but come from the input).
pub(super) fn label_text(label: &[u8]) -> String {
    if label.is_empty() {
        return "PEM".into();
    }
    let printable = |&b: &u8| {
        if b.is_ascii_graphic() || b == b' ' {
            b as char
        } else {
            '?'
        }
    };
    label.iter().take(40).map(printable).collect()
}

/// Whether `bytes` (or `bytes` without trailing white space) are one DER SEQUENCE
/// spanning them: returns that SEQUENCE. Binary input needs only the outer length to
/// span it; printable text must also hold well-formed DER elements inside, so that no
/// text secret is ever mistaken for DER by chance.
pub(super) fn spanning_der(bytes: &[u8]) -> Option<&[u8]> {
    let untrailed = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .and_then(|n| bytes.get(..=n))
        .unwrap_or_default();
    [bytes, untrailed].into_iter().find(|der| {
        outer_sequence_spans(der)
            && (sequence_tags(der).is_some()
                || !der
                    .iter()
                    .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace()))
    })
}

/// Whether `der` starts with a SEQUENCE header whose length reaches exactly its end.
pub(super) fn outer_sequence_spans(der: &[u8]) -> bool {
    let Some((&[0x30, first], rest)) = der.split_first_chunk::<2>() else {
        return false;
    };
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        let Some(bytes) = rest.get(..n).filter(|_| (1..=4).contains(&n)) else {
            return false;
        };
        let len = bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, 2 + n)
    };
    header.checked_add(len) == Some(der.len())
}

/// The tags of the elements of a canonical DER SEQUENCE, `None` unless every element
/// is well formed and they fill it exactly.
pub(super) fn sequence_tags(der: &[u8]) -> Option<Vec<Tag>> {
    let any = AnyRef::from_der(der)
        .ok()
        .filter(|a| a.tag() == Tag::Sequence)?;
    let mut reader = SliceReader::new(any.value()).ok()?;
    let mut tags = Vec::new();
    while !reader.is_finished() {
        tags.push(reader.decode::<AnyRef<'_>>().ok()?.tag());
    }
    Some(tags)
}

/// The fields of an RFC 5915 `ECPrivateKey`.
pub(super) struct Sec1<'a> {
    pub(super) version: u8,
    pub(super) scalar: &'a [u8],
    pub(super) params: Option<AnyRef<'a>>,
    pub(super) public: Option<BitStringRef<'a>>,
}

pub(super) fn read_sec1(der: &[u8]) -> der::Result<Sec1<'_>> {
    let mut reader = SliceReader::new(der)?;
    let key = reader.sequence(|r| {
        Ok::<_, der::Error>(Sec1 {
            version: r.decode()?,
            scalar: r.decode::<&OctetStringRef>()?.as_bytes(),
            params: ContextSpecific::decode_explicit(r, TagNumber(0))?.map(|c| c.value),
            public: ContextSpecific::decode_explicit(r, TagNumber(1))?.map(|c| c.value),
        })
    })?;
    reader.finish()?;
    Ok(key)
}
