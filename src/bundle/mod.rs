//! Certification bundles (`scimcheck run --bundle DIR`): one run's reports,
//! every exchange as HAR ([`har`]), and a [`Manifest`] of SHA-256 digests,
//! optionally signed with Ed25519 ([`keys`]); [`verify`] says which file was
//! altered, added or removed, and whether the signature holds.
//!
//! The files, written in this order: the evidence (`report.json`,
//! `report.xml` (JUnit), `report.md`, `exchanges.har`); then `report.html`,
//! the certificate, which shows the *bundle digest* (SHA-256 over the
//! evidence files' digests, so the certificate can name what it certifies
//! without containing its own digest); then `manifest.json` with every
//! file's digest; then `manifest.json.sig`, the signature of the manifest's
//! exact bytes, when a secret key is given.

mod error;
pub mod har;
pub mod keys;
pub mod verify;

use std::collections::BTreeMap;
use std::path::Path;

use ed25519_dalek::{Signer, SigningKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::report::html::{self, Seal};
use crate::report::model::RunReport;
use crate::report::{json, junit, markdown};
pub use error::Error;

/// The manifest's format, bumped on any incompatible change.
pub const FORMAT: &str = "scimcheck-bundle/1";
pub const MANIFEST: &str = "manifest.json";
pub const SIGNATURE: &str = "manifest.json.sig";
/// The files the bundle digest covers, and the certificate.
const EVIDENCE: [&str; 4] = ["exchanges.har", "report.json", "report.md", "report.xml"];
const CERTIFICATE: &str = "report.html";

/// A client's two verdicts, as the manifest records them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientVerdicts {
    /// `works`, `breaks` or `not run`, and the sentence.
    pub provisioning: String,
    pub provisioning_sentence: String,
    /// What the vendor's validators would say, and the sentence.
    pub certification: String,
    pub certification_sentence: String,
}

/// `manifest.json`: what was run, against what, with which verdict, and
/// the SHA-256 of every file of the bundle.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub scimcheck_version: String,
    pub run_id: String,
    pub target: String,
    /// The profile judged by (`auto`, `scim-interop`, …).
    pub profile: String,
    /// The identity-provider client flow replayed (`--client`), if any.
    pub client: Option<String>,
    /// With `--client`: its provisioning and certification verdicts.
    #[serde(default)]
    pub client_verdicts: Option<ClientVerdicts>,
    /// SHA-256 of the case files run and of the profile as applied.
    pub cases_digest: String,
    pub profile_digest: String,
    /// The property checks' seed.
    pub seed: String,
    /// When the run started (RFC 3339, UTC).
    pub date: String,
    /// `pass`, `limited-pass` (a run its scope limits), `fail` or
    /// `error`, and the exit code.
    pub verdict: String,
    /// What the run covered ([`crate::report::scope::Scope`]).
    pub scope: crate::report::scope::Scope,
    pub exit_code: u8,
    /// SHA-256 over the evidence files' digests ([`bundle_digest`]): what
    /// the HTML certificate shows.
    pub bundle_digest: String,
    /// Every file of the bundle but the manifest and its signature → SHA-256.
    pub files: BTreeMap<String, String>,
    /// The key that signs the manifest, when it is signed.
    pub signature: Option<SignatureInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureInfo {
    /// `Ed25519`.
    pub algorithm: String,
    /// The public key, as `scimcheck keygen` writes it (SPKI PEM).
    pub public_key: String,
    /// Its fingerprint ([`keys::fingerprint`]).
    pub key: String,
    /// The signature's file: the hex signature of `manifest.json`'s bytes.
    pub file: String,
}

/// SHA-256 of bytes, in hex.
pub fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// SHA-256 over `<digest>  <name>` lines of the evidence files, sorted by
/// name (the lines `sha256sum` prints).
pub fn bundle_digest(files: &BTreeMap<String, String>) -> String {
    let lines: String = EVIDENCE
        .iter()
        .map(|name| format!("{}  {name}\n", files.get(*name).map_or("", String::as_str)))
        .collect();
    sha256(lines.as_bytes())
}

