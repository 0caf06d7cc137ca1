//! Ticket text made and read without the library: standard base64 with Tencent's
//! character swap, and zlib by flate2. Both packages' tests use these (the library's
//! include this file by path), so that one independent decoder checks every ticket.
#![allow(dead_code)]

use std::io::Read;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Ticket text for raw bytes, made without the library: base64, then the swap.
pub fn ticket_text(bytes: &[u8]) -> String {
    STANDARD
        .encode(bytes)
        .replace('+', "*")
        .replace('/', "-")
        .replace('=', "_")
}

/// Decode ticket text without the library: undo the character swap, base64, inflate.
pub fn decode_independently(text: &str) -> String {
    let std_b64: String = text
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .map(|c| match c {
            '*' => '+',
            '-' => '/',
            '_' => '=',
            c => c,
        })
        .collect();
    let compressed = STANDARD.decode(std_b64).expect("base64");
    let mut json = String::new();
    flate2::read::ZlibDecoder::new(&compressed[..])
        .read_to_string(&mut json)
        .expect("zlib");
    json
}
