//! One folder's names in sorted order, holding a bounded number at a time.
//!
//! Names are gathered as the folder is read; each time `bound` of them are
//! held, they are sorted and written to a temporary file as a run, and the
//! runs are merged as the names are taken. A folder of 100,000 articles
//! (300,000 names with their sidecars) holds 16,384 names and a small buffer
//! per run, not all of them. A folder with fewer names than the bound, or
//! where no temporary file can be made, is sorted in memory.
//!
//! A sidecar sorts by its source's name and then its annotator, right after
//! its source: pairing them needs no table, only the source just passed.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};

use crate::store::parse_sidecar_name;

/// Names held before a run is written.
pub(super) const NAMES_HELD: usize = 16_384;

/// Bytes read from a run at a time.
const RUN_BUFFER: usize = 4 * 1024;

/// What a folder entry is to the corpus; anything else is passed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Source,
    /// Named like a sidecar. `file` is false for a folder so named: it is
    /// reported by `check`, never walked into (its content is not a corpus).
    Sidecar {
        file: bool,
    },
    Folder,
}

/// A name in a folder being walked.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Item {
    /// The first sixteen bytes of the key, big-endian: the primary part,
    /// and for a sidecar a 0 and its annotator (`001.txt\0alice`, so a
    /// source's sidecars do not tie with it or each other). Sorting compares
    /// these, in the array, and reads a name elsewhere in memory only when
    /// they tie. No name holds a 0, so padding with 0s sorts a shorter key
    /// first, as comparing the keys does, and the 0 before an annotator
    /// sorts a sidecar before any longer name its source's name starts.
    head: [u64; 2],
    pub name: Box<OsStr>,
    pub kind: Kind,
    /// The name's first `primary` bytes are what it sorts by first: the
    /// source's name, for a sidecar named after one; the whole name else.
    primary: u32,
    /// Where the annotator is in a sidecar's name (start, end).
    annotator: Option<(u32, u32)>,
}

impl Item {
    pub fn new(name: OsString, kind: Kind) -> Item {
        let name = name.into_boxed_os_str();
        let whole = name.len() as u32;
        let (primary, annotator) = match kind {
            Kind::Sidecar { file: true } => name
                .to_str()
                .and_then(parse_sidecar_name)
                .map(|(source, annotator)| {
                    let start = source.len() as u32 + 1;
                    (
                        source.len() as u32,
                        Some((start, start + annotator.len() as u32)),
                    )
                })
                .unwrap_or((whole, None)),
            _ => (whole, None),
        };
        Item::with_parts(name, kind, primary, annotator)
    }

    fn with_parts(
        name: Box<OsStr>,
        kind: Kind,
        primary: u32,
        annotator: Option<(u32, u32)>,
    ) -> Item {
        let bytes = name.as_encoded_bytes();
        let annotator_bytes = annotator.map(|(s, e)| &bytes[s as usize..e as usize]);
        Item {
            head: head_of(&bytes[..primary as usize], annotator_bytes),
            name,
            kind,
            primary,
            annotator,
        }
    }

    /// What it sorts by first: the whole name, or a sidecar's source's.
    pub fn primary(&self) -> &[u8] {
        &self.name.as_encoded_bytes()[..self.primary as usize]
    }

    /// The annotator of a sidecar named after a source.
    pub fn annotator(&self) -> Option<&str> {
        let (start, end) = self.annotator?;
        // Parsed from a `str` when the item was made.
        self.name.to_str()?.get(start as usize..end as usize)
    }

    /// The order after the head: primary part, then no annotator (a
    /// source) before an annotator (its sidecars, by annotator).
    fn rest(&self) -> (&[u8], Option<&[u8]>) {
        let annotator = self
            .annotator
            .map(|(s, e)| &self.name.as_encoded_bytes()[s as usize..e as usize]);
        (self.primary(), annotator)
    }

    fn write_to(&self, out: &mut Vec<u8>) {
        let bytes = self.name.as_encoded_bytes();
        let kind = match self.kind {
            Kind::Source => 0u8,
            Kind::Folder => 1,
            Kind::Sidecar { file: true } => 2,
            Kind::Sidecar { file: false } => 3,
        };
        let (start, end) = self.annotator.unwrap_or((u32::MAX, u32::MAX));
        out.push(kind);
        for n in [bytes.len() as u32, self.primary, start, end] {
            out.extend_from_slice(&n.to_le_bytes());
        }
        out.extend_from_slice(bytes);
    }
}

