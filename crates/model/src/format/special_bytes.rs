//! The characters a sidecar's scalars treat specially, found by their UTF-8
//! bytes rather than by decoding every character: the readers and the
//! writer of the block layout scan every string they handle, and decoding
//! character by character was most of that.

/// Whether a character must be escaped in a double-quoted scalar and may
/// not stand in a plain one: C0 and C1 controls, DEL, U+FEFF (BOM),
/// U+2028, U+2029, U+FFFE, U+FFFF (serde-saphyr's
/// `is_controll_which_needs_escaping`).
pub(super) fn needs_escaping(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{FEFF}' | '\u{2028}' | '\u{2029}' | '\u{FFFE}' | '\u{FFFF}'
        )
}

/// The character starting at byte `at` if it [`needs_escaping`], with its
/// length in bytes. 0xC2, 0xE2 and 0xEF only ever lead a character, and the
/// others are ASCII.
#[inline]
pub(super) fn escaped_at(bytes: &[u8], at: usize) -> Option<(char, usize)> {
    let next = |n: usize| bytes.get(at + n).copied().unwrap_or(0);
    match bytes[at] {
        b @ (0x00..=0x1F | 0x7F) => Some((char::from(b), 1)),
        0xC2 if (0x80..=0x9F).contains(&next(1)) => Some((char::from(next(1)), 2)),
        0xE2 if next(1) == 0x80 && matches!(next(2), 0xA8 | 0xA9) => Some((
            if next(2) == 0xA8 {
                '\u{2028}'
            } else {
                '\u{2029}'
            },
            3,
        )),
        0xEF => match (next(1), next(2)) {
            (0xBB, 0xBF) => Some(('\u{FEFF}', 3)),
            (0xBF, 0xBE) => Some(('\u{FFFE}', 3)),
            (0xBF, 0xBF) => Some(('\u{FFFF}', 3)),
            _ => None,
        },
        _ => None,
    }
}

/// A table of the bytes a scan must stop at: the C0 controls, DEL, the
/// bytes that may lead a character that [`needs_escaping`], and `also`.
pub(super) const fn stops(also: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[0x7F] = true;
    table[0xC2] = true;
    table[0xE2] = true;
    table[0xEF] = true;
    let mut i = 0;
    while i < also.len() {
        table[also[i] as usize] = true;
        i += 1;
    }
    table
}

/// Where in `bytes` the next byte of `table` is.
#[inline]
pub(super) fn next_stop(table: &[bool; 256], bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| table[b as usize])
}

/// Whether `hit` holds at one of the bytes of `bytes` that `table` stops
/// at, looking only there.
#[inline]
pub(super) fn any_stop(
    table: &[bool; 256],
    bytes: &[u8],
    mut hit: impl FnMut(usize) -> bool,
) -> bool {
    let mut at = 0;
    while let Some(skip) = next_stop(table, &bytes[at..]) {
        at += skip;
        if hit(at) {
            return true;
        }
        at += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The bytes find exactly the characters that need escaping.
        #[test]
        fn bytes_find_what_characters_would(
            s in "[\\x00-\\x7f\u{80}-\u{a0}\u{feff}\u{2028}\u{2029}\u{2027}\u{fffd}-\u{ffff}é中ذ😀]{0,40}",
        ) {
            let bytes = s.as_bytes();
            let by_bytes: Vec<(usize, char)> = (0..bytes.len())
                .filter_map(|at| escaped_at(bytes, at).map(|(c, len)| {
                    assert_eq!(len, c.len_utf8());
                    (at, c)
                }))
                .collect();
            let by_chars: Vec<(usize, char)> =
                s.char_indices().filter(|&(_, c)| needs_escaping(c)).collect();
            prop_assert_eq!(by_bytes, by_chars);
        }
    }
}
