//! Ed25519 keys for signing bundles (ed25519-dalek): `scimcheck keygen`
//! writes the secret key as PKCS#8 PEM, readable by its owner only, and the
//! public key as SubjectPublicKeyInfo PEM (both open with `openssl pkey`);
//! a key is named by its [`fingerprint`].

use std::path::{Path, PathBuf};

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::Error;

/// Makes a key pair: the secret key in `prefix` (mode 0600), the public key
/// in `prefix.pub`. Refuses to overwrite either.
pub fn generate(prefix: &Path) -> Result<(PathBuf, PathBuf, VerifyingKey), Error> {
    let public_path = PathBuf::from(format!("{}.pub", prefix.display()));
    for path in [prefix, public_path.as_path()] {
        if path.exists() {
            return Err(Error::KeyExists(path.to_path_buf()));
        }
    }
    let key = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let secret = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| Error::Encode {
            what: "secret",
            why: e.to_string(),
        })?;
    let public = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| Error::Encode {
            what: "public",
            why: e.to_string(),
        })?;
    write_private(prefix, secret.as_bytes())?;
    std::fs::write(&public_path, public).map_err(Error::io("write", &public_path))?;
    Ok((prefix.to_path_buf(), public_path, key.verifying_key()))
}

/// Creates `path` readable and writable by its owner only, then writes it.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(Error::io("create", path))?;
    file.write_all(bytes).map_err(Error::io("write", path))
}

/// Reads a secret key written by [`generate`] (or any Ed25519 PKCS#8 PEM).
pub fn secret(path: &Path) -> Result<SigningKey, Error> {
    let text = std::fs::read_to_string(path).map_err(Error::io("read the secret key", path))?;
    SigningKey::from_pkcs8_pem(&text).map_err(|e| Error::NotSecretKey {
        path: path.to_path_buf(),
        why: e.to_string(),
    })
}

/// Reads a public key written by [`generate`] (or any Ed25519 SPKI PEM).
pub fn public(path: &Path) -> Result<VerifyingKey, Error> {
    let text = std::fs::read_to_string(path).map_err(Error::io("read the public key", path))?;
    VerifyingKey::from_public_key_pem(&text).map_err(|e| Error::NotPublicKey {
        path: path.to_path_buf(),
        why: e.to_string(),
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
        assert!(matches!(generate(&prefix), Err(Error::KeyExists(_))));
        assert!(public(&secret_path).is_err());
        assert!(fingerprint(&made).starts_with("SHA256:"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
