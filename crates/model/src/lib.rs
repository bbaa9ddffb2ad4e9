//! claimtag's model: documents, annotations, the `claimtag/1` format, storage,
//! label scheme, re-anchoring, agreement, review differences and dataset
//! export/import. No terminal code lives here; the binary's `tui` module is a
//! thin layer over this library.
//!
//! Offsets on disk are Unicode code points into the text decoded from UTF-8
//! with a leading BOM removed and line endings kept:
//!
//! ```
//! use claimtag_model::{anchor, Document, Sidecar};
//!
//! let doc = Document::from_bytes("\u{feff}Kabul 👨‍👩‍👧 said:\r\nno.".as_bytes().to_vec()).unwrap();
//! assert_eq!(doc.len_chars(), 22); // BOM dropped, CRLF counts as two
//! let start = doc.text().find("no").unwrap();
//! let bytes = start..start + 2;
//! let mut sidecar = Sidecar::new("alice", "a.txt", doc.sha256(), doc.len_chars());
//! let id = sidecar.fresh_id();
//! sidecar.annotations.push(anchor::new_annotation(&doc, bytes, "denial", id));
//! let a = &sidecar.annotations[0];
//! assert_eq!((a.start, a.end, a.text.as_str()), (19, 21, "no"));
//! // YAML 1.1 readers would take a bare `no` for false: it is quoted.
//! assert!(sidecar.to_yaml().contains("  text: \"no\"\n"));
//! ```

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod agree;
pub mod anchor;
pub mod batch_write;
pub mod check;
pub mod colour;
pub mod config;
pub mod corpus;
pub mod diff;
pub mod error;
pub mod export;
pub mod format;
pub mod id;
pub mod lock;
pub mod merge;
pub mod output;
pub mod parallel;
pub mod reading;
pub mod relabel;
pub mod review;
pub mod scheme;
pub mod search;
pub mod sentences;
pub mod session;
pub mod status;
pub mod store;
pub mod suggest;
pub mod text;
pub mod unitizing;

pub use error::{Error, Result};
pub use format::{Annotation, Link, Sidecar, Status};
pub use scheme::Scheme;
pub use store::Article;
pub use text::Document;
