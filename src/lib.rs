//! claimtag's model: documents, annotations, the `claimtag/1` format, storage,
//! label scheme, re-anchoring, agreement, review differences and dataset
//! export/import. No terminal code lives here; the binary's `tui` module is a
//! thin layer over this library.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod agree;
pub mod anchor;
pub mod colour;
pub mod config;
pub mod error;
pub mod export;
pub mod format;
pub mod layout;
pub mod review;
pub mod scheme;
pub mod store;
pub mod text;

pub use error::{Error, Result};
pub use format::{Annotation, Link, Sidecar};
pub use scheme::Scheme;
pub use store::Article;
pub use text::Document;
