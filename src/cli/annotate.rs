use super::{AnnotateArgs, Context, Failure};

pub fn run(_ctx: &Context, _args: AnnotateArgs) -> Result<(), Failure> {
    Err(Failure::usage("annotate: not built yet"))
}
