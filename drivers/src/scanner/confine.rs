//! The scanner helper's confinement (review M7): before it loads any SANE backend, `kiosk-sane-helper` gives up
//! every file it does not need, with Linux Landlock. A backend that misbehaves, or a scanner that feeds it
//! crafted data, then cannot read the kiosk's state directory (the device key, the outbox with residents' sealed
//! dossiers) nor write anywhere but devices and lock files.
//!
//! Kept: reading the system (`/usr`, `/lib*`, `/etc` for SANE's configuration, `/proc`, `/sys`, `/run/udev` for
//! USB enumeration), `SANE_CONFIG_DIR` when set, and reading and writing devices (`/dev`: USB, SCSI generic) and
//! lock folders. Network access stays (eSCL scanners are on the network); the kiosk's process also runs the
//! helper under the systemd unit's own restrictions.
//!
//! On a kernel without Landlock nothing is enforced; [`confine`] says so, and the helper logs it once.

use landlock::{
    path_beneath_rules, Access, AccessFs, Ruleset, RulesetAttr, RulesetCreatedAttr, RulesetError, RulesetStatus, ABI,
};

/// How much of the confinement the kernel enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confinement {
    Full,
    Partial,
    /// The kernel has no Landlock: the helper runs with the kiosk's rights.
    None,
}

const READ: &[&str] = &["/usr", "/lib", "/lib64", "/bin", "/etc", "/proc", "/sys", "/run/udev", "/opt"];
const READ_WRITE: &[&str] = &["/dev", "/run/lock", "/var/lock"];

fn existing(paths: impl IntoIterator<Item = String>) -> Vec<String> {
    paths.into_iter().filter(|p| std::path::Path::new(p).exists()).collect()
}

/// Confines this process (and what it starts) to what SANE needs. Call before SANE is initialised.
pub fn confine() -> Result<Confinement, RulesetError> {
    let abi = ABI::V3;
    let mut read: Vec<String> = READ.iter().map(|p| (*p).to_owned()).collect();
    if let Some(dir) = std::env::var_os("SANE_CONFIG_DIR") {
        // SANE_CONFIG_DIR is a list; an empty entry means the built-in directory (already under /etc).
        read.extend(std::env::split_paths(&dir).filter(|p| !p.as_os_str().is_empty()).map(|p| p.display().to_string()));
    }
    let status = Ruleset::default()
        .handle_access(AccessFs::from_all(abi))?
        .create()?
        .add_rules(path_beneath_rules(existing(read), AccessFs::from_read(abi)))?
        .add_rules(path_beneath_rules(
            existing(READ_WRITE.iter().map(|p| (*p).to_owned())),
            AccessFs::from_read(abi) | AccessFs::WriteFile | AccessFs::MakeReg | AccessFs::RemoveFile,
        ))?
        .restrict_self()?;
    Ok(match status.ruleset {
        RulesetStatus::FullyEnforced => Confinement::Full,
        RulesetStatus::PartiallyEnforced => Confinement::Partial,
        RulesetStatus::NotEnforced => Confinement::None,
    })
}
