//! Tencent's Node PrivateMapKey tickets (fixtures/privmap_vectors.json) made again by
//! the library at the same second: the same bytes.

use serde_json::Value;
use usersig::Secret;
use usersig::clock::FixedClock;
use usersig::userbuf::Room;

use crate::common::{SECRET, decode_independently, fixture};

fn vectors() -> Vec<Value> {
    let text = std::fs::read_to_string(fixture("privmap_vectors.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["cases"].as_array().unwrap().clone()
}

#[test]
fn ours_made_at_the_same_second_match_node_byte_for_byte() {
    for case in vectors() {
        let name = case["name"].as_str().unwrap();
        let init = case["init_time"].as_i64().unwrap();
        let secret = Secret::new(SECRET.as_bytes()).unwrap();
        let room = match case.get("room_str") {
            Some(s) => Room::Named(s.as_str().unwrap().into()),
            None => Room::Numeric(case["room_id"].as_u64().unwrap() as u32),
        };
        let ours = usersig::compat::private_map_key_ticket(
            (&secret).into(),
            case["sdkappid"].as_u64().unwrap() as u32,
            case["identifier"].as_str().unwrap(),
            case["expire"].as_u64().unwrap() as u32,
            room,
            case["privilege_map"].as_u64().unwrap() as u32,
            &FixedClock::at(init),
        )
        .unwrap();
        let json: Value = serde_json::from_str(&decode_independently(&ours)).unwrap();
        assert_eq!(json["TLS.userbuf"], case["userbuf_base64"], "{name}");
        // The same signed content gives the same MAC as Node's.
        assert_eq!(json["TLS.sig"], case["mac_base64"], "{name}");
        assert_eq!(json["TLS.time"].as_i64(), Some(init), "{name}");
        assert_eq!(json["TLS.expire"], case["expire"], "{name}");
    }
}
