//! Ed25519 keys for signing bundles (ed25519-dalek): `scimcheck keygen`
//! writes the secret key as PKCS#8 PEM, readable by its owner only, and the
//! public key as SubjectPublicKeyInfo PEM (both open with `openssl pkey`);
//! a key is named by its [`fingerprint`].

use std::path::{Path, PathBuf};

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

/// Makes a key pair: the secret key in `prefix` (mode 0600), the public key
/// in `prefix.pub`. Refuses to overwrite either.
pub fn generate(prefix: &Path) -> Result<(PathBuf, PathBuf, VerifyingKey), String> {
    let public_path = PathBuf::from(format!("{}.pub", prefix.display()));
    for path in [prefix, public_path.as_path()] {
        if path.exists() {
            return Err(format!("{} exists: not overwriting a key", path.display()));
        }
    }
    let key = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let secret = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| format!("cannot encode the secret key: {e}"))?;
    let public = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| format!("cannot encode the public key: {e}"))?;
    write_private(prefix, secret.as_bytes())?;
    std::fs::write(&public_path, public)
        .map_err(|e| format!("cannot write {}: {e}", public_path.display()))?;
    Ok((prefix.to_path_buf(), public_path, key.verifying_key()))
}

/// Creates `path` readable and writable by its owner only, then writes it.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Reads a secret key written by [`generate`] (or any Ed25519 PKCS#8 PEM).
pub fn secret(path: &Path) -> Result<SigningKey, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the secret key {}: {e}", path.display()))?;
    SigningKey::from_pkcs8_pem(&text).map_err(|e| {
        format!(
            "{}: not an Ed25519 secret key in PKCS#8 PEM ({e}); make one with `scimcheck keygen`",
            path.display()
        )
    })
}

/// Reads a public key written by [`generate`] (or any Ed25519 SPKI PEM).
pub fn public(path: &Path) -> Result<VerifyingKey, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the public key {}: {e}", path.display()))?;
    VerifyingKey::from_public_key_pem(&text).map_err(|e| {
        format!(
            "{}: not an Ed25519 public key in PEM ({e}); use the `.pub` file `scimcheck keygen` wrote",
            path.display()
        )
    })
}

/// `SHA256:` and the first 16 bytes of the key's SHA-256, in hex.
pub fn fingerprint(key: &VerifyingKey) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("SHA256:{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_pair_round_trips_and_the_secret_is_private() {
        let dir = std::env::temp_dir().join(format!("scimcheck-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let prefix = dir.join("vendor");
        let (secret_path, public_path, made) = generate(&prefix).unwrap();
        assert_eq!(public(&public_path).unwrap(), made);
        assert_eq!(secret(&secret_path).unwrap().verifying_key(), made);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&secret_path)
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(generate(&prefix).unwrap_err().contains("not overwriting"));
        assert!(public(&secret_path).is_err());
        assert!(fingerprint(&made).starts_with("SHA256:"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
