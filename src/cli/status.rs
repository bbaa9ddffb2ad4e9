//! `claimtag status [PATH] [--json]`: the corpus dashboard
//! ([`claimtag_model::status`]) as two tables, or JSON.

use std::path::PathBuf;

use claimtag_model::status;

use super::{Context, Failure, StatusArgs, out::emit};

pub fn run(_ctx: &Context, args: StatusArgs) -> Result<(), Failure> {
    let root = args.path.unwrap_or_else(|| PathBuf::from("."));
    let d = status::dashboard(std::slice::from_ref(&root))?;
    if args.json {
        let text = serde_json::to_string_pretty(&d)
            .map_err(|e| Failure::usage(format!("status: cannot write JSON: {e}")))?;
        return emit(&(text + "\n"));
    }
    emit(&status::table(&d, &root))
}
