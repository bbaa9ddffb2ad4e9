use super::{Context, Failure, ImportArgs};

pub fn run(_ctx: &Context, _args: ImportArgs) -> Result<(), Failure> {
    Err(Failure::usage("import: not built yet"))
}
