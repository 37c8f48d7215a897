//! Reading aloud: the text of a screen, prepared the way a person reads it (kiosk-core's `speech`), spoken by
//! espeak-ng (its Vietnamese or English voice) in a process of its own, its audio played through ALSA by
//! `aplay`. One utterance at a time on the `speech` thread: a new one, or `stop`, ends the one playing.
//! Must not do: run on the UI thread, log what is spoken (a resident's answers are read back to them), or
//! keep the audio.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use kiosk_core::config::{Language, Speech};

/// Where the speech goes.
#[derive(Debug, Clone)]
pub enum Output {
    /// The sound card (espeak-ng's WAV piped into `aplay`).
    Device,
    /// espeak-ng's WAV piped into this command instead of `aplay` (program and arguments): another player, or,
    /// in tests, one that keeps "playing" until it is stopped, to see a tap stop it.
    Player(Vec<String>),
    /// Each utterance written as NNN.wav beside `transcript.txt` (tests, the walkthrough, the benchmark); what a
    /// resident would have heard, kept for checking, never on a kiosk.
    Capture(PathBuf),
}

enum Order {
    Say { text: String, language: Language },
    Stop,
}

/// The speaker: hands utterances to the `speech` thread.
#[derive(Debug, Clone)]
pub struct Speaker {
    orders: mpsc::Sender<Order>,
}

impl Speaker {
    pub fn start(settings: Speech, output: Output) -> Speaker {
        let (orders, inbox) = mpsc::channel();
        let spawned = std::thread::Builder::new().name("speech".into()).spawn(move || run(settings, output, inbox));
        if let Err(error) = spawned {
            tracing::error!(%error, "could not start the speech thread");
        }
        Speaker { orders }
    }

    /// Speaks `text` (as written on the screen) in `language`, ending whatever was being spoken.
    pub fn say(&self, text: String, language: Language) {
        let _ = self.orders.send(Order::Say { text, language });
    }

    /// Ends what is being spoken.
    pub fn stop(&self) {
        let _ = self.orders.send(Order::Stop);
    }
}

/// espeak-ng's voice for a language (its Northern Vietnamese voice: Hanoi speaks it).
pub fn voice(language: Language) -> &'static str {
    match language {
        Language::Vietnamese => "vi",
        Language::English => "en",
    }
}

/// espeak-ng's arguments for `spoken` (already prepared), writing WAV to standard output.
pub fn espeak_args(settings: &Speech, language: Language, spoken: &str) -> Vec<String> {
    vec![
        "-v".into(),
        voice(language).into(),
        "-s".into(),
        settings.rate.to_string(),
        "-a".into(),
        settings.volume.to_string(),
        "--stdout".into(),
        spoken.into(),
    ]
}

struct Playing {
    children: Vec<Child>,
}

impl Playing {
    fn stop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.children.clear();
    }

    fn reap(&mut self) {
        self.children.retain_mut(|child| !matches!(child.try_wait(), Ok(Some(_))));
    }
}

fn run(settings: Speech, output: Output, inbox: mpsc::Receiver<Order>) {
    let mut playing = Playing { children: Vec::new() };
    let mut count = 0u32;
    loop {
        let order = match inbox.recv_timeout(Duration::from_millis(200)) {
            Ok(order) => order,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                playing.reap();
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        playing.stop();
        let Order::Say { text, language } = order else { continue };
        let spoken = kiosk_core::speech::prepare(&text, language);
        if spoken.trim().is_empty() {
            continue;
        }
        count += 1;
        tracing::debug!(characters = spoken.chars().count(), language = language.code(), "reading aloud");
        let started = match &output {
            Output::Device => play(&settings, language, &spoken, &["aplay".into(), "-q".into(), "-".into()]),
            Output::Player(command) => play(&settings, language, &spoken, command),
            Output::Capture(dir) => capture(&settings, language, &spoken, dir, count).map(|()| Vec::new()),
        };
        match started {
            Ok(children) => playing.children = children,
            Err(error) => tracing::warn!(error = %format!("{error:#}"), "could not read aloud"),
        }
    }
    playing.stop();
}

/// espeak-ng | aplay (or `player`), both killed when the next order comes.
fn play(settings: &Speech, language: Language, spoken: &str, player: &[String]) -> anyhow::Result<Vec<Child>> {
    use anyhow::Context as _;
    let mut espeak = Command::new("espeak-ng")
        .args(espeak_args(settings, language, spoken))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("starting espeak-ng (Debian package espeak-ng)")?;
    let audio = espeak.stdout.take().context("espeak-ng's output")?;
    let (program, args) = player.split_first().context("no player command")?;
    let started = Command::new(program).args(args).stdin(audio).stderr(Stdio::null()).spawn();
    match started {
        Ok(player) => Ok(vec![espeak, player]),
        Err(error) => {
            let _ = espeak.kill();
            let _ = espeak.wait();
            Err(anyhow::Error::new(error).context(format!("starting {program} (aplay: Debian package alsa-utils)")))
        }
    }
}

/// `spoken` (already prepared) as espeak-ng's WAV, from a process of its own (the waiting-room board's
/// announcements; captured utterances).
pub fn synthesize(settings: &Speech, language: Language, spoken: &str) -> anyhow::Result<Vec<u8>> {
    use anyhow::Context as _;
    let output = Command::new("espeak-ng")
        .args(espeak_args(settings, language, spoken))
        .stderr(Stdio::null())
        .output()
        .context("running espeak-ng (Debian package espeak-ng)")?;
    anyhow::ensure!(output.status.success() && !output.stdout.is_empty(), "espeak-ng failed: {}", output.status);
    Ok(output.stdout)
}

/// The utterance as NNN.wav, and its text on a line of transcript.txt.
fn capture(settings: &Speech, language: Language, spoken: &str, dir: &std::path::Path, n: u32) -> anyhow::Result<()> {
    use anyhow::Context as _;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let wav = synthesize(settings, language, spoken)?;
    std::fs::write(dir.join(format!("{n:03}.wav")), &wav)?;
    let mut transcript = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("transcript.txt"))?;
    writeln!(transcript, "{n:03} [{}] {spoken}", language.code())?;
    Ok(())
}
