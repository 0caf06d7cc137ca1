use super::*;
use base64::Engine;

const NUMERIC: &str = "AAAHeGlhb2p1blNyUhwAACcQawkl+QAAAP8AAAAA";
const NAMED: &str = "AQAHeGlhb2p1blNyUhwAAAAAawkl+QAAACoAAAAAAAdyb29tLTQy";

fn b64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

#[test]
fn decodes_real_userbufs_and_round_trips() {
    let numeric = b64(NUMERIC);
    let key = PrivateMapKey::decode(&numeric).unwrap();
    let expected = PrivateMapKey {
        account: "xiaojun".into(),
        sdkappid: 1400001052,
        room: Room::Numeric(10000),
        expires_at: 1_795_675_257 + 86400,
        privileges: 255,
        account_type: 0,
    };
    assert_eq!(key, expected);
    assert_eq!(key.privilege_names().len(), 8);
    assert_eq!(key.encode().unwrap(), numeric);

    let named = b64(NAMED);
    let key = PrivateMapKey::decode(&named).unwrap();
    let room = Room::Named("room-42".into());
    let expected = PrivateMapKey {
        room,
        privileges: 42,
        ..expected
    };
    assert_eq!(key, expected);
    let names = ["enter room", "receive audio", "receive video"];
    assert_eq!(key.privilege_names(), names);
    assert_eq!(key.encode().unwrap(), named);
}

#[test]
fn rejects_malformed() {
    assert_eq!(PrivateMapKey::decode(&b64("YWJj")), None);
    assert_eq!(PrivateMapKey::decode(&[]), None);
    for good in [b64(NUMERIC), b64(NAMED)] {
        for len in 0..good.len() {
            assert_eq!(PrivateMapKey::decode(&good[..len]), None, "len {len}");
        }
        let mut long = good.clone();
        long.push(0);
        assert_eq!(PrivateMapKey::decode(&long), None);
        let mut v2 = good.clone();
        v2[0] = 2;
        assert_eq!(PrivateMapKey::decode(&v2), None);
    }
    let mut bad_room = b64(NAMED);
    bad_room[16] = 1; // version 1 with a nonzero numeric room id
    assert_eq!(PrivateMapKey::decode(&bad_room), None);
    let mut bad_utf8 = b64(NAMED);
    *bad_utf8.last_mut().unwrap() = 0xff;
    assert_eq!(PrivateMapKey::decode(&bad_utf8), None);
}

#[test]
fn unknown_bits_and_oversized_fields() {
    let mut key = PrivateMapKey::decode(&b64(NUMERIC)).unwrap();
    key.privileges = 1 | 256 | 1 << 31;
    assert_eq!(key.privilege_names(), ["create room", "bit 8", "bit 31"]);
    key.account = "x".repeat(usize::from(u16::MAX) + 1);
    assert_eq!(key.encode(), None);
    key.account = "x".repeat(usize::from(u16::MAX));
    key.room = Room::Named("r".repeat(usize::from(u16::MAX) + 1));
    assert_eq!(key.encode(), None);
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let seeds = [b64(NUMERIC), b64(NAMED)];
    for round in 0..20_000 {
        let bytes: Vec<u8> = if round % 2 == 0 {
            let len = (next() % 64) as usize;
            (0..len).map(|_| next() as u8).collect()
        } else {
            let mut b = seeds[round % 4 / 2].clone();
            let i = (next() as usize) % b.len();
            b[i] = next() as u8 % if round % 3 == 0 { 3 } else { 255 };
            b
        };
        if let Some(key) = PrivateMapKey::decode(&bytes) {
            assert_eq!(key.encode().as_ref(), Some(&bytes));
        }
    }
}
