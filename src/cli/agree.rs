use super::{AgreeArgs, Context, Failure};

pub fn run(_ctx: &Context, _args: AgreeArgs) -> Result<(), Failure> {
    Err(Failure::usage("agree: not built yet"))
}