impl Ord for Item {
    fn cmp(&self, other: &Item) -> Ordering {
        self.head
            .cmp(&other.head)
            .then_with(|| self.rest().cmp(&other.rest()))
    }
}

impl PartialOrd for Item {
    fn partial_cmp(&self, other: &Item) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The first sixteen bytes of `primary`, then a 0 and `annotator` if there
/// is one, big-endian, padded with 0s.
fn head_of(primary: &[u8], annotator: Option<&[u8]>) -> [u64; 2] {
    let mut head = [0u8; 16];
    let mut n = primary.len().min(16);
    head[..n].copy_from_slice(&primary[..n]);
    if let Some(annotator) = annotator
        && n < 16
    {
        // The 0 is there already.
        n += 1;
        let more = annotator.len().min(16 - n);
        head[n..n + more].copy_from_slice(&annotator[..more]);
    }
    let (high, low) = head.split_at(8);
    let word = |b: &[u8]| u64::from_be_bytes(b.try_into().unwrap_or_default());
    [word(high), word(low)]
}

/// A folder's names as they are read.
pub(super) struct Listing {
    bound: usize,
    held: Vec<Item>,
    /// The temporary file and the runs in it (start, length), once written.
    runs: Option<(File, Vec<(u64, u64)>)>,
    /// No temporary file could be made or written (a full disk): the rest
    /// is held.
    in_memory_only: bool,
    /// The most names held at once (for tests).
    most_held: usize,
}

impl Listing {
    pub fn new(bound: usize) -> Listing {
        Listing {
            bound: bound.max(1),
            held: Vec::new(),
            runs: None,
            in_memory_only: false,
            most_held: 0,
        }
    }

    pub fn push(&mut self, item: Item) {
        self.held.push(item);
        self.most_held = self.most_held.max(self.held.len());
        if self.held.len() >= self.bound && !self.in_memory_only {
            self.write_run();
        }
    }

    /// Sorts what is held and appends it to the temporary file. Where that
    /// fails, the names stay held and so do the ones after them: memory is
    /// spent, nothing is lost.
    fn write_run(&mut self) {
        if self.runs.is_none() {
            match tempfile::tempfile() {
                Ok(file) => self.runs = Some((file, Vec::new())),
                Err(_) => {
                    self.in_memory_only = true;
                    return;
                }
            }
        }
        let Some((file, runs)) = &mut self.runs else {
            return;
        };
        self.held.sort_unstable();
        let mut bytes = Vec::with_capacity(self.held.len() * 32);
        for item in &self.held {
            item.write_to(&mut bytes);
        }
        let start = runs.last().map_or(0, |(s, l)| s + l);
        let wrote = file
            .seek(SeekFrom::Start(start))
            .and_then(|_| file.write_all(&bytes));
        match wrote {
            Ok(()) => {
                runs.push((start, bytes.len() as u64));
                self.held.clear();
            }
            Err(_) => self.in_memory_only = true,
        }
    }

    /// The most names held at once so far.
    pub fn most_held(&self) -> usize {
        self.most_held
    }

