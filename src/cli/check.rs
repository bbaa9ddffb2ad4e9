use super::{CheckArgs, Context, Failure};

pub fn run(_ctx: &Context, _args: CheckArgs) -> Result<(), Failure> {
    Err(Failure::usage("check: not built yet"))
}
