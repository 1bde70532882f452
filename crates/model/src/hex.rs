//! Lowercase hexadecimal: the text form of every hash, key and signature
//! evident writes (ledger files, audit packs, attestations).

/// The lowercase hex text of `bytes`.
pub fn encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        text.push(char::from(DIGITS[usize::from(b >> 4)]));
        text.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    text
}

/// `N` bytes from exactly `2N` **lowercase** hex digits: the one spelling
/// evident writes, so a value read back has a single text form (what a
/// signature over a file covers). `None` for anything else.
pub fn decode<const N: usize>(text: &str) -> Option<[u8; N]> {
    let digits = text.as_bytes();
    if digits.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

/// Like [`decode`], but accepting upper case too: for what people type
/// (a trusted key on the command line or in a configuration file).
pub fn decode_any_case<const N: usize>(text: &str) -> Option<[u8; N]> {
    decode(&text.to_ascii_lowercase())
}

/// One lowercase hex digit's value.
fn nibble(digit: u8) -> Option<u8> {
    let value = NIBBLES[usize::from(digit)];
    (value != INVALID).then_some(value)
}

/// Marks a byte that is not a lowercase hex digit in [`NIBBLES`].
const INVALID: u8 = 0xff;

/// Each byte's value as a lowercase hex digit. A table, because decoding
/// is on the audit pack's verify path: every hash of every inclusion proof.
const NIBBLES: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_other_spellings() {
        let bytes = [0x00, 0x7f, 0xab, 0xff];
        assert_eq!(encode(&bytes), "007fabff");
        assert_eq!(decode::<4>("007fabff"), Some(bytes));
        for bad in [
            "007FABFF",
            "007fab",
            "007fabff00",
            "007fabfg",
            "+07fabff",
            "",
        ] {
            assert_eq!(decode::<4>(bad), None, "{bad}");
        }
        assert_eq!(decode_any_case::<4>("007FABFF"), Some(bytes));
        assert_eq!(decode_any_case::<4>("007FABFG"), None);
    }
}
