//! Fuzz the ticket decoder: any bytes, as a sig file's contents, through every way the
//! tool reads a ticket. Nothing may panic, hang or allocate without bound. The strict
//! JSON reader must read what serde_json reads whenever it accepts the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use usersig::clock::FixedClock;
use usersig::verify::{self, Expect, VerifyKey};
use usersig::{Secret, envelope, json, ticket, userbuf};

fuzz_target!(|data: &[u8]| {
    let clock = FixedClock::at(1_795_675_257);
    let _ = ticket::json_text(data);
    if let Ok(obj) = json::object(data) {
        let loose: serde_json::Value =
            serde_json::from_slice(data).expect("serde_json reads it too");
        assert_eq!(loose, serde_json::Value::Object(obj));
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = envelope::decode(text);
    }
    let _ = userbuf::PrivateMapKey::decode(data);
    let key = VerifyKey::Secret(
        Secret::new(b"5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e").unwrap(),
    );
    let expect = Expect {
        sdkappid: 1400001052,
        identifier: "xiaojun",
        userbuf: None,
    };
    let checked = verify::check(data, std::slice::from_ref(&key), &expect, &clock);
    if let Some(info) = &checked.info {
        let _ = info.expires_at();
        let _ = info.userbuf.as_deref().map(userbuf::PrivateMapKey::decode);
    }
});
