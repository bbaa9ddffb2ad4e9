//! Colours and styles. `NO_COLOR` or `theme: mono` draws with attributes only.

use ratatui::style::{Color, Modifier, Style};

use claimtag_model::Scheme;
use claimtag_model::colour::{Colour, Named};

#[derive(Debug, Clone)]
pub struct Theme {
    /// One style per scheme label, in scheme order.
    pub labels: Vec<Style>,
    pub unknown_label: Style,
    pub selection: Style,
    pub cursor: Style,
    pub search: Style,
    pub diff: Style,
    pub title: Style,
    pub title_focused: Style,
    pub status: Style,
    pub error: Style,
    pub warn: Style,
    pub dim: Style,
    pub popup: Style,
    pub highlight: Style,
    /// The target a link would go to while choosing it in the text.
    pub link_target: Style,
    pub mono: bool,
}

pub fn to_color(c: Colour) -> Color {
    match c {
        Colour::Rgb(r, g, b) => Color::Rgb(r, g, b),
        Colour::Named(n) => match n {
            Named::Black => Color::Black,
            Named::Red => Color::Red,
            Named::Green => Color::Green,
            Named::Yellow => Color::Yellow,
            Named::Blue => Color::Blue,
            Named::Magenta => Color::Magenta,
            Named::Cyan => Color::Cyan,
            Named::Gray => Color::Gray,
            Named::DarkGray => Color::DarkGray,
            Named::LightRed => Color::LightRed,
            Named::LightGreen => Color::LightGreen,
            Named::LightYellow => Color::LightYellow,
            Named::LightBlue => Color::LightBlue,
            Named::LightMagenta => Color::LightMagenta,
            Named::LightCyan => Color::LightCyan,
            Named::White => Color::White,
        },
    }
}

impl Theme {
    /// `name`: dark (default), light or mono. `overrides`: label → colour.
    pub fn new(
        name: Option<&str>,
        no_color: bool,
        scheme: &Scheme,
        overrides: &std::collections::BTreeMap<String, String>,
    ) -> Theme {
        let mono = no_color || name == Some("mono");
        if mono {
            // Without colour, labels differ by attribute and overlaps stay visible
            // through the combination of attributes.
            let attrs = [
                Modifier::UNDERLINED,
                Modifier::ITALIC | Modifier::UNDERLINED,
                Modifier::BOLD | Modifier::UNDERLINED,
                Modifier::DIM | Modifier::UNDERLINED,
            ];
            return Theme {
                labels: (0..scheme.labels.len())
                    .map(|i| Style::new().add_modifier(attrs[i % attrs.len()]))
                    .collect(),
                unknown_label: Style::new().add_modifier(Modifier::UNDERLINED),
                selection: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
                cursor: Style::new()
                    .add_modifier(Modifier::REVERSED | Modifier::BOLD | Modifier::SLOW_BLINK),
                search: Style::new().add_modifier(Modifier::BOLD),
                diff: Style::new().add_modifier(Modifier::REVERSED),
                title: Style::new(),
                title_focused: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
                status: Style::new().add_modifier(Modifier::REVERSED),
                error: Style::new().add_modifier(Modifier::BOLD),
                warn: Style::new().add_modifier(Modifier::BOLD),
                dim: Style::new().add_modifier(Modifier::DIM),
                popup: Style::new(),
                highlight: Style::new().add_modifier(Modifier::REVERSED),
                // Unlike the selection (reversed, bold), the cursor (that
                // and blinking) and the labels (underlined combinations).
                link_target: Style::new().add_modifier(Modifier::REVERSED | Modifier::ITALIC),
                mono: true,
            };
        }
        let light = name == Some("light");
        let fg = if light { Color::Black } else { Color::White };
        let labels = scheme
            .labels
            .iter()
            .map(|l| {
                let c = overrides
                    .get(&l.name)
                    .and_then(|c| claimtag_model::colour::parse(c))
                    .or_else(|| claimtag_model::colour::parse(&l.colour))
                    .map(to_color)
                    .unwrap_or(Color::Gray);
                Style::new().bg(c).fg(Color::Black)
            })
            .collect();
        Theme {
            labels,
            unknown_label: Style::new().bg(Color::Gray).fg(Color::Black),
            selection: Style::new()
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            cursor: Style::new()
                .bg(fg)
                .fg(if light { Color::White } else { Color::Black }),
            search: Style::new().bg(Color::Magenta).fg(Color::White),
            diff: Style::new()
                .add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
                .underline_color(Color::Red),
            title: Style::new()
                .fg(Color::Gray)
                .bg(if light { Color::White } else { Color::Black }),
            title_focused: Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            status: Style::new().fg(Color::Black).bg(Color::Gray),
            error: Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
            warn: Style::new().fg(Color::Black).bg(Color::Yellow),
            dim: Style::new().fg(Color::DarkGray),
            popup: Style::new()
                .fg(fg)
                .bg(if light { Color::White } else { Color::Black }),
            highlight: Style::new().fg(Color::Black).bg(Color::Cyan),
            link_target: Style::new()
                .fg(Color::Black)
                .bg(Color::LightCyan)
                .add_modifier(Modifier::BOLD | Modifier::ITALIC),
            mono: false,
        }
    }

    /// A suggestion of label `name`: never a background (tags have one), but
    /// the label's colour as the text colour, underlined; without colour,
    /// dim and not underlined (every tag is underlined there).
    pub fn ghost(&self, scheme: &Scheme, name: &str) -> Style {
        if self.mono {
            return Style::new().add_modifier(Modifier::DIM);
        }
        let label = self.label(scheme, name);
        Style::new()
            .fg(label.bg.unwrap_or(Color::Gray))
            .add_modifier(Modifier::UNDERLINED)
    }

    pub fn label(&self, scheme: &Scheme, name: &str) -> Style {
        let i = scheme.label_index(name);
        self.labels.get(i).copied().unwrap_or(self.unknown_label)
    }
}
