//! HTTPS for the staff pages and the counter API (review M1): a certificate authority of the kiosk's own, and
//! the kiosk's certificate signed by it, kept in `<state dir>/tls/`.
//!
//! - `ca.pem`: the authority's certificate. A counter PC trusts it once (README: "Trusting the kiosk on a counter
//!   PC"); its SHA-256 fingerprint is printed so the technician can compare it on the PC.
//! - `kiosk.pem`, `kiosk.key` (mode 600): the kiosk's certificate chain and key, served by rustls.
//!
//! The authority is **name-constrained** to the kiosk's own names and addresses, and its key is thrown away once
//! it has signed: a stolen kiosk (or a stolen `ca.pem` trust) cannot be used to vouch for any other site. Renewal
//! or a new address means a new authority (`kiosk-provision tls`), trusted again on the counter PCs.
//!
//! Made by `kiosk-provision tls`, or by the kiosk on its first start if missing (with the names it can see).

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use sha2::Digest as _;

/// The folder in the state directory.
pub const DIR: &str = "tls";
/// How long the authority and the kiosk's certificate are valid, in years.
pub const VALID_YEARS: i32 = 5;

/// The names a counter PC may use to reach the kiosk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    pub dns: Vec<String>,
    pub ips: Vec<IpAddr>,
}

/// The files of a kiosk's TLS, in `dir`.
#[derive(Debug, Clone)]
pub struct Files {
    pub authority: PathBuf,
    pub chain: PathBuf,
    pub key: PathBuf,
}

impl Files {
    pub fn in_dir(dir: &Path) -> Files {
        Files { authority: dir.join("ca.pem"), chain: dir.join("kiosk.pem"), key: dir.join("kiosk.key") }
    }

    fn complete(&self) -> bool {
        self.authority.exists() && self.chain.exists() && self.key.exists()
    }
}

/// What the kiosk serves HTTPS with, and whether staff may still use plain HTTP.
#[derive(Clone)]
pub struct Tls {
    pub config: Arc<rustls::ServerConfig>,
    /// Plain HTTP still serves the staff pages and the API (a test bench; off by default).
    pub plain_for_staff: bool,
}

/// The names the kiosk can see for itself: `localhost`, its host name (and `<host>.local`), loopback, and the
/// address it listens on, or every address of its interfaces when it listens on all of them.
pub fn names_for(listen: SocketAddr) -> Names {
    let mut dns = vec!["localhost".to_owned()];
    if let Some(host) = host_name().filter(|h| !h.is_empty() && h != "localhost") {
        dns.push(format!("{host}.local"));
        dns.push(host);
    }
    let mut ips: Vec<IpAddr> = vec![IpAddr::from([127, 0, 0, 1]), IpAddr::from(std::net::Ipv6Addr::LOCALHOST)];
    if listen.ip().is_unspecified() {
        for interface in if_addrs::get_if_addrs().unwrap_or_default() {
            let ip = interface.ip();
            let link_local = matches!(ip, IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80);
            if !ip.is_loopback() && !link_local {
                ips.push(ip);
            }
        }
    } else if !listen.ip().is_loopback() {
        ips.push(listen.ip());
    }
    ips.dedup();
    Names { dns, ips }
}

fn host_name() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").ok()?.trim().to_ascii_lowercase();
    // Only names a certificate can carry.
    name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.').then_some(name)
}

/// Makes a new authority and the kiosk's certificate for `names` in `dir` (replacing what was there, each file
/// written whole). Returns the authority's fingerprint.
pub fn make(dir: &Path, names: &Names) -> anyhow::Result<String> {
    use rcgen::{
        BasicConstraints, CertificateParams, CidrSubnet, DnType, ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, Issuer,
        KeyPair, KeyUsagePurpose, NameConstraints, SanType,
    };
    anyhow::ensure!(!names.dns.is_empty() || !names.ips.is_empty(), "a certificate needs at least one name");
    crate::ensure_private_dir(dir)?;
    let (year, _) = crate::clock::hanoi_today_and_time();
    let year: i32 = year.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026);
    let (from, until) = (rcgen::date_time_ymd(year - 1, 1, 1), rcgen::date_time_ymd(year + VALID_YEARS, 1, 1));

    let authority_key = KeyPair::generate().context("making the authority's key")?;
    let mut authority = CertificateParams::default();
    authority.distinguished_name.push(DnType::CommonName, "Kiosk dịch vụ công – chứng thư nội bộ");
    authority.distinguished_name.push(DnType::OrganizationName, "Hanoi public-service kiosk");
    authority.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    authority.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    authority.name_constraints = Some(NameConstraints {
        permitted_subtrees: names
            .dns
            .iter()
            .map(|name| GeneralSubtree::DnsName(name.clone()))
            .chain(names.ips.iter().map(|ip| {
                GeneralSubtree::IpAddress(CidrSubnet::from_addr_prefix(*ip, if ip.is_ipv4() { 32 } else { 128 }))
            }))
            .collect(),
        excluded_subtrees: Vec::new(),
    });
    (authority.not_before, authority.not_after) = (from, until);
    let authority_cert = authority.self_signed(&authority_key).context("signing the authority")?;

    let kiosk_key = KeyPair::generate().context("making the kiosk's key")?;
    let mut kiosk = CertificateParams::default();
    kiosk.distinguished_name.push(DnType::CommonName, names.dns.last().cloned().unwrap_or_else(|| "kiosk".into()));
    kiosk.subject_alt_names = names
        .dns
        .iter()
        .map(|name| Ok(SanType::DnsName(name.clone().try_into()?)))
        .chain(names.ips.iter().map(|ip| Ok(SanType::IpAddress(*ip))))
        .collect::<Result<_, rcgen::Error>>()
        .context("a name a certificate cannot carry")?;
    kiosk.is_ca = IsCa::ExplicitNoCa;
    kiosk.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    kiosk.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    kiosk.use_authority_key_identifier_extension = true;
    (kiosk.not_before, kiosk.not_after) = (from, until);
    let issuer = Issuer::new(authority, authority_key);
    let kiosk_cert = kiosk.signed_by(&kiosk_key, &issuer).context("signing the kiosk's certificate")?;
    // The authority's key goes with `issuer` here: nothing else is ever signed with it.
    drop(issuer);

    let files = Files::in_dir(dir);
    let key_pem = zeroize::Zeroizing::new(kiosk_key.serialize_pem());
    crate::write_atomically(&files.key, key_pem.as_bytes(), 0o600)?;
    crate::write_atomically(&files.chain, format!("{}{}", kiosk_cert.pem(), authority_cert.pem()).as_bytes(), 0o644)?;
    crate::write_atomically(&files.authority, authority_cert.pem().as_bytes(), 0o644)?;
    Ok(fingerprint(authority_cert.der()))
}

