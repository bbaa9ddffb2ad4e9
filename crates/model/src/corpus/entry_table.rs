//! The corpus index's sources, in path order, holding a bounded number in
//! memory: they are kept in blocks of names laid end to end, and past the
//! first block each full block is written to a temporary file and read
//! back when asked for. Commands go through the sources in order, so a
//! block read back serves the next few thousand. Where no temporary file
//! can be made, every block stays in memory.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::{Arc, Mutex};

/// Sources in a block.
pub(super) const BLOCK: usize = 4_096;
/// Blocks kept in memory before the rest go to the temporary file: a corpus
/// of 8,192 sources (this one and the one being filled) is held whole.
pub(super) const BLOCKS_HELD: usize = 1;
/// Blocks read back and kept, for a few readers going through in order.
const BLOCKS_CACHED: usize = 2;

/// One source: its folder's number, its set of annotators' number, its
/// file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    pub folder: u32,
    pub set: u32,
    pub name: Box<OsStr>,
}

#[derive(Debug, Clone, Copy)]
struct Row {
    folder: u32,
    set: u32,
    /// Where the name ends in the block's names.
    name_end: u32,
}

/// Consecutive sources, their names end to end.
#[derive(Debug, Default)]
struct Block {
    rows: Vec<Row>,
    names: Vec<u8>,
}

impl Block {
    fn push(&mut self, folder: u32, set: u32, name: &OsStr) {
        self.names.extend_from_slice(name.as_encoded_bytes());
        self.rows.push(Row {
            folder,
            set,
            name_end: self.names.len() as u32,
        });
    }

    fn row(&self, i: usize) -> (Row, &[u8]) {
        let row = self.rows[i];
        let start = if i == 0 {
            0
        } else {
            self.rows[i - 1].name_end as usize
        };
        (row, &self.names[start..row.name_end as usize])
    }

    fn entry(&self, i: usize) -> Entry {
        let (row, name) = self.row(i);
        Entry {
            folder: row.folder,
            set: row.set,
            name: super::sorted_listing::name_from(name),
        }
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + self.rows.len() * 12 + self.names.len());
        out.extend_from_slice(&(self.rows.len() as u32).to_le_bytes());
        out.extend_from_slice(&(self.names.len() as u32).to_le_bytes());
        for r in &self.rows {
            for n in [r.folder, r.set, r.name_end] {
                out.extend_from_slice(&n.to_le_bytes());
            }
        }
        out.extend_from_slice(&self.names);
        out
    }

    fn decode(bytes: &[u8]) -> Option<Block> {
        let number = |at: usize| -> Option<u32> {
            Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
        };
        let rows = number(0)? as usize;
        let names = number(4)? as usize;
        let names_at = 8 + rows * 12;
        let block = Block {
            rows: (0..rows)
                .map(|i| {
                    let at = 8 + i * 12;
                    Some(Row {
                        folder: number(at)?,
                        set: number(at + 4)?,
                        name_end: number(at + 8)?,
                    })
                })
                .collect::<Option<_>>()?,
            names: bytes.get(names_at..names_at + names)?.to_vec(),
        };
        Some(block)
    }
}

/// Where a full block is.
#[derive(Debug)]
enum Place {
    Held(Block),
    /// In the temporary file: start, length.
    Written(u64, usize),
}

/// Sources in order, most of them on disk past [`BLOCKS_HELD`] blocks.
#[derive(Debug)]
pub(super) struct EntryTable {
    block_len: usize,
    blocks_held: usize,
    full: Vec<Place>,
    last: Block,
    len: usize,
    /// The temporary file, once a block is written; `Err` when none could
    /// be made (every block is then held).
    file: Option<Result<Mutex<File>, ()>>,
    written: u64,
    cache: Mutex<Vec<(usize, Arc<Block>)>>,
    /// Why a block could not be read back, the first time one could not.
    trouble: Mutex<Option<String>>,
}

