//! Agreement measures (issue 4).