    /// Every name pushed, in order.
    pub fn into_sorted(mut self) -> Sorted {
        self.held.sort_unstable();
        let held = self.held.into_iter();
        let Some((file, runs)) = self.runs else {
            return Sorted {
                file: None,
                sources: vec![Next::Held(held)],
                heap: BinaryHeap::new(),
                started: false,
            };
        };
        let mut sources: Vec<Next> = runs
            .into_iter()
            .map(|(at, len)| {
                Next::Run(Run {
                    at,
                    end: at + len,
                    buffer: Vec::new(),
                    used: 0,
                })
            })
            .collect();
        sources.push(Next::Held(held));
        Sorted {
            file: Some(file),
            sources,
            heap: BinaryHeap::new(),
            started: false,
        }
    }
}

/// One sorted run in the temporary file, read a buffer at a time.
struct Run {
    at: u64,
    end: u64,
    buffer: Vec<u8>,
    used: usize,
}

impl Run {
    /// At least `n` bytes unread in the buffer, or an error if the run ends
    /// first.
    fn fill(&mut self, file: &mut File, n: usize) -> std::io::Result<()> {
        let unread = self.buffer.len() - self.used;
        if unread >= n {
            return Ok(());
        }
        self.buffer.drain(..self.used);
        self.used = 0;
        let want = (n - unread)
            .max(RUN_BUFFER)
            .min((self.end - self.at) as usize);
        if want < n - unread {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "a sorted run of the folder's names ends early",
            ));
        }
        let old = self.buffer.len();
        self.buffer.resize(old + want, 0);
        file.seek(SeekFrom::Start(self.at))?;
        file.read_exact(&mut self.buffer[old..])?;
        self.at += want as u64;
        Ok(())
    }

    fn next(&mut self, file: &mut File) -> std::io::Result<Option<Item>> {
        if self.used == self.buffer.len() && self.at == self.end {
            return Ok(None);
        }
        const HEADER: usize = 1 + 4 * 4;
        self.fill(file, HEADER)?;
        let header = &self.buffer[self.used..self.used + HEADER];
        let number = |i: usize| {
            let at = 1 + 4 * i;
            u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
        };
        let kind = match header[0] {
            0 => Kind::Source,
            1 => Kind::Folder,
            2 => Kind::Sidecar { file: true },
            _ => Kind::Sidecar { file: false },
        };
        let (len, primary, start, end) = (number(0), number(1), number(2), number(3));
        let annotator = (start != u32::MAX).then_some((start, end));
        self.used += HEADER;
        self.fill(file, len as usize)?;
        let name = name_from(&self.buffer[self.used..self.used + len as usize]);
        self.used += len as usize;
        Ok(Some(Item::with_parts(name, kind, primary, annotator)))
    }
}

#[cfg(unix)]
pub(super) fn name_from(bytes: &[u8]) -> Box<OsStr> {
    use std::os::unix::ffi::OsStrExt;
    OsStr::from_bytes(bytes).into()
}

#[cfg(not(unix))]
pub(super) fn name_from(bytes: &[u8]) -> Box<OsStr> {
    // SAFETY: the bytes are an `OsStr`'s encoded bytes, written by
    // `Item::write_to` in this process to a file only it holds.
    unsafe { OsStr::from_encoded_bytes_unchecked(bytes) }.into()
}

/// Where the merge takes its next name from.
enum Next {
    Run(Run),
    Held(std::vec::IntoIter<Item>),
}

/// A folder's names in order.
pub(super) struct Sorted {
    file: Option<File>,
    sources: Vec<Next>,
    /// The least name not yet taken from each source, with the source's
    /// place; the least of all on top.
    heap: BinaryHeap<std::cmp::Reverse<(Item, usize)>>,
    started: bool,
}

impl Sorted {
    fn take(&mut self, from: usize) -> std::io::Result<Option<Item>> {
        match &mut self.sources[from] {
            Next::Held(held) => Ok(held.next()),
            Next::Run(run) => match &mut self.file {
                Some(file) => run.next(file),
                None => Ok(None),
            },
        }
    }

    fn refill(&mut self, from: usize) -> std::io::Result<()> {
        if let Some(item) = self.take(from)? {
            self.heap.push(std::cmp::Reverse((item, from)));
        }
        Ok(())
    }
}

impl Iterator for Sorted {
    type Item = std::io::Result<Item>;

