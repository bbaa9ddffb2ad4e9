//! Colour names used by schemes and themes, kept terminal-free: the TUI maps
//! [`Rgb`] or a named colour onto its own colour type.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    Named(Named),
    Rgb(u8, u8, u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Black,
    Red,
    Green,
    Yellow,
    Blue,
    Magenta,
    Cyan,
    Gray,
    DarkGray,
    LightRed,
    LightGreen,
    LightYellow,
    LightBlue,
    LightMagenta,
    LightCyan,
    White,
}

/// Parses `red`, `light-blue`, `dark_gray` or `#rrggbb`.
pub fn parse(s: &str) -> Option<Colour> {
    let s = s.trim();
    if let Some(hex) = s.strip_prefix('#') {
        if hex.len() != 6 || !hex.is_ascii() {
            return None;
        }
        let c = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        return Some(Colour::Rgb(c(0)?, c(2)?, c(4)?));
    }
    let norm: String = s
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .collect::<String>()
        .to_lowercase()
        .replace("grey", "gray");
    use Named::*;
    let n = match norm.as_str() {
        "black" => Black,
        "red" => Red,
        "green" => Green,
        "yellow" => Yellow,
        "blue" => Blue,
        "magenta" | "purple" => Magenta,
        "cyan" => Cyan,
        "gray" => Gray,
        "darkgray" => DarkGray,
        "lightred" => LightRed,
        "lightgreen" => LightGreen,
        "lightyellow" => LightYellow,
        "lightblue" => LightBlue,
        "lightmagenta" => LightMagenta,
        "lightcyan" => LightCyan,
        "white" => White,
        _ => return None,
    };
    Some(Colour::Named(n))
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses() {
        use super::*;
        assert_eq!(parse("#ff0080"), Some(Colour::Rgb(255, 0, 128)));
        assert_eq!(parse("Light-Blue"), Some(Colour::Named(Named::LightBlue)));
        assert_eq!(parse("dark grey"), Some(Colour::Named(Named::DarkGray)));
        assert_eq!(parse("#ff00"), None);
        assert_eq!(parse("#ff00é0"), None);
    }
}
