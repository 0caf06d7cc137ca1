//! A small zlib (RFC 1950) compressor for ticket JSON.
//!
//! Inputs of up to 1,024 bytes (a ticket's JSON is a few hundred) take the size path:
//! LZ77 over hash chains of 3-byte prefixes with one step of lazy matching, then one
//! final block in whichever form is smallest: dynamic Huffman codes built for the data
//! (from its frequencies evened out so that the code lengths form long runs, which the
//! block header writes in a few bits), the fixed codes of RFC 1951, or stored bytes. On
//! ticket JSON this makes streams about 3% smaller on average than zlib's default level
//! (the signature's base64 text is where a dynamic code wins: about six bits a
//! character instead of eight). Its tables live on the stack; the output is the one
//! allocation.
//!
//! Longer inputs take the fast path: greedy LZ77 over a hash of three bytes (one
//! candidate) and one block in the fixed codes, linear in the input.
//!
//! Many inputs alike (the tickets of a batch) can share one dynamic Huffman code
//! ([`SharedCode`]): learnt once from samples, its block header written once, so that
//! each input costs a greedy LZ77 pass and its bits. On a batch's ticket JSON that is a
//! third (v2) to half (v1) of the size path's work (about 11,000 instructions a v2
//! ticket, less than the fast path's 12,300), for streams within about 1% of the size
//! path's. A zlib reader
//! pays for a dynamic block, though: zlib-rs takes about three times as long to open one
//! as a block in the fixed codes (it builds its decoding tables from the header).
//!
//! Any zlib decoder reads the output: the header is the one zlib writes at level 1
//! (`78 01`; the level field is only a hint), so tickets still start `eAE`. The output
//! is a function of the input alone.
//!
//! Files: [`bits`] (the bit writer and the fixed codes), [`lz77`] (the matching pass of
//! the size path and of a shared code), [`huffman`] (dynamic codes and their header),
//! [`small`] (the size path's block), [`shared`] ([`SharedCode`]), [`fast`] (the fast
//! path); this one picks the path.

mod bits;
mod fast;
mod huffman;
mod lz77;
mod shared;
mod small;

use bits::SMALL;
use fast::zlib_fast;
pub use shared::SharedCode;
use small::zlib_small;

/// How hard [`zlib_with`] works at making the stream small.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Effort {
    /// The size path for inputs of up to 1,024 bytes (on ticket JSON about 3% smaller
    /// than zlib's default level makes), the fast path for longer ones: what [`zlib`]
    /// does, and what every ticket made one at a time gets.
    #[default]
    Smallest,
    /// The fast path whatever the size: about a third of the size path's work, for
    /// streams a few percent larger (on ticket JSON, about 9% (v1) and 2% (v2) larger
    /// than zlib's default level), in the fixed codes (the cheapest block for a reader
    /// to open). For many tickets alike, a [`SharedCode`] is as cheap and smaller.
    Fast,
}

/// Compress `data` into a complete zlib stream.
///
/// Inputs of up to 1,024 bytes (a ticket's JSON is a few hundred) are compressed for
/// size (on ticket JSON, smaller than zlib's default level makes); longer ones for
/// speed (greedy matching, the fixed codes). The same as [`zlib_with`] at
/// [`Effort::Smallest`].
///
/// ```
/// let z = usersig::deflate::zlib(b"hello hello hello");
/// assert_eq!(&z[..2], &[0x78, 0x01]);
/// ```
pub fn zlib(data: &[u8]) -> Vec<u8> {
    zlib_with(data, Effort::Smallest)
}

/// Compress `data` into a complete zlib stream, with the given [`Effort`].
///
/// ```
/// use usersig::deflate::{Effort, zlib_with};
/// let json = br#"{"TLS.ver":"2.0","TLS.identifier":"xiaojun","TLS.sig":"UlpjNeED6Z/7sv8LzqJk8sAgF5VwNK9Gag/JTn7Qjio="}"#;
/// assert!(zlib_with(json, Effort::Smallest).len() <= zlib_with(json, Effort::Fast).len());
/// ```
pub fn zlib_with(data: &[u8], effort: Effort) -> Vec<u8> {
    if effort == Effort::Smallest && data.len() <= SMALL {
        zlib_small(data)
    } else {
        zlib_fast(data)
    }
}

#[cfg(test)]
mod tests;
