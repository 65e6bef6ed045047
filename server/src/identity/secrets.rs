//! Random secrets and their hashes. Every secret Loket hands out (activation codes, session ids, link tokens)
//! has at least 80 bits of entropy, so a plain SHA-256 is a sufficient one-way store: there is nothing to
//! brute-force that a slow hash would protect.

use base64::Engine;
use rand::Rng;
use sha2::{Digest, Sha256};

/// Crockford's base32 alphabet: no I, L, O or U, so codes survive being read aloud or typed from a letter.
pub const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A random string of `len` characters from [`CODE_ALPHABET`] (5 bits each).
pub fn code_chars(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())]))
        .collect()
}

/// 256 random bits, URL-safe base64 without padding: session ids and link tokens.
pub fn token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// 128 random bits, URL-safe base64 without padding (22 characters): secrets that must fit in an SMS link,
/// such as appointment link tokens.
pub fn short_token() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// How long [`id`] is; the SMS proof at start-up counts on it.
pub const ID_LEN: usize = 28;

/// A random identifier for rows (not a secret): 28 lower-case letters (131 bits). Letters only, so an id in
/// a link (`/afspraken/{id}`) never holds a run of digits that passes the BSN eleven-test or looks like a
/// postcode.
pub fn id() -> String {
    const LETTERS: &[u8; 26] = b"abcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    (0..ID_LEN)
        .map(|_| char::from(LETTERS[rng.random_range(0..LETTERS.len())]))
        .collect()
}

/// Lower-case hex SHA-256.
pub fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Equality that takes the same time wherever the inputs differ (only their lengths may show).
pub fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// A 6-digit code for a message (an address's or an appointment link's check). Only 20 bits: it is worth
/// something only together with a limit on tries and a short validity, which every user of it keeps.
pub fn six_digits() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// What someone typed as a 6-digit code, without spaces; `None` unless exactly six digits remain.
pub fn typed_six_digits(input: &str) -> Option<String> {
    let typed: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    (typed.len() == 6 && typed.chars().all(|c| c.is_ascii_digit())).then_some(typed)
}

/// Normalises what someone typed into a code: capitals, no spaces or dashes, and the characters people confuse
/// mapped the Crockford way (O → 0, I and L → 1). `None` when anything else remains.
pub fn normalise_code(input: &str) -> Option<String> {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' | '\u{a0}' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !CODE_ALPHABET.contains(&(c as u8)) {
            return None;
        }
        out.push(c);
    }
    Some(out)
}

/// `ABCDEFGH…` → `ABCD-EFGH-…`, the form printed on letters and screens.
pub fn group(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_only_the_unambiguous_alphabet() {
        let code = code_chars(200);
        assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{code}");
    }

    #[test]
    fn typed_codes_are_normalised_and_grouped_codes_round_trip() {
        assert_eq!(normalise_code("ab1o-il 9z").as_deref(), Some("AB10119Z"));
        assert_eq!(normalise_code("abcd-efgh").as_deref(), Some("ABCDEFGH"));
        assert_eq!(normalise_code("ab!"), None);
        assert_eq!(normalise_code("abü"), None);
        let code = code_chars(20);
        assert_eq!(
            normalise_code(&group(&code)).as_deref(),
            Some(code.as_str())
        );
    }

    #[test]
    fn tokens_are_long_and_distinct_and_hashes_are_stable() {
        assert_ne!(token(), token());
        assert!(token().len() >= 43);
        assert_eq!(hash("a"), hash("a"));
        assert_ne!(hash("a"), hash("b"));
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
    }
}
