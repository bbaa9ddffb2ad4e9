use super::{Context, ExportArgs, Failure};

pub fn run(_ctx: &Context, _args: ExportArgs) -> Result<(), Failure> {
    Err(Failure::usage("export: not built yet"))
}
