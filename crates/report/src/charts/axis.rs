//! The axis engine: how a data value maps to plot space (linear, log10, or "nines" for
//! percentiles) and which ticks an axis gets. Every tick is chosen here rather than by
//! plotters, so that ticks land on round values, on the measured concurrency levels, or on
//! the classic percentiles, and so that labels never show floating-point round-trip noise.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

/// How an axis maps data to the plot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    /// Plot position = value.
    Linear,
    /// Plot position = log10(value).
    Log10,
    /// For percentiles 0..100: plot position = log10(1 / (1 − p/100)), so 90, 99, 99.9 … are
    /// evenly spaced (HdrHistogram's percentile distribution plot).
    Nines,
}

/// What an axis fitted to data leaves room for beyond the values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fit {
    /// Points and lines: the values alone (every axis pads its ends a little anyway).
    Points,
    /// Bars: headroom for the notes above the tallest bar and, on a log scale, a bottom
    /// well below the shortest bar so that it stays visible.
    Bars,
}

/// One axis: description with unit, scale, range and ticks (in plot space), and a label
/// format applied to data values.
pub(crate) struct Axis {
    desc: String,
    scale: Scale,
    range: (f64, f64),
    ticks: Vec<f64>,
    light: Vec<f64>,
    format: fn(f64) -> String,
}

impl Axis {
    /// A linear axis over `lo..=hi` with round ticks and some headroom.
    pub(crate) fn linear(desc: &str, lo: f64, hi: f64, format: fn(f64) -> String) -> Self {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else if hi == 0.0 {
            (0.0, 1.0)
        } else {
            (lo.min(0.0), hi.abs() * 1.1 + f64::EPSILON)
        };
        let step = nice_step(hi - lo, 6.0);
        let start = (lo / step).floor() * step;
        let end = ((hi + (hi - lo) * 0.04) / step).ceil() * step;
        let ticks = (0..)
            .map(|i| start + f64::from(i) * step)
            .take_while(|t| *t <= end + step * 1e-6)
            .collect();
        Axis {
            desc: desc.to_string(),
            scale: Scale::Linear,
            range: (start, end),
            ticks,
            light: Vec::new(),
            format,
        }
    }

    /// A log10 axis over `lo..=hi` (both > 0) with 1-2-5 ticks.
    pub(crate) fn log(desc: &str, lo: f64, hi: f64, format: fn(f64) -> String) -> Self {
        let (plo, phi) = padded_log_range(lo, hi);
        let (ticks, light) = log_ticks(10f64.powf(plo), 10f64.powf(phi));
        Axis {
            desc: desc.to_string(),
            scale: Scale::Log10,
            range: (plo, phi),
            ticks: ticks.iter().map(|v| v.log10()).collect(),
            light: light.iter().map(|v| v.log10()).collect(),
            format,
        }
    }

    /// A log10 axis ticked at the measured values (e.g. the concurrency levels swept),
    /// falling back to 1-2-5 ticks when they are too many or too close together.
    pub(crate) fn log_at(desc: &str, values: &[f64], format: fn(f64) -> String) -> Self {
        let mut xs: Vec<f64> = values
            .iter()
            .copied()
            .filter(|v| v.is_finite() && *v > 0.0)
            .collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup_by(|a, b| (*a - *b).abs() <= f64::EPSILON * b.abs());
        let (Some(&lo), Some(&hi)) = (xs.first(), xs.last()) else {
            return Axis::log(desc, 1.0, 10.0, format);
        };
        let mut axis = if lo == hi {
            Axis::log(desc, lo / 3.0, hi * 3.0, format)
        } else {
            Axis::log(desc, lo, hi, format)
        };
        let span = axis.range.1 - axis.range.0;
        let well_spaced = xs.windows(2).all(|w| (w[1] / w[0]).log10() > span * 0.055);
        if xs.len() <= 12 && well_spaced {
            axis.ticks = xs.iter().map(|v| v.log10()).collect();
            let (decades, light) = log_ticks(10f64.powf(axis.range.0), 10f64.powf(axis.range.1));
            axis.light = decades
                .into_iter()
                .chain(light)
                .map(f64::log10)
                .filter(|p| axis.ticks.iter().all(|t| (t - p).abs() > 1e-9))
                .collect();
        }
        axis
    }

    /// An axis fitted to `values`: linear from 0 (or the smallest value, if negative) to
    /// the largest, or log10 when every value is positive and they span more than 10×;
    /// reaching past the values as far as `fit` asks.
    pub(crate) fn fitted(
        desc: &str,
        values: impl IntoIterator<Item = f64>,
        format: fn(f64) -> String,
        fit: Fit,
    ) -> Self {
        let Some((lo, hi)) = finite_range(values) else {
            return Axis::linear(desc, 0.0, 1.0, format);
        };
        let (log_below, log_above, linear_above) = match fit {
            Fit::Points => (1.0, 1.0, 1.0),
            Fit::Bars => (2.5, 1.8, 1.12),
        };
        if lo > 0.0 && hi / lo > 10.0 {
            Axis::log(desc, lo / log_below, hi * log_above, format)
        } else {
            Axis::linear(desc, lo.min(0.0), hi * linear_above, format)
        }
    }

