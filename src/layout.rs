//! Visual layout of text for the terminal (word wrap, widths), terminal-free.