    fn next(&mut self) -> Option<Self::Item> {
        // Held names alone need no merge.
        if self.sources.len() == 1 {
            return self.take(0).transpose();
        }
        if !self.started {
            self.started = true;
            for from in 0..self.sources.len() {
                if let Err(e) = self.refill(from) {
                    return Some(Err(e));
                }
            }
        }
        let std::cmp::Reverse((item, from)) = self.heap.pop()?;
        if let Err(e) = self.refill(from) {
            return Some(Err(e));
        }
        Some(Ok(item))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kind_of(name: &str) -> Kind {
        if name.ends_with(crate::store::SIDECAR_SUFFIX) {
            Kind::Sidecar {
                file: !name.starts_with('d'),
            }
        } else if name.ends_with(".txt") {
            Kind::Source
        } else {
            Kind::Folder
        }
    }

    fn sorted(names: &[String], bound: usize) -> (Vec<String>, usize) {
        let mut listing = Listing::new(bound);
        for name in names {
            listing.push(Item::new(OsString::from(name), kind_of(name)));
        }
        let most = listing.most_held();
        let out = listing
            .into_sorted()
            .map(|item| item.unwrap().name.to_string_lossy().into_owned())
            .collect();
        (out, most)
    }

    #[test]
    fn a_sidecar_comes_right_after_its_source() {
        let names: Vec<String> = [
            "a.txt.alice.ann.yaml",
            "a.txt-.txt",
            "a.txt",
            "a.txt.bob.ann.yaml",
            "a.txt.b",
            "bad.ann.yaml",
            "a.txt-.txt.alice.ann.yaml",
        ]
        .map(String::from)
        .to_vec();
        let want = [
            "a.txt",
            "a.txt.alice.ann.yaml",
            "a.txt.bob.ann.yaml",
            "a.txt-.txt",
            "a.txt-.txt.alice.ann.yaml",
            "a.txt.b",
            "bad.ann.yaml",
        ];
        for bound in [1, 2, 3, 100] {
            assert_eq!(sorted(&names, bound).0, want, "bound {bound}");
        }
    }

    #[test]
    fn a_large_folder_is_sorted_holding_a_bounded_number_of_names() {
        let names: Vec<String> = (0..5_000u32)
            .rev()
            .flat_map(|i| {
                let source = format!("{:06}.txt", i.wrapping_mul(7919) % 5_000);
                [format!("{source}.alice.ann.yaml"), source]
            })
            .collect();
        let (out, most) = sorted(&names, 1_000);
        assert!(most <= 1_000, "held {most} names at once");
        let mut want = names.clone();
        want.sort_by_key(|n| {
            let source = n.strip_suffix(".alice.ann.yaml");
            (source.unwrap_or(n).to_string(), source.is_some())
        });
        assert_eq!(out, want);
    }

    proptest! {
        /// Sources and folders sort as their names do (the heads compared
        /// first give the order of the whole names).
        #[test]
        fn items_sort_as_their_names_do(a in "[^\\x00/]{0,20}", b in "[^\\x00/]{0,20}") {
            let item = |n: &str| Item::new(OsString::from(n), Kind::Source);
            let (x, y) = (item(&a), item(&b));
            prop_assert_eq!(x.cmp(&y), OsStr::new(&a).cmp(OsStr::new(&b)));
        }
    }

    proptest! {
        /// Any two names, sources or sidecars, sort as their keys do: the
        /// source's name, then no annotator before an annotator.
        #[test]
        fn items_sort_by_source_then_annotator(
            a in "[a-c.\\-ä]{1,12}(\\.[a-z]{1,6}\\.ann\\.yaml|\\.txt)",
            b in "[a-c.\\-ä]{1,12}(\\.[a-z]{1,6}\\.ann\\.yaml|\\.txt)",
        ) {
            let key = |n: &str| match parse_sidecar_name(n) {
                Some((source, annotator)) => (source.to_string(), Some(annotator.to_string())),
                None => (n.to_string(), None),
            };
            let item = |n: &str| Item::new(OsString::from(n), kind_of(n));
            prop_assert_eq!(item(&a).cmp(&item(&b)), key(&a).cmp(&key(&b)), "{} {}", a, b);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Whatever the bound, the merge gives the order a sort of all the
        /// names at once gives.
        #[test]
        fn runs_merge_to_one_sort(
            names in prop::collection::btree_set(
                (
                    prop::sample::select(vec!["a", "a.txt", "a-", "b", "a.txt.a", "ä", "a\u{1}"]),
                    prop::sample::select(vec![".txt", "", ".alice.ann.yaml", ".z-.ann.yaml", ".txt.bob.ann.yaml", ".ann.yaml"]),
                ),
                0..40,
            ),
            bound in 1usize..8,
        ) {
            let names: Vec<String> = names.into_iter().map(|(a, b)| format!("{a}{b}")).collect();
            let (all_at_once, _) = sorted(&names, usize::MAX);
            let (merged, most) = sorted(&names, bound);
            prop_assert_eq!(merged, all_at_once);
            prop_assert!(most <= bound.max(1));
        }
    }
}
