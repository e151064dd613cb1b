//! `scimcheck verify DIR [--public-key FILE]`: checks a bundle against its
//! manifest — every file's SHA-256, no file missing, none added, the bundle
//! digest the certificate shows — and the manifest's Ed25519 signature,
//! with the given public key (or, without one, with the key the manifest
//! names, which proves integrity but not who signed). Every problem is
//! named with its file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, VerifyingKey};

use super::{Error, MANIFEST, Manifest, SIGNATURE, bundle_digest, keys, sha256};

/// What `verify` found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The manifest read (what was verified), when it could be parsed.
    pub manifest: Option<Manifest>,
    /// Each mismatch: `altered: report.html …`, `removed: …`, `added: …`,
    /// a signature that does not hold. Empty: the bundle verifies.
    pub problems: Vec<String>,
    /// What was checked, and what a reader should know (unsigned, key not given).
    pub notes: Vec<String>,
}

/// Verifies the bundle in `dir`; `Err` when it cannot be read as one.
pub fn verify(dir: &Path, public_key: Option<&Path>) -> Result<Outcome, Error> {
    let manifest_path = dir.join(MANIFEST);
    let text = std::fs::read(&manifest_path).map_err(|source| Error::NoManifest {
        path: manifest_path.clone(),
        dir: dir.to_path_buf(),
        source,
    })?;
    let manifest: Manifest = serde_json::from_slice(&text).map_err(Error::NotManifest)?;
    let mut outcome = Outcome::default();
    files(dir, &manifest, &mut outcome)?;
    if bundle_digest(&manifest.files) != manifest.bundle_digest {
        outcome.problems.push(format!(
            "altered: {MANIFEST}: its bundle_digest does not match the digests it lists"
        ));
    }
    let given = public_key.map(keys::public).transpose()?;
    signature(dir, &manifest, &text, given.as_ref(), &mut outcome);
    outcome.manifest = Some(manifest);
    Ok(outcome)
}

/// Every listed file is there with its digest; nothing else is.
fn files(dir: &Path, manifest: &Manifest, outcome: &mut Outcome) -> Result<(), Error> {
    for (name, expected) in &manifest.files {
        match std::fs::read(dir.join(name)) {
            Ok(bytes) => {
                let found = sha256(&bytes);
                if &found != expected {
                    outcome.problems.push(format!(
                        "altered: {name} (sha256 {found}, the manifest says {expected})"
                    ));
                }
            }
            Err(_) => outcome.problems.push(format!("removed: {name}")),
        }
    }
    let mut present = BTreeSet::new();
    walk(dir, dir, &mut present).map_err(Error::io("read", dir))?;
    for name in present {
        let known = manifest.files.contains_key(&name)
            || name == MANIFEST
            || (name == SIGNATURE && manifest.signature.is_some());
        if !known {
            outcome.problems.push(format!("added: {name}"));
        }
    }
    outcome.notes.push(format!(
        "{} file(s) checked against {MANIFEST}",
        manifest.files.len()
    ));
    Ok(())
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path: PathBuf = entry?.path();
        let name = || {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            relative.to_string_lossy().replace('\\', "/")
        };
        if path.is_dir() {
            // An added folder with nothing in it is an addition too.
            if std::fs::read_dir(&path)?.next().is_none() {
                out.insert(name() + "/");
            }
            walk(root, &path, out)?;
        } else {
            out.insert(name());
        }
    }
    Ok(())
}

/// The manifest's signature, with the given key or the one it names.
fn signature(
    dir: &Path,
    manifest: &Manifest,
    bytes: &[u8],
    given: Option<&VerifyingKey>,
    outcome: &mut Outcome,
) {
    let Some(info) = &manifest.signature else {
        match given {
            Some(key) => outcome.problems.push(format!(
                "unsigned: the bundle has no signature to check against {}",
                keys::fingerprint(key)
            )),
            None => outcome.notes.push(
                "unsigned: the digests prove the files match the manifest, not who wrote it".into(),
            ),
        }
        return;
    };
    let named = ed25519_dalek::pkcs8::DecodePublicKey::from_public_key_pem(&info.public_key)
        .map_err(|e| format!("altered: {MANIFEST}: its public key does not read ({e})"));
    let named: VerifyingKey = match named {
        Ok(key) => key,
        Err(problem) => return outcome.problems.push(problem),
    };
    let key = match given {
        Some(key) if key != &named => {
            return outcome.problems.push(format!(
                "wrong key: the bundle is signed by {}, not by the given key {}",
                keys::fingerprint(&named),
                keys::fingerprint(key)
            ));
        }
        Some(key) => key,
        None => &named,
    };
    let Ok(hex) = std::fs::read_to_string(dir.join(&info.file)) else {
        return outcome.problems.push(format!("removed: {}", info.file));
    };
    let signature = decode(hex.trim()).and_then(|b| Signature::from_slice(&b).ok());
    let Some(signature) = signature else {
        return outcome
            .problems
            .push(format!("altered: {}: not an Ed25519 signature", info.file));
    };
    if key.verify_strict(bytes, &signature).is_err() {
        return outcome.problems.push(format!(
            "altered: {MANIFEST} or {}: the signature does not verify with {} (the manifest changed since it was signed, or the signature did)",
            info.file,
            keys::fingerprint(key)
        ));
    }
    outcome.notes.push(match given {
        Some(_) => format!("signature verified with the given key {}", info.key),
        None => format!(
            "signature verified with the key the manifest names ({}): pass --public-key to check it is the key you trust",
            info.key
        ),
    });
}

fn decode(hex: &str) -> Option<Vec<u8>> {
    hex.len()
        .is_multiple_of(2)
        .then(|| {
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
                .collect()
        })
        .flatten()
}
