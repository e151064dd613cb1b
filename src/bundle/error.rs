//! What can go wrong writing, signing or verifying a bundle (not a bundle
//! that fails to verify: that is an [`super::verify::Outcome`] with its
//! problems). Every one is the harness's trouble, exit 2.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// `read`, `write`, `create`, `read the secret key`, ...
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} exists: not overwriting a key", .0.display())]
    KeyExists(PathBuf),
    #[error("cannot encode the {what} key: {why}")]
    Encode { what: &'static str, why: String },
    #[error("{}: not an Ed25519 secret key in PKCS#8 PEM ({why}); make one with `scimcheck keygen`", path.display())]
    NotSecretKey { path: PathBuf, why: String },
    #[error("{}: not an Ed25519 public key in PEM ({why}); use the `.pub` file `scimcheck keygen` wrote", path.display())]
    NotPublicKey { path: PathBuf, why: String },
    #[error("{} is not empty: a bundle is written into a new or empty directory", .0.display())]
    NotEmpty(PathBuf),
    #[error("{}: {source} (is {} a bundle written by `scimcheck run --bundle`?)", path.display(), dir.display())]
    NoManifest {
        path: PathBuf,
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("removed or altered: manifest.json is not a scimcheck manifest ({0})")]
    NotManifest(serde_json::Error),
}

impl Error {
    /// An I/O error on `path`, doing `action`.
    pub fn io(
        action: &'static str,
        path: &std::path::Path,
    ) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.to_path_buf();
        move |source| Error::Io {
            action,
            path,
            source,
        }
    }
}
