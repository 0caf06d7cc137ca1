use super::*;

#[test]
fn every_status_has_its_own_number_and_name() {
    for (i, a) in TABLE.iter().enumerate() {
        for b in &TABLE[i + 1..] {
            assert_ne!(a.code, b.code, "{} and {}", a.name, b.name);
            assert_ne!(a.name, b.name);
        }
    }
    // Listed from 0 up, success first.
    assert_eq!(TABLE[0], OK);
    assert!(TABLE.windows(2).all(|w| w[0].code < w[1].code));
}
