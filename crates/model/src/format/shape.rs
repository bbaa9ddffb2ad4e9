//! The plain shape claimtag writes, as the two fast roads of reading share
//! it: which keys a sidecar, its source, an annotation and a link have, each
//! at most once, and what kind of value each holds. A road gives the values
//! ([`Values`]); anything it is not sure of is `None`, and the next road
//! reads the file instead.

use super::{Annotation, At, Extra, Link, Wire, WireAnn};

/// How a road reads the values of the plain shape. Each call reads the node
/// the road is at; `None` means "not sure", never an error.
pub(super) trait Values: Sized {
    /// A string: quoted as written, plain when plainly a string.
    fn string(&mut self) -> Option<At<String>>;
    /// A count: plain decimal digits, no sign and no leading zero.
    fn count(&mut self) -> Option<At<usize>>;
    /// `true` or `false`, plain.
    fn flag(&mut self) -> Option<bool>;
    /// Reads a mapping, giving each key to `field`, which reads its value.
    fn mapping(&mut self, field: impl FnMut(&mut Self, &str) -> Option<()>) -> Option<()>;
    /// Reads a sequence, reading each item with `item`.
    fn sequence<T>(&mut self, item: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>>;

    fn text(&mut self) -> Option<String> {
        self.string().map(|s| s.value)
    }
}

/// A whole sidecar.
pub(super) fn file(r: &mut impl Values) -> Option<Wire> {
    let (mut format, mut source, mut annotator, mut updated) = (None, None, None, None);
    let (mut next_id, mut status, mut annotations) = (None, None, None);
    r.mapping(|r, key| match key {
        "format" => once(&mut format, r.string()?),
        "source" => once(&mut source, self::source(r)?),
        "annotator" => once(&mut annotator, r.string()?),
        "updated" => once(&mut updated, r.text()?),
        "next_id" => once(&mut next_id, r.count()?.value as u64),
        "status" => once(&mut status, r.string()?),
        "annotations" => once(&mut annotations, r.sequence(annotation)?),
        _ => None,
    })?;
    let (file, sha256, chars) = source?;
    Some(Wire {
        format: format?,
        file,
        sha256,
        chars,
        source_extra: Extra::new(),
        annotator: annotator?,
        updated: updated.unwrap_or_default(),
        next_id,
        status,
        annotations: annotations.unwrap_or_default(),
        extra: Extra::new(),
    })
}

type Source = (At<String>, Option<At<String>>, Option<At<usize>>);

fn source(r: &mut impl Values) -> Option<Source> {
    let (mut file, mut sha256, mut chars) = (None, None, None);
    r.mapping(|r, key| match key {
        "file" => once(&mut file, r.string()?),
        "sha256" => once(&mut sha256, r.string()?),
        "chars" => once(&mut chars, r.count()?),
        _ => None,
    })?;
    Some((file?, sha256, chars))
}

fn annotation(r: &mut impl Values) -> Option<WireAnn> {
    let (mut id, mut label, mut start, mut end) = (None, None, None, None);
    let (mut text, mut prefix, mut suffix, mut created) = (None, None, None, None);
    let (mut claimant, mut links, mut note, mut from, mut orphan) = (None, None, None, None, None);
    r.mapping(|r, key| match key {
        "id" => once(&mut id, r.string()?),
        "label" => once(&mut label, r.text()?),
        "start" => once(&mut start, r.count()?.value),
        "end" => once(&mut end, r.count()?.value),
        "text" => once(&mut text, r.text()?),
        "prefix" => once(&mut prefix, r.text()?),
        "suffix" => once(&mut suffix, r.text()?),
        "claimant" => once(&mut claimant, r.text()?),
        "links" => once(&mut links, r.sequence(link)?),
        "note" => once(&mut note, r.text()?),
        "created" => once(&mut created, r.text()?),
        "from" => once(&mut from, r.text()?),
        "orphan" => once(&mut orphan, r.flag()?),
        _ => None,
    })?;
    let id: At<String> = id?;
    Some(WireAnn {
        id_place: id.place,
        annotation: Annotation {
            id: id.value,
            label: label?,
            start: start?,
            end: end?,
            text: text.unwrap_or_default(),
            prefix: prefix.unwrap_or_default(),
            suffix: suffix.unwrap_or_default(),
            claimant,
            links: links.unwrap_or_default(),
            note,
            created: created.unwrap_or_default(),
            from,
            orphan: orphan.unwrap_or_default(),
            extra: Extra::new(),
        },
    })
}

fn link(r: &mut impl Values) -> Option<Link> {
    let (mut rel, mut to) = (None, None);
    r.mapping(|r, key| match key {
        "rel" => once(&mut rel, r.text()?),
        "to" => once(&mut to, r.text()?),
        _ => None,
    })?;
    Some(Link { rel: rel?, to: to? })
}

/// Fills a slot the first time; a second value for a key is `None`.
fn once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    match slot {
        Some(_) => None,
        None => {
            *slot = Some(value);
            Some(())
        }
    }
}

/// Whether plain digits are a count as the plain shape has them: decimal,
/// no sign, no leading zero.
pub(super) fn is_count(digits: &str) -> bool {
    let digits = digits.as_bytes();
    !digits.is_empty()
        && digits.iter().all(u8::is_ascii_digit)
        && (digits[0] != b'0' || digits.len() == 1)
}

/// Whether a plain scalar is a string to any YAML reader. serde-saphyr gives
/// a plain scalar to a string field as written, but its untyped reading (for
/// unknown keys) resolves the whole file, and refuses `.inf` there; so
/// anything that might be a null, a boolean or a number (`~`, `no`, `1e3`,
/// `0x1F`, `1_000`, `-.inf`, `12:30`, `2022-02-03`) goes the general road.
/// Names such as `001.txt` and hashes such as `1efd…` stay here.
pub(super) fn plainly_a_string(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n", ".inf", "+.inf", "-.inf",
        ".nan",
    ];
    // No word is longer than five bytes: most strings skip the list.
    !(s.is_empty()
        || number_like(s)
        || (s.len() <= 5 && WORDS.iter().any(|w| w.eq_ignore_ascii_case(s))))
}

/// Whether a plain scalar could be a YAML 1.1 or 1.2 integer or float, in
/// any base or with `_` and `:` separators; errs on the side of yes.
fn number_like(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let radix = ["0x", "0o", "0b", "0X", "0O", "0B"]
        .iter()
        .find_map(|p| unsigned.strip_prefix(p));
    match radix {
        Some(digits) => digits.chars().all(|c| c.is_ascii_hexdigit() || c == '_'),
        None => {
            unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.')
                && unsigned
                    .chars()
                    .all(|c| c.is_ascii_digit() || "._:eE+-".contains(c))
        }
    }
}
