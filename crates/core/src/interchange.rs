//! Histograms that travel: HdrHistogram's standard interchange encoding (V2 with DEFLATE,
//! then base64), the one the Java, C, Go and Rust implementations all read.
//!
//! Percentiles cannot be added up: the p99 of two runs is not the mean of their p99s.
//! Results therefore carry their full histograms in this encoding, so that runs made by
//! different client hosts at the same time can be merged exactly (`waitbench merge`), and
//! so that other HdrHistogram tools (HistogramLogAnalyzer, `hdrhistogram-go`, …) can read
//! them too. An encoded latency histogram of a typical run is a few hundred bytes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::recorder::Recorder;

/// A histogram that could not be decoded, with what was wrong.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The text is not base64.
    #[error("histogram is not base64 ({0}); expected HdrHistogram's V2+DEFLATE base64 encoding")]
    Base64(#[from] base64::DecodeError),
    /// The bytes are not a V2 histogram.
    #[error("histogram is not a V2 HdrHistogram encoding: {0:?}")]
    Hdr(hdrhistogram::serialization::DeserializeError),
}

/// One histogram in HdrHistogram's V2+DEFLATE base64 encoding, as it appears in results
/// and in interval logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
#[schemars(
    description = "An HdrHistogram in its standard interchange encoding: V2 with DEFLATE, base64 (values in microseconds)."
)]
pub struct EncodedHistogram(pub String);

impl EncodedHistogram {
    /// Encodes `histogram`.
    pub fn encode(histogram: &Histogram<u64>) -> Self {
        let mut bytes = Vec::new();
        V2DeflateSerializer::new()
            .serialize(histogram, &mut bytes)
            // Writing into a Vec cannot fail, and a u64 count of requests never exceeds the
            // i64 range that V2 stores.
            .expect("a histogram of request counts encodes into memory");
        EncodedHistogram(STANDARD.encode(bytes))
    }

    /// Decodes the histogram back, with the bounds and precision it was encoded with.
    pub fn decode(&self) -> Result<Histogram<u64>, DecodeError> {
        let bytes = STANDARD.decode(self.0.trim())?;
        Deserializer::new()
            .deserialize(&mut bytes.as_slice())
            .map_err(DecodeError::Hdr)
    }
}

/// A run's full histograms, encoded: what `waitbench merge` adds up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RunHistograms {
    /// Latency, µs (from the intended send time in the open loop).
    pub latency: EncodedHistogram,
    /// Service time, µs (from the actual send).
    pub service_time: EncodedHistogram,
    /// Open loop: send lag, µs; `None` for other load models.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_lag: Option<EncodedHistogram>,
}

impl RunHistograms {
    /// Encodes a finished run's histograms.
    pub fn encode(recorder: &Recorder) -> Self {
        RunHistograms {
            latency: EncodedHistogram::encode(&recorder.latency),
            service_time: EncodedHistogram::encode(&recorder.service),
            send_lag: (!recorder.send_lag.is_empty())
                .then(|| EncodedHistogram::encode(&recorder.send_lag)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_decodes_to_the_same_counts() {
        let mut h = Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3).unwrap();
        for v in [1, 250, 1_000, 20_000, 20_000, 5_000_000] {
            h.record(v).unwrap();
        }
        let back = EncodedHistogram::encode(&h).decode().unwrap();
        assert_eq!(back, h);
        assert_eq!(back.value_at_quantile(0.5), h.value_at_quantile(0.5));
    }

    #[test]
    fn the_encoding_is_the_v2_deflate_one_other_tools_read() {
        let h = Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3).unwrap();
        let bytes = STANDARD
            .decode(EncodedHistogram::encode(&h).0)
            .expect("base64");
        // 0x1c849304 | 0x10: the compressed V2 cookie every implementation checks first.
        assert_eq!(bytes[..4], [0x1c, 0x84, 0x93, 0x14]);
    }

    #[test]
    fn text_that_is_not_a_histogram_is_an_error_not_a_panic() {
        assert!(matches!(
            EncodedHistogram("not base64!".into()).decode(),
            Err(DecodeError::Base64(_))
        ));
        assert!(matches!(
            EncodedHistogram(STANDARD.encode(b"abcdefgh")).decode(),
            Err(DecodeError::Hdr(_))
        ));
    }
}
