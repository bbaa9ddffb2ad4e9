//! Differences between two annotators for review (issue 4).