    /// An axis of percentiles on the "nines" scale, from 0 to at least 99.99 %.
    pub(crate) fn nines(desc: &str, highest_percentile: f64) -> Self {
        let top = nines_pos(highest_percentile).ceil().clamp(4.0, 7.0);
        let ticks = [0.0, 2f64.log10()]
            .into_iter()
            .chain((1..=top as i32).map(f64::from))
            .collect();
        Axis {
            desc: desc.to_string(),
            scale: Scale::Nines,
            range: (0.0, top + 0.1),
            ticks,
            light: Vec::new(),
            format: format_percentile,
        }
    }

    /// A category axis for `n` groups of bars at plot positions 0 … n−1, without ticks.
    pub(crate) fn categories(n: usize) -> Self {
        Axis {
            desc: String::new(),
            scale: Scale::Linear,
            range: (-0.5, n as f64 - 0.5),
            ticks: Vec::new(),
            light: Vec::new(),
            format: |_| String::new(),
        }
    }

    /// Where a data value goes in plot space, clamped to the axis.
    pub(crate) fn pos(&self, value: f64) -> f64 {
        let p = match self.scale {
            Scale::Linear => value,
            Scale::Log10 if value > 0.0 => value.log10(),
            Scale::Log10 => f64::NEG_INFINITY,
            Scale::Nines => nines_pos(value),
        };
        p.clamp(self.range.0, self.range.1)
    }

    /// Whether a data value lies outside the axis (and [`Axis::pos`] clamps it), so that
    /// what is drawn there can say it was cut.
    pub(crate) fn beyond(&self, value: f64) -> bool {
        let p = match self.scale {
            Scale::Linear => value,
            Scale::Log10 if value > 0.0 => value.log10(),
            Scale::Log10 => return true,
            Scale::Nines => nines_pos(value),
        };
        p < self.range.0 || p > self.range.1
    }

    /// The lowest plot position (where bars start).
    pub(crate) fn bottom(&self) -> f64 {
        match self.scale {
            Scale::Linear => 0f64.clamp(self.range.0, self.range.1),
            Scale::Log10 | Scale::Nines => self.range.0,
        }
    }

    /// Both ends in plot space.
    pub(crate) fn range(&self) -> (f64, f64) {
        self.range
    }

    /// Whether the axis is logarithmic.
    pub(crate) fn is_log(&self) -> bool {
        self.scale == Scale::Log10
    }

    /// The description under (or beside) the axis, with its unit; empty for none.
    pub(super) fn desc(&self) -> &str {
        &self.desc
    }

    /// The tick label of plot position `p`, in the axis' format.
    pub(super) fn label(&self, p: f64) -> String {
        let value = match self.scale {
            Scale::Linear => p,
            Scale::Log10 => 10f64.powf(p),
            Scale::Nines => 100.0 * (1.0 - 10f64.powf(-p)),
        };
        // Round-trip noise (e.g. 10^log10(300) = 299.99999999999994) must not show.
        let value = if value.abs() > 1e-9 {
            let digits = 12 - value.abs().log10().floor() as i32;
            let scale = 10f64.powi(digits);
            (value * scale).round() / scale
        } else {
            0.0
        };
        (self.format)(value)
    }

    /// The axis as a plotters coordinate, with its ticks.
    pub(super) fn coord(&self) -> AxisCoord {
        AxisCoord {
            inner: (self.range.0..self.range.1).into(),
            bold: self.ticks.clone(),
            light: self.light.clone(),
        }
    }
}

fn nines_pos(percentile: f64) -> f64 {
    if percentile >= 100.0 {
        f64::INFINITY
    } else {
        -(1.0 - percentile / 100.0).log10()
    }
}

