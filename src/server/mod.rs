//! The embedded reference server: an in-memory SCIM service (axum) that
//! implements a profile faithfully, the default target of `scimcheck run`,
//! and `scimcheck serve` for developers who want a mock. It can be told to
//! break named rules ([`Fault`]) so the suite's power can be measured.

pub mod discovery;
pub mod fault;
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
    let mut store = store::Store::new(config.profile, config.faults);
    store.seed(config.seed_users, "seed-");
    let state = Arc::new(routes::AppState {
        store: RwLock::new(store),
        token: config.token,
    });
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let app = routes::router(state);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Running {
        addr,
        base_url: format!("http://{addr}{BASE_PATH}"),
        task,
    })
}
