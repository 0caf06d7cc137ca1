//! Fuzz the shared-code path of the crate's own zlib encoder (`deflate::SharedCode`, what
//! gen-batch compresses with) against an independent inflater: whatever the code learnt
//! from and whatever it is given, its stream must be one complete zlib stream that flate2
//! inflates back to exactly the input. Two codes: one learnt from the input's own pieces
//! (so that it usually has every symbol, and the shared code itself writes the block),
//! and one learnt once from ticket JSON (so that most inputs take the size path).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use usersig::deflate::SharedCode;

mod common;

fn check(code: &SharedCode, data: &[u8]) {
    common::assert_inflates_to(&code.zlib(data), data, "SharedCode");
}

fn tickets() -> &'static SharedCode {
    static CODE: OnceLock<SharedCode> = OnceLock::new();
    CODE.get_or_init(|| {
        let samples: Vec<String> = (0..64)
            .map(|i| {
                format!(
                    r#"{{"TLS.ver":"2.0","TLS.sdkappid":1400001052,"TLS.identifier":"user{i:07}","TLS.time":1795675257,"TLS.expire":86400,"TLS.sig":"{:043x}="}}"#,
                    (i as u128 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)
                )
            })
            .collect();
        SharedCode::train(samples.iter().map(|s| s.as_bytes())).expect("samples of at most 1 KiB")
    })
}

fuzz_target!(|data: &[u8]| {
    check(tickets(), data);
    // The input's first byte says how many pieces (1 to 4) the rest is cut into to learn
    // from; each piece, and the whole, is then compressed.
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let k = usize::from(first % 4) + 1;
    let size = rest.len().div_ceil(k).max(1);
    let pieces: Vec<&[u8]> = rest.chunks(size).collect();
    if let Some(code) = SharedCode::train(pieces.iter().copied()) {
        check(&code, rest);
        for piece in &pieces {
            check(&code, piece);
        }
    }
});
