//! How a series looks — colour, stroke, marker, bar fill — decided once from the series
//! list, so a strategy keeps its colour across every chart, library defaults are told
//! apart from right-sized runs the same way everywhere, and so are the Python clients
//! from the Rust ones (dash-dot lines with square markers, striped bars), whatever chart
//! draws them.

use plotters::prelude::*;
use waitbench_core::{Series, Stack, Variant};

use super::theme::PALETTE;

/// How a line is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stroke {
    /// A solid line.
    Solid,
    /// A dashed line (library defaults; predictions).
    Dashed,
    /// A dotted line (per-series bounds).
    Dotted,
    /// Dash and dot (the Python clients).
    DashDot,
}

/// The marker at each measured point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    /// No marker.
    None,
    /// A filled circle.
    Filled,
    /// A hollow circle.
    Hollow,
    /// A filled square (the Python clients).
    Square,
    /// A hollow square (the Python clients with library defaults).
    HollowSquare,
}

/// Colour, stroke and marker of one line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Look {
    /// Line colour.
    pub(crate) color: RGBColor,
    /// Line stroke.
    pub(crate) stroke: Stroke,
    /// Point marker.
    pub(crate) marker: Marker,
}

/// How a bar is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BarFill {
    /// Solid colour (a measurement).
    Solid,
    /// A pale fill with a solid border (a measurement with library defaults).
    Light,
    /// A faint fill with a dashed border (a prediction).
    Outline,
    /// A pale fill striped across, with a solid border (a measurement of the Python
    /// clients, drawn apart from the Rust ones).
    Striped,
}

/// Whether a series measured the Python clients: the one test every look keys on.
pub(crate) fn is_python(series: &Series) -> bool {
    series.stack == Stack::Python
}

/// The look of each series, stable across charts: one colour per strategy, dashed and
/// hollow for library defaults, solid for right-sized; dash-dot with square markers for
/// the Python clients (hollow for their defaults); one colour per series instead when
/// two series would otherwise look the same.
pub(crate) fn series_looks(series: &[Series]) -> Vec<Look> {
    let mut strategies: Vec<&str> = Vec::new();
    for s in series {
        if !strategies.contains(&s.strategy.as_str()) {
            strategies.push(&s.strategy);
        }
    }
    let mut keys: Vec<(&str, Variant)> = series
        .iter()
        .map(|s| (s.strategy.as_str(), s.variant))
        .collect();
    keys.sort_by_key(|(name, variant)| (*name, *variant as u8));
    keys.dedup();
    let by_strategy = keys.len() == series.len();
    series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let color_index = if by_strategy {
                strategies
                    .iter()
                    .position(|name| *name == s.strategy)
                    .unwrap_or(i)
            } else {
                i
            };
            let defaults = s.variant == Variant::Defaults;
            let (stroke, marker) = match (is_python(s), defaults) {
                (true, true) => (Stroke::DashDot, Marker::HollowSquare),
                (true, false) => (Stroke::DashDot, Marker::Square),
                (false, true) if by_strategy => (Stroke::Dashed, Marker::Hollow),
                (false, true) => (Stroke::Solid, Marker::Hollow),
                (false, false) => (Stroke::Solid, Marker::Filled),
            };
            Look {
                color: PALETTE[color_index % PALETTE.len()],
                stroke,
                marker,
            }
        })
        .collect()
}

/// The fill a series' bars get: striped for the Python clients, pale for library
/// defaults, solid otherwise.
pub(crate) fn bar_fill(series: &Series) -> BarFill {
    if is_python(series) {
        BarFill::Striped
    } else if series.variant == Variant::Defaults {
        BarFill::Light
    } else {
        BarFill::Solid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(stack: Stack, variant: Variant) -> Series {
        Series {
            label: "s".into(),
            role: String::new(),
            strategy: "s".into(),
            stack,
            variant,
            points: Vec::new(),
            not_measured: None,
        }
    }

    #[test]
    fn python_bars_are_striped_whatever_their_variant_and_rust_ones_never() {
        for variant in [Variant::Defaults, Variant::RightSized, Variant::Plain] {
            assert_eq!(bar_fill(&series(Stack::Python, variant)), BarFill::Striped);
            assert_ne!(bar_fill(&series(Stack::Rust, variant)), BarFill::Striped);
        }
        assert_eq!(
            bar_fill(&series(Stack::Rust, Variant::Defaults)),
            BarFill::Light
        );
    }

    #[test]
    fn python_lines_are_dash_dot_with_square_markers_and_rust_ones_never() {
        let all: Vec<Series> = [
            (Stack::Rust, Variant::Plain),
            (Stack::Rust, Variant::Defaults),
            (Stack::Python, Variant::RightSized),
            (Stack::Python, Variant::Defaults),
        ]
        .iter()
        .enumerate()
        .map(|(i, &(stack, variant))| Series {
            strategy: format!("s{i}"),
            ..series(stack, variant)
        })
        .collect();
        let looks = series_looks(&all);
        let styles: Vec<(Stroke, Marker)> = looks.iter().map(|l| (l.stroke, l.marker)).collect();
        assert_eq!(
            styles,
            vec![
                (Stroke::Solid, Marker::Filled),
                (Stroke::Dashed, Marker::Hollow),
                (Stroke::DashDot, Marker::Square),
                (Stroke::DashDot, Marker::HollowSquare),
            ]
        );
    }
}
