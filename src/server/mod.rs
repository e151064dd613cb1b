//! The embedded reference server: an in-memory SCIM service (axum) that
//! implements a profile faithfully, the default target of `scimcheck run`,
//! and `scimcheck serve` for developers who want a mock. It can be told to
//! break named rules ([`Fault`]) so the suite's power can be measured.
//!
//! By concern: [`resource`] (the hosted resource types, as data),
//! [`store`] (resources, indexes and the rules of their life), [`patch`]
//! (the PATCH engine), [`query`] (filters and paging), [`discovery`] (the
//! discovery documents), [`routes`] (HTTP) and [`fault`] (the faults, each
//! consulted at one named point); [`link`] makes the network between a
//! client and it drop answers, as real ones do. It depends only on the SCIM protocol
//! module, profiles and diagnostics, never on the checker.

pub mod discovery;
pub mod fault;
pub mod introspect;
pub mod link;
pub mod patch;
pub mod query;
pub mod resource;
pub mod routes;
pub mod store;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

pub use fault::Fault;
pub use routes::BASE_PATH;

use crate::profile::Profile;

/// How to run the reference server.
#[derive(Debug, Clone)]
pub struct Config {
    pub profile: Profile,
    /// The bearer token clients must send (`None`: no authentication).
    pub token: Option<String>,
    pub faults: HashSet<Fault>,
    /// Users to create before serving (for large-target tests).
    pub seed_users: usize,
    /// Delay before each answer: a slow network link, simulated.
    pub latency: std::time::Duration,
    /// Every Nth create is carried out and its answer never sent: the
    /// connection is closed instead ([`link`]; plain HTTP only).
    pub drop_answers: Option<u32>,
    /// Accept only the bearer tokens an OAuth 2.0 server says are active
    /// (RFC 7662) instead of `token`.
    pub introspection: Option<introspect::Introspection>,
}

/// A certificate chain and its private key (PEM), to serve HTTPS.
#[derive(Debug, Clone)]
pub struct TlsIdentity {
    pub cert_pem: Vec<u8>,
    pub key_pem: Vec<u8>,
    /// Require a client certificate signed by one of these CAs (PEM):
    /// mutual TLS, as some enterprise SCIM gateways do.
    pub client_ca_pem: Option<Vec<u8>>,
}

/// A server running on a background task.
pub struct Running {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT/scim/v2`
    pub base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds `addr` (port 0 for an ephemeral port) and serves until dropped.
pub async fn start(config: Config, addr: SocketAddr) -> std::io::Result<Running> {
    let app = app(config);
    let listener = link::Lines(tokio::net::TcpListener::bind(addr).await?);
    let addr = listener.0.local_addr()?;
    let task = tokio::spawn(async move {
        let service = app.into_make_service_with_connect_info::<link::Cut>();
        let _ = axum::serve(listener, service).await;
    });
    Ok(Running {
        addr,
        base_url: format!("http://{addr}{BASE_PATH}"),
        task,
    })
}

/// As [`start`], over HTTPS with the given certificate (rustls, ring).
pub async fn start_tls(
    config: Config,
    addr: SocketAddr,
    identity: &TlsIdentity,
) -> std::io::Result<Running> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let invalid = |e: &dyn std::fmt::Display| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string())
    };
    let certs = CertificateDer::pem_slice_iter(&identity.cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(&e))?;
    let key = PrivateKeyDer::from_pem_slice(&identity.key_pem).map_err(|e| invalid(&e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(&e))?;
    let builder = match &identity.client_ca_pem {
        None => builder.with_no_client_auth(),
        Some(pem) => {
            let mut roots = rustls::RootCertStore::empty();
            for ca in CertificateDer::pem_slice_iter(pem) {
                roots
                    .add(ca.map_err(|e| invalid(&e))?)
                    .map_err(|e| invalid(&e))?;
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .map_err(|e| invalid(&e))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let tls = builder
        .with_single_cert(certs, key)
        .map_err(|e| invalid(&e))?;
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let app = app(config);
    let server = axum_server::from_tcp_rustls(
        listener,
        axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(tls)),
    )?;
    let task = tokio::spawn(async move {
        let _ = server.serve(app.into_make_service()).await;
    });
    Ok(Running {
        addr,
        base_url: format!("https://{addr}{BASE_PATH}"),
        task,
    })
}

fn app(config: Config) -> axum::Router {
    let mut store = store::Store::new(config.profile, fault::Faults::new(config.faults));
    store.seed(config.seed_users, "seed-");
    let state = Arc::new(routes::AppState {
        store: RwLock::new(store),
        token: config.token,
        latency: config.latency,
        drop_answers: config.drop_answers,
        introspector: config.introspection.map(introspect::Introspector::new),
        creates: Default::default(),
        in_flight: Default::default(),
    });
    routes::router(state)
}