/// Writes the bundle of `report` into `dir` (which must be empty or absent).
pub fn write(
    dir: &Path,
    report: &RunReport,
    template: Option<&str>,
    key: Option<&SigningKey>,
) -> Result<Manifest, Error> {
    prepare(dir)?;
    let mut files = BTreeMap::new();
    put(dir, &mut files, "report.json", &json::render(report))?;
    put(dir, &mut files, "report.xml", &junit::render(report))?;
    put(dir, &mut files, "report.md", &markdown::render(report))?;
    put(dir, &mut files, "exchanges.har", &har::render(report))?;
    let digest = bundle_digest(&files);
    let verifying = key.map(SigningKey::verifying_key);
    let seal = Seal {
        digest: digest.clone(),
        signed_by: verifying.as_ref().map(keys::fingerprint),
    };
    let certificate = html::render_sealed(report, template, &seal);
    put(dir, &mut files, CERTIFICATE, &certificate)?;
    let signature = match &verifying {
        Some(public) => Some(SignatureInfo {
            algorithm: "Ed25519".into(),
            public_key: public_pem(public)?,
            key: keys::fingerprint(public),
            file: SIGNATURE.into(),
        }),
        None => None,
    };
    let run = &report.run;
    let manifest = Manifest {
        format: FORMAT.into(),
        scimcheck_version: report.scimcheck_version.into(),
        run_id: run.id.clone(),
        target: run.target_url.clone(),
        profile: run.profile.clone(),
        client: report.client.as_ref().map(|c| c.name.clone()),
        client_verdicts: report.client.as_ref().map(|c| ClientVerdicts {
            provisioning: c.verdict.as_str().into(),
            provisioning_sentence: c.sentence.clone(),
            certification: c.certification.as_str().into(),
            certification_sentence: c.certification_sentence.clone(),
        }),
        cases_digest: run.cases_digest.clone(),
        profile_digest: run.profile_digest.clone(),
        seed: run.seed.clone(),
        date: run.started_at.clone(),
        verdict: report.verdict.into(),
        scope: run.scope.clone(),
        exit_code: report.exit_code,
        bundle_digest: digest,
        files,
        signature,
    };
    let mut text = serde_json::to_string_pretty(&manifest).expect("plain JSON");
    text.push('\n');
    let path = dir.join(MANIFEST);
    std::fs::write(&path, &text).map_err(Error::io("write", &path))?;
    if let Some(key) = key {
        let signed = key.sign(text.as_bytes());
        let hex: String = signed
            .to_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let path = dir.join(SIGNATURE);
        std::fs::write(&path, hex + "\n").map_err(Error::io("write", &path))?;
    }
    Ok(manifest)
}

/// Writes one file of the bundle and records its digest.
fn put(
    dir: &Path,
    files: &mut BTreeMap<String, String>,
    name: &str,
    text: &str,
) -> Result<(), Error> {
    let path = dir.join(name);
    std::fs::write(&path, text).map_err(Error::io("write", &path))?;
    files.insert(name.to_string(), sha256(text.as_bytes()));
    Ok(())
}

/// A bundle directory starts empty: nothing of an earlier run can slip in.
/// Checked before a run too, so that a run is not lost at its end.
pub fn prepare(dir: &Path) -> Result<(), Error> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(Error::io("read", dir))?;
        if entries.next().is_some() {
            return Err(Error::NotEmpty(dir.to_path_buf()));
        }
    }
    std::fs::create_dir_all(dir).map_err(Error::io("create", dir))
}

fn public_pem(key: &ed25519_dalek::VerifyingKey) -> Result<String, Error> {
    use ed25519_dalek::pkcs8::EncodePublicKey;
    use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
    key.to_public_key_pem(LineEnding::LF)
        .map_err(|e| Error::Encode {
            what: "public",
            why: e.to_string(),
        })
}
