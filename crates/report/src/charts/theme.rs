//! The look every chart shares: canvas size, the bundled font, the palette and the text
//! styles. Kept in one place so that two charts never disagree on a colour or a font size,
//! and so the font is the bundled one (no system font or fontconfig) wherever text is drawn.

use std::sync::OnceLock;

use plotters::prelude::*;

/// Every chart is drawn at this size, in pixels.
pub(crate) const SIZE: (u32, u32) = (1200, 800);
/// Family name the bundled font is registered under.
const FONT: &str = "sans-serif";
/// DejaVu Sans (Bitstream Vera license, see `assets/LICENSE-DejaVu.txt`).
static FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Registers the bundled font with plotters once; false if it could not be parsed.
pub(crate) fn ensure_font() -> bool {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    *REGISTERED
        .get_or_init(|| plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok())
}

/// Text colour.
pub(crate) const INK: RGBColor = RGBColor(33, 37, 41);
/// Secondary text colour (notes, annotations).
pub(crate) const MUTED: RGBColor = RGBColor(90, 96, 104);
/// Colour of reference lines such as the Little's-law bound.
pub(crate) const REFERENCE: RGBColor = RGBColor(60, 60, 60);
/// Series colours (matplotlib's tab10, which stays distinguishable in print).
pub(crate) const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// A text style in the bundled font.
pub(crate) fn font(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

/// A text style in the bundled font, in the secondary colour.
pub(crate) fn muted_font(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&MUTED)
}