/// The SHA-256 of a certificate, as browsers and `openssl x509 -fingerprint -sha256` show it (AB:CD:...).
pub fn fingerprint(der: &[u8]) -> String {
    sha2::Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

/// The fingerprint of the authority in `dir`.
pub fn authority_fingerprint(dir: &Path) -> anyhow::Result<String> {
    use rustls::pki_types::pem::PemObject as _;
    let path = Files::in_dir(dir).authority;
    let der = rustls::pki_types::CertificateDer::from_pem_file(&path)
        .with_context(|| format!("reading {}", path.display()))?;
    Ok(fingerprint(&der))
}

/// The rustls server configuration from the files in `dir`.
pub fn load(dir: &Path) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let files = Files::in_dir(dir);
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.chain)
        .with_context(|| format!("reading {}", files.chain.display()))?
        .collect::<Result<_, _>>()
        .with_context(|| format!("{} is not a PEM certificate chain", files.chain.display()))?;
    anyhow::ensure!(!chain.is_empty(), "{} holds no certificate", files.chain.display());
    crate::keyfile::check_private(&files.key, "the kiosk's TLS key")?;
    let key = PrivateKeyDer::from_pem_file(&files.key)
        .with_context(|| format!("{} is not a PEM private key", files.key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS versions")?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("the kiosk's certificate does not match its key: make both again with kiosk-provision tls")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The kiosk's TLS from `<state_dir>/tls`, made first (for the names it can see) if it is not there.
pub fn ensure(state_dir: &Path, listen: SocketAddr) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    let dir = state_dir.join(DIR);
    if !Files::in_dir(&dir).complete() {
        let names = names_for(listen);
        let fingerprint = make(&dir, &names).context("making the kiosk's TLS certificate")?;
        tracing::warn!(
            authority = %Files::in_dir(&dir).authority.display(),
            %fingerprint,
            names = ?names.dns,
            addresses = ?names.ips,
            "made a certificate authority for the staff pages: trust its ca.pem once on each counter PC (README); \
             for other names or addresses run kiosk-provision tls"
        );
    }
    load(&dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authority_vouches_for_the_kiosk_s_names_only_and_its_key_is_not_kept() {
        let dir = std::env::temp_dir().join(format!("kiosk-tls-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let names = Names { dns: vec!["localhost".into(), "kiosk-hk01".into()], ips: vec![[192, 168, 10, 20].into()] };
        let fingerprint = make(&dir, &names).expect("made");
        assert_eq!(fingerprint.len(), 32 * 3 - 1);
        assert_eq!(authority_fingerprint(&dir).expect("read"), fingerprint);
        load(&dir).expect("rustls takes the chain and key");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into())
            .collect();
        files.sort();
        assert_eq!(files, ["ca.pem", "kiosk.key", "kiosk.pem"], "no authority key, no temporary file");
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(dir.join("kiosk.key")).expect("key").permissions().mode() & 0o777, 0o600);
        let chain = std::fs::read_to_string(dir.join("kiosk.pem")).expect("chain");
        assert_eq!(chain.matches("BEGIN CERTIFICATE").count(), 2);
    }

    #[test]
    fn a_key_others_can_read_is_refused() {
        let dir = std::env::temp_dir().join(format!("kiosk-tls-open-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        make(&dir, &Names { dns: vec!["localhost".into()], ips: vec![] }).expect("made");
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir.join("kiosk.key"), std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let error = format!("{:#}", load(&dir).expect_err("refused"));
        assert!(error.contains("chmod 600"), "{error}");
    }
}
