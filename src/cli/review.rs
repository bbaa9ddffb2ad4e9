use super::{Context, Failure, ReviewArgs};

pub fn run(_ctx: &Context, _args: ReviewArgs) -> Result<(), Failure> {
    Err(Failure::usage("review: not built yet"))
}
