//! WAV audio as the waiting-room board plays it: a chime drawn as samples, espeak-ng's speech read back into
//! samples, and one mono 16-bit WAV made of them in turn (chime, Vietnamese, a pause, English).
//! Must not do: I/O or run the synthesiser (the shell does both).

/// Mono 16-bit samples at a sample rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pcm {
    pub rate: u32,
    pub samples: Vec<i16>,
}

/// Reads a PCM WAV (16-bit; stereo is mixed down). espeak-ng writing to a pipe cannot go back to fill in its
/// sizes, so a chunk size running past the end is taken as "to the end".
pub fn read(bytes: &[u8]) -> Option<Pcm> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return None;
    }
    let (mut at, mut format) = (12usize, None);
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let size = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]]) as usize;
        let body = &bytes[at + 8..bytes.len().min((at + 8).saturating_add(size))];
        match id {
            b"fmt " if body.len() >= 16 => {
                let word = |i: usize| u16::from_le_bytes([body[i], body[i + 1]]);
                let rate = u32::from_le_bytes([body[4], body[5], body[6], body[7]]);
                format = Some((word(0), word(2), rate, word(14)));
            }
            b"data" => {
                let (kind, channels, rate, bits) = format?;
                if kind != 1 || bits != 16 || channels == 0 {
                    return None;
                }
                let frame = 2 * channels as usize;
                let samples = body
                    .chunks_exact(frame)
                    .map(|f| {
                        let sum: i32 = f.chunks_exact(2).map(|s| i32::from(i16::from_le_bytes([s[0], s[1]]))).sum();
                        (sum / i32::from(channels)) as i16
                    })
                    .collect();
                return Some(Pcm { rate, samples });
            }
            _ => {}
        }
        at = at.saturating_add(8).saturating_add(size + (size & 1));
    }
    None
}

/// A mono 16-bit PCM WAV file.
pub fn write(pcm: &Pcm) -> Vec<u8> {
    let data = (pcm.samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + data as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&pcm.rate.to_le_bytes());
    out.extend_from_slice(&(pcm.rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data.to_le_bytes());
    for sample in &pcm.samples {
        out.extend_from_slice(&sample.to_le_bytes());
    }
    out
}

/// The two-note chime before every call ("ding-dong": A5 then E5, each dying away), at `rate`.
pub fn chime(rate: u32) -> Vec<i16> {
    let mut samples = Vec::new();
    for (frequency, seconds) in [(880.0f32, 0.45f32), (659.25, 0.7)] {
        let count = (rate as f32 * seconds) as usize;
        samples.extend((0..count).map(|i| {
            let t = i as f32 / rate as f32;
            // A soft attack (no click), then an exponential fade; the octave above gives it a bell's edge.
            let envelope = (t / 0.01).min(1.0) * (-t * 5.0).exp();
            let wave = (std::f32::consts::TAU * frequency * t).sin() * 0.8
                + (std::f32::consts::TAU * 2.0 * frequency * t).sin() * 0.2;
            (wave * envelope * 0.5 * f32::from(i16::MAX)) as i16
        }));
    }
    samples
}

pub fn silence(rate: u32, seconds: f32) -> Vec<i16> {
    vec![0; (rate as f32 * seconds) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_wav_reads_back_and_an_unfinished_size_reads_to_the_end() {
        let pcm = Pcm { rate: 22_050, samples: chime(22_050) };
        let bytes = write(&pcm);
        assert_eq!(bytes.len(), 44 + pcm.samples.len() * 2);
        assert_eq!(read(&bytes), Some(pcm.clone()));
        // As espeak-ng writes to a pipe: sizes it could not know.
        let mut piped = bytes.clone();
        piped[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        piped[40..44].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
        assert_eq!(read(&piped), Some(pcm));
        assert_eq!(read(b"RIFF\0\0\0\0WAVE"), None);
        assert_eq!(read(b"not a wav"), None);
    }

    #[test]
    fn the_chime_is_two_notes_that_fade_without_clipping() {
        let samples = chime(22_050);
        // 0.45 s and 0.7 s (a sample either way from rounding).
        assert!(samples.len().abs_diff((22_050.0 * 1.15) as usize) <= 2, "{}", samples.len());
        let loudest = samples.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
        assert!(loudest > 8_000 && loudest < 20_000, "{loudest}");
        // It starts and ends quietly (no click).
        assert!(samples[0].unsigned_abs() < 100);
        assert!(samples[samples.len() - 1].unsigned_abs() < 2_000);
    }
}
