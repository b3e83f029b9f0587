//! HdrHistogram's percentile-distribution text format (`.hgrm`), as written by
//! `outputPercentileDistribution`, so HdrHistogram's plotter and tools read our files.

use std::io::Write;

use hdrhistogram::Histogram;

/// Writes `histogram` (values in microseconds) as `.hgrm` text with values in
/// milliseconds, `ticks` percentile steps per half-distance (HdrHistogram uses 5).
pub fn write_hgrm<W: Write>(
    histogram: &Histogram<u64>,
    ticks: u32,
    mut out: W,
) -> std::io::Result<()> {
    const SCALE: f64 = 1000.0;
    writeln!(
        out,
        "{:>12} {:>14} {:>10} {:>14}\n",
        "Value", "Percentile", "TotalCount", "1/(1-Percentile)"
    )?;
    let mut total = 0u64;
    for v in histogram.iter_quantiles(ticks) {
        total += v.count_since_last_iteration();
        let q = v.quantile_iterated_to();
        let value = v.value_iterated_to() as f64 / SCALE;
        if q < 1.0 {
            writeln!(
                out,
                "{value:12.3} {q:14.12} {total:10} {:14.2}",
                1.0 / (1.0 - q)
            )?;
        } else {
            writeln!(out, "{value:12.3} {q:14.12} {total:10}")?;
        }
    }
    writeln!(
        out,
        "#[Mean    = {:12.3}, StdDeviation   = {:12.3}]",
        histogram.mean() / SCALE,
        histogram.stdev() / SCALE
    )?;
    writeln!(
        out,
        "#[Max     = {:12.3}, Total count    = {:12}]",
        histogram.max() as f64 / SCALE,
        histogram.len()
    )?;
    writeln!(
        out,
        "#[Buckets = {:12}, SubBuckets     = {:12}]",
        histogram.buckets(),
        sub_bucket_count(histogram)
    )?;
    Ok(())
}

/// HdrHistogram's sub-bucket count (2048 at 3 significant digits), which its footer
/// prints. The crate keeps it private, so this applies its constructor's rule, the same
/// as the Java and C implementations': the smallest power of two that gives unit
/// resolution up to 2·10^digits. (`distinct_values` is the whole counts array instead.)
fn sub_bucket_count(histogram: &Histogram<u64>) -> u32 {
    (2 * 10u32.pow(u32::from(histogram.sigfig()))).next_power_of_two()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hgrm_has_header_rows_and_footer() {
        let mut h = Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3).unwrap();
        for v in 1..=1000u64 {
            h.record(v * 100).unwrap();
        }
        let mut out = Vec::new();
        write_hgrm(&h, 5, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("       Value     Percentile TotalCount 1/(1-Percentile)"));
        assert!(text.contains("#[Max     =      100.031, Total count    =         1000]"));
        let last_row = text.lines().rfind(|l| !l.starts_with('#')).unwrap();
        assert!(last_row.contains("1.000000000000"));
    }

    #[test]
    fn footer_gives_2048_sub_buckets_at_three_significant_digits() {
        let mut h = Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3).unwrap();
        h.record(1_000).unwrap();
        let mut out = Vec::new();
        write_hgrm(&h, 5, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let footer = text.lines().last().unwrap();
        assert!(footer.starts_with("#[Buckets = "), "{footer}");
        assert!(
            footer.ends_with(", SubBuckets     =         2048]"),
            "{footer}"
        );
    }

    #[test]
    fn sub_bucket_count_matches_the_crates_counts_layout() {
        // The counts array holds (buckets + 1) half-buckets; if the crate ever sized its
        // sub-buckets differently, this is where the footer would start to lie.
        for digits in 0..=5 {
            let h = Histogram::<u64>::new_with_bounds(1, 3_600_000_000, digits).unwrap();
            let half = sub_bucket_count(&h) as usize / 2;
            assert_eq!(h.distinct_values(), (usize::from(h.buckets()) + 1) * half);
        }
    }
}