fn format_percentile(p: f64) -> String {
    let text = format!("{p:.5}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

/// A round step (1, 2, 2.5 or 5 × 10^k) giving about `target` intervals over `span`.
fn nice_step(span: f64, target: f64) -> f64 {
    let raw = (span / target).max(f64::MIN_POSITIVE);
    let magnitude = 10f64.powf(raw.log10().floor());
    let norm = raw / magnitude;
    let m = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 2.5 {
        2.5
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * magnitude
}

/// log10 range of `lo..=hi` with a margin so points do not sit on the frame.
fn padded_log_range(lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = (lo.max(f64::MIN_POSITIVE), hi.max(f64::MIN_POSITIVE));
    let (l, h) = (lo.log10(), hi.max(lo).log10());
    let pad = ((h - l) * 0.06).max(0.08);
    (l - pad, h + pad)
}

/// Bold 1-2-5 (or decade) ticks and light 1…9 ticks within `lo..=hi`, in data space.
fn log_ticks(lo: f64, hi: f64) -> (Vec<f64>, Vec<f64>) {
    let (k0, k1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let decades = k1 - k0;
    let bold_mantissas: &[u32] = match decades {
        ..=1 => &[1, 2, 3, 5],
        2..=4 => &[1, 2, 5],
        _ => &[1],
    };
    let (mut bold, mut light) = (Vec::new(), Vec::new());
    for k in k0..=k1 {
        for m in 1..=9u32 {
            let v = f64::from(m) * 10f64.powi(k);
            if v < lo * (1.0 - 1e-9) || v > hi * (1.0 + 1e-9) {
                continue;
            }
            if bold_mantissas.contains(&m) {
                bold.push(v);
            } else {
                light.push(v);
            }
        }
    }
    if bold.len() < 2 {
        bold.append(&mut light);
        bold.sort_by(f64::total_cmp);
    }
    (bold, light)
}

/// The smallest and largest finite values, or `None` when there are none.
fn finite_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |range, v| match range {
            None => Some((v, v)),
            Some((lo, hi)) => Some((f64::min(lo, v), f64::max(hi, v))),
        })
}

/// One coordinate axis as plotters sees it: f64 in plot space with explicit bold and
/// light tick positions. (plotters' own `WithKeyPoints<RangedCoordf64>` cannot take a
/// label formatter, because f64 ranges opt out of default formatting.)
#[derive(Clone)]
pub(crate) struct AxisCoord {
    inner: RangedCoordf64,
    bold: Vec<f64>,
    light: Vec<f64>,
}

impl Ranged for AxisCoord {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.light.clone()
        } else {
            self.bold.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axis_ticks_follow_one_two_five() {
        let (bold, light) = log_ticks(1.0, 1000.0);
        assert_eq!(
            bold,
            [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]
        );
        assert!(light.contains(&3.0));
    }

    #[test]
    fn measured_concurrency_levels_become_the_ticks() {
        let axis = Axis::log_at("c", &[1.0, 10.0, 100.0, 1000.0, 5000.0], |v| v.to_string());
        let labels: Vec<String> = axis.ticks.iter().map(|t| axis.label(*t)).collect();
        assert_eq!(labels, ["1", "10", "100", "1000", "5000"]);
    }

    #[test]
    fn nines_axis_labels_the_classic_percentiles() {
        let axis = Axis::nines("p", 99.99);
        let labels: Vec<String> = axis.ticks.iter().map(|t| axis.label(*t)).collect();
        assert_eq!(labels, ["0%", "50%", "90%", "99%", "99.9%", "99.99%"]);
    }

    #[test]
    fn fitted_axis_goes_log_only_beyond_ten_times() {
        for fit in [Fit::Points, Fit::Bars] {
            let axis = |values: [f64; 2]| Axis::fitted("y", values, |v| v.to_string(), fit);
            assert!(axis([1.0, 50.0]).is_log());
            assert!(!axis([1.0, 5.0]).is_log());
            assert!(!axis([0.0, 50.0]).is_log());
        }
    }

    #[test]
    fn bar_axis_leaves_room_above_the_tallest_bar_and_below_the_shortest() {
        let format = |v: f64| v.to_string();
        let linear = Axis::fitted("y", [0.0, 95.0], format, Fit::Bars);
        assert!(linear.range.1 >= 95.0 * 1.12);
        let log = Axis::fitted("y", [1.0, 1000.0], format, Fit::Bars);
        assert!(log.range.0 <= (1.0f64 / 2.5).log10());
        assert!(log.range.1 >= (1000.0f64 * 1.8).log10());
    }

    #[test]
    fn values_past_either_end_are_beyond_the_axis() {
        let linear = Axis::linear("y", 0.0, 87.0, |v| v.to_string());
        assert!(!linear.beyond(0.0) && !linear.beyond(87.0));
        assert!(linear.beyond(-1.0) && linear.beyond(1000.0));
        let log = Axis::log("y", 1.0, 100.0, |v| v.to_string());
        assert!(!log.beyond(1.0) && !log.beyond(100.0));
        assert!(log.beyond(0.0) && log.beyond(-5.0) && log.beyond(0.1));
    }

    #[test]
    fn linear_axis_ticks_are_round() {
        let axis = Axis::linear("y", 0.0, 87.0, |v| v.to_string());
        assert_eq!(axis.ticks.first(), Some(&0.0));
        assert!(axis.range.1 >= 87.0);
        assert!(
            axis.ticks
                .windows(2)
                .all(|w| ((w[1] - w[0]) - 20.0).abs() < 1e-9)
        );
    }
}
