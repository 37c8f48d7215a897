//! Where a kiosk keeps its configuration and its state, as every technician verb names them, and reading them.
//! Must not do: write anything.

use std::path::{Path, PathBuf};

use kiosk_core::config::{self, Config};

use crate::steps::Step;

/// The kiosk's two places on disk.
#[derive(clap::Args, Clone, Debug)]
pub struct Place {
    /// The kiosk's configuration file.
    #[arg(long, env = "KIOSK_CONFIG", default_value = config::DEFAULT_PATH)]
    pub config: PathBuf,
    /// The kiosk's state directory (device key, outbox, queue, staff).
    #[arg(long, env = "STATE_DIRECTORY", default_value = "/var/lib/kiosk")]
    pub state_dir: PathBuf,
}

impl Place {
    /// The configuration as the kiosk reads it, or the failed "config" step naming every problem.
    pub fn load(&self) -> Result<Config, Step> {
        load_config(&self.config)
    }

    pub fn enrolment_record(&self) -> PathBuf {
        self.state_dir.join(ENROLMENT_RECORD)
    }
}

/// The record `enrol` leaves in the state directory: which portal accepted which key, and when.
pub const ENROLMENT_RECORD: &str = "enrolment.json";

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Enrolled {
    pub kiosk_id: String,
    pub portal: String,
    pub confirmation: String,
    /// Unix seconds.
    pub at: i64,
}

pub fn read_enrolment(place: &Place) -> Option<Enrolled> {
    serde_json::from_slice(&std::fs::read(place.enrolment_record()).ok()?).ok()
}

pub fn load_config(path: &Path) -> Result<Config, Step> {
    let bytes = std::fs::read(path).map_err(|error| {
        let hint = if error.kind() == std::io::ErrorKind::NotFound {
            "write one with `kiosk-provision setup` (or copy assets/kiosk.example.toml and edit it)".to_owned()
        } else {
            format!("check the file's permissions (run as root, or as the kiosk user): {error}")
        };
        Step::fail("config", format!("cannot read {}", path.display()), hint)
    })?;
    config::parse(path, &bytes).map_err(|error| {
        let problems: Vec<String> = error.problems.iter().map(|p| format!("{}: {}", p.key, p.message)).collect();
        Step::fail(
            "config",
            format!("{} has {} problem(s): {}", path.display(), problems.len(), problems.join("; ")),
            format!("fix each key named, then check again with `kiosk-provision check-config {}`", path.display()),
        )
    })
}

/// Gives `path` to the owner of the state directory when a technician runs the verb as root, so the kiosk (its
/// own user) can still read what root wrote there. Does nothing when the owners already agree.
pub fn own_like_state_dir(place: &Place, path: &Path) -> std::io::Result<()> {
    own_like_dir(&place.state_dir, path)
}

/// Gives `path` to the owner of `dir` (see [`own_like_state_dir`]).
pub fn own_like_dir(dir: &Path, path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    let dir = std::fs::metadata(dir)?;
    let file = std::fs::metadata(path)?;
    if (file.uid(), file.gid()) != (dir.uid(), dir.gid()) {
        std::os::unix::fs::chown(path, Some(dir.uid()), Some(dir.gid()))?;
    }
    Ok(())
}

/// Makes the state directory (and its parents) if it is not there: mode 700 like the kiosk's own
/// (`StateDirectoryMode=0700`); an existing one is left as it is (`self-test` reports its mode).
pub fn make_state_dir(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}