impl Default for EntryTable {
    fn default() -> EntryTable {
        EntryTable::with_bounds(BLOCK, BLOCKS_HELD)
    }
}

impl EntryTable {
    pub fn with_bounds(block_len: usize, blocks_held: usize) -> EntryTable {
        EntryTable {
            block_len: block_len.max(1),
            blocks_held,
            full: Vec::new(),
            last: Block::default(),
            len: 0,
            file: None,
            written: 0,
            cache: Mutex::new(Vec::new()),
            trouble: Mutex::new(None),
        }
    }

    /// An empty table with the same bounds.
    pub fn emptied(&self) -> EntryTable {
        EntryTable::with_bounds(self.block_len, self.blocks_held)
    }

    /// Puts `made` (from this table's sources) in this table's place,
    /// keeping why a block of this one could not be read back: `made` may
    /// lack those sources, and the command must still fail.
    pub fn replace_with(&mut self, made: EntryTable) {
        let trouble = self.trouble();
        *self = made;
        if let Some(why) = trouble
            && let Ok(mut mine) = self.trouble.lock()
        {
            mine.get_or_insert(why);
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Why a block could not be read back from the temporary file, if one
    /// could not.
    pub fn trouble(&self) -> Option<String> {
        self.trouble.lock().ok().and_then(|t| t.clone())
    }

    pub fn push(&mut self, folder: u32, set: u32, name: &OsStr) {
        if self.last.rows.is_empty() {
            // Its room at once: grown by doubling, each block left the
            // halves it outgrew among the memory the walk frees.
            self.last.rows.reserve_exact(self.block_len);
            self.last.names.reserve(self.block_len * 16);
        }
        self.last.push(folder, set, name);
        self.len += 1;
        if self.last.rows.len() == self.block_len {
            let block = std::mem::take(&mut self.last);
            let place = if self.full.len() < self.blocks_held {
                Place::Held(block)
            } else {
                self.write(block)
            };
            self.full.push(place);
        }
    }

    /// Writes a block to the temporary file, or keeps it when it cannot.
    fn write(&mut self, block: Block) -> Place {
        let file = self
            .file
            .get_or_insert_with(|| tempfile::tempfile().map(Mutex::new).map_err(|_| ()));
        let Ok(Ok(file)) = file.as_mut().map(Mutex::get_mut) else {
            return Place::Held(block);
        };
        let bytes = block.encode();
        let at = self.written;
        let wrote = file
            .seek(SeekFrom::Start(at))
            .and_then(|_| file.write_all(&bytes));
        match wrote {
            Ok(()) => {
                self.written += bytes.len() as u64;
                Place::Written(at, bytes.len())
            }
            // A full disk: memory is the fallback.
            Err(_) => Place::Held(block),
        }
    }

    /// The `i`th source; `None` past the end or if its block cannot be read
    /// back from the temporary file.
    pub fn get(&self, i: usize) -> Option<Entry> {
        self.with_row(i, |block, at| block.entry(at))
    }

    /// The `i`th source's set of annotators.
    pub fn set(&self, i: usize) -> Option<u32> {
        self.with_row(i, |block, at| block.rows[at].set)
    }

    fn with_row<T>(&self, i: usize, f: impl FnOnce(&Block, usize) -> T) -> Option<T> {
        if i >= self.len {
            return None;
        }
        let (number, at) = (i / self.block_len, i % self.block_len);
        match self.full.get(number) {
            None => Some(f(&self.last, at)),
            Some(Place::Held(block)) => Some(f(block, at)),
            Some(Place::Written(start, len)) => match self.read_back(number, *start, *len) {
                Ok(block) => Some(f(&block, at)),
                Err(why) => {
                    if let Ok(mut trouble) = self.trouble.lock() {
                        trouble.get_or_insert(why);
                    }
                    None
                }
            },
        }
    }

    fn read_back(&self, number: usize, start: u64, len: usize) -> Result<Arc<Block>, String> {
        const POISONED: &str = "a thread reading it failed";
        let mut cache = self.cache.lock().map_err(|_| POISONED)?;
        if let Some((_, block)) = cache.iter().find(|(n, _)| *n == number) {
            return Ok(Arc::clone(block));
        }
        let Some(Ok(file)) = &self.file else {
            return Err("it is gone".to_string());
        };
        let mut bytes = vec![0; len];
        {
            let mut file = file.lock().map_err(|_| POISONED)?;
            file.seek(SeekFrom::Start(start))
                .and_then(|_| file.read_exact(&mut bytes))
                .map_err(|e| e.to_string())?;
        }
        let block = Arc::new(Block::decode(&bytes).ok_or("a block came back cut short")?);
        if cache.len() == BLOCKS_CACHED {
            cache.remove(0);
        }
        cache.push((number, Arc::clone(&block)));
        Ok(block)
    }

    /// Every source in order.
    pub fn iter(&self) -> impl Iterator<Item = Entry> + '_ {
        (0..self.len).map_while(|i| self.get(i))
    }

    /// The temporary file lost under the table (an empty one instead), as
    /// a disk failing would.
    #[cfg(test)]
    pub fn lose_file(&mut self) {
        self.file = Some(Ok(Mutex::new(tempfile::tempfile().unwrap())));
        self.cache.lock().unwrap().clear();
    }

    /// Sources held in memory now: the blocks held and the one being
    /// filled.
    #[cfg(test)]
    pub fn held(&self) -> usize {
        let held = self
            .full
            .iter()
            .filter(|p| matches!(p, Place::Held(_)))
            .count();
        held * self.block_len + self.last.rows.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(i: usize) -> String {
        format!("{i:05}{}.txt", "é".repeat(i % 3))
    }

    #[test]
    fn sources_past_the_bound_are_kept_on_disk_and_read_back() {
        let mut table = EntryTable::with_bounds(10, 2);
        for i in 0..1_000 {
            table.push(i as u32 % 7, i as u32 % 5, OsStr::new(&name(i)));
        }
        assert_eq!(table.len(), 1_000);
        assert!(table.held() <= 30, "{} held", table.held());
        // In order, backwards, and from two threads at once.
        let want = |i: usize| Entry {
            folder: i as u32 % 7,
            set: i as u32 % 5,
            name: OsStr::new(&name(i)).into(),
        };
        assert!(table.iter().enumerate().all(|(i, e)| e == want(i)));
        for i in (0..1_000).rev() {
            assert_eq!(table.get(i), Some(want(i)));
            assert_eq!(table.set(i), Some(i as u32 % 5));
        }
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| assert!(table.iter().enumerate().all(|(i, e)| e == want(i))));
            }
        });
        assert_eq!(table.get(1_000), None);
        assert_eq!(table.trouble(), None);
    }

    #[test]
    fn a_block_that_cannot_be_read_back_is_trouble_not_a_panic() {
        let mut table = EntryTable::with_bounds(2, 1);
        for i in 0..10 {
            table.push(0, 0, OsStr::new(&name(i)));
        }
        table.lose_file();
        assert_eq!(
            table.get(1).map(|e| e.name),
            Some(OsStr::new(&name(1)).into())
        );
        assert_eq!(table.get(5), None);
        assert_eq!(table.set(9), None);
        assert!(table.trouble().is_some_and(|why| !why.is_empty()));
        // The held blocks still answer.
        assert_eq!(table.set(0), Some(0));
        // A table made from what could be read keeps the trouble.
        let mut made = table.emptied();
        for e in table.iter() {
            made.push(e.folder, e.set, &e.name);
        }
        assert_eq!(made.len(), 2);
        table.replace_with(made);
        assert_eq!(table.len(), 2);
        assert!(table.trouble().is_some());
    }
}
