//! Real TLS: the reference server served over HTTPS with a certificate from
//! a private CA (generated here with rcgen). Verification is on by default
//! (an unknown CA is a clear harness error), `--ca-cert` trusts the private
//! CA, and `--insecure` works only when asked, with a warning in every report.

mod common;

use std::net::SocketAddr;
use std::process::Output;

use common::{tempdir, text};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use scimcheck::profile::Profile;
use scimcheck::server::{self, TlsIdentity};

struct Pki {
    ca_pem: String,
    identity: TlsIdentity,
}

/// A private CA and a certificate for 127.0.0.1 that it signed.
fn pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&key, &issuer)
        .unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        identity: TlsIdentity {
            cert_pem: cert.pem().into_bytes(),
            key_pem: key.serialize_pem().into_bytes(),
            client_ca_pem: None,
        },
    }
}

/// The reference server (rfc7644, requiring [`common::TOKEN`]) over HTTPS.
fn https_server(runtime: &tokio::runtime::Runtime, identity: &TlsIdentity) -> server::Running {
    let config = server::Config {
        profile: Profile::load("rfc7644").unwrap(),
        token: Some(common::TOKEN.into()),
        faults: Default::default(),
        seed_users: 0,
        latency: Default::default(),
        drop_answers: None,
        introspection: None,
    };
    runtime
        .block_on(server::start_tls(
            config,
            SocketAddr::from(([127, 0, 0, 1], 0)),
            identity,
        ))
        .unwrap()
}

fn run(url: &str, extra: &[&str]) -> Output {
    common::scimcheck()
        .args([
            "run",
            "--no-snapshots",
            "--profile",
            "rfc7644",
            "--url",
            url,
        ])
        .args(extra)
        .env("SCIMCHECK_TOKEN", common::TOKEN)
        .output()
        .unwrap()
}

#[test]
fn tls_is_verified_by_default_and_a_private_ca_can_be_trusted() {
    let pki = pki();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = https_server(&runtime, &pki.identity);
    assert!(running.base_url.starts_with("https://127.0.0.1:"));
    let dir = tempdir();

    // Unknown issuer: the run cannot start, and says why in one line.
    let untrusted = run(&running.base_url, &[]);
    assert_eq!(untrusted.status.code(), Some(2), "{}", text(&untrusted));
    assert!(
        text(&untrusted).contains("cannot reach"),
        "{}",
        text(&untrusted)
    );
    assert!(
        text(&untrusted).to_lowercase().contains("certificate"),
        "{}",
        text(&untrusted)
    );

    // The private CA, trusted with --ca-cert: the whole suite passes over TLS.
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let trusted = run(&running.base_url, &["--ca-cert", ca.to_str().unwrap()]);
    assert_eq!(trusted.status.code(), Some(0), "{}", text(&trusted));

    // --insecure: it runs, and every report says verification was off.
    let html = dir.join("r.html");
    let md = dir.join("r.md");
    let json = dir.join("r.json");
    let junit = dir.join("r.xml");
    let insecure = run(
        &running.base_url,
        &[
            "--insecure",
            "users/get",
            "--report-html",
            html.to_str().unwrap(),
            "--report-md",
            md.to_str().unwrap(),
            "--report-json",
            json.to_str().unwrap(),
            "--report-junit",
            junit.to_str().unwrap(),
        ],
    );
    assert_eq!(insecure.status.code(), Some(0), "{}", text(&insecure));
    assert!(
        text(&insecure).contains("warning: --insecure"),
        "{}",
        text(&insecure)
    );
    for (file, warning) in [
        (&html, "TLS certificate verification was turned off"),
        (&md, "TLS certificate verification was **off**"),
        (&json, "\"insecure\": true"),
        (&junit, "TLS certificate verification was off"),
    ] {
        let content = std::fs::read_to_string(file).unwrap();
        assert!(content.contains(warning), "{}: {content}", file.display());
    }
}

#[test]
fn a_bad_ca_file_is_a_clear_error() {
    let dir = tempdir();
    let bogus = dir.join("bogus.pem");
    std::fs::write(&bogus, "not a certificate").unwrap();
    let output = run(
        "https://127.0.0.1:9/scim/v2",
        &["--ca-cert", bogus.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("CA certificate"),
        "{}",
        text(&output)
    );
}

#[test]
fn mutual_tls_needs_the_client_certificate() {
    let pki = pki();
    // A second CA for clients, and a client certificate it signed.
    let client_ca_key = KeyPair::generate().unwrap();
    let mut client_ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    client_ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let client_ca = client_ca_params.self_signed(&client_ca_key).unwrap();
    let client_issuer = Issuer::new(client_ca_params, client_ca_key);
    let client_key = KeyPair::generate().unwrap();
    let client_cert = CertificateParams::new(vec!["scimcheck-client".to_string()])
        .unwrap()
        .signed_by(&client_key, &client_issuer)
        .unwrap();
    let identity = TlsIdentity {
        client_ca_pem: Some(client_ca.pem().into_bytes()),
        ..pki.identity.clone()
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let running = https_server(&runtime, &identity);
    let dir = tempdir();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let (cert, key) = (dir.join("client.pem"), dir.join("client.key"));
    std::fs::write(&cert, client_cert.pem()).unwrap();
    std::fs::write(&key, client_key.serialize_pem()).unwrap();
    let ca = ca.to_str().unwrap();

    // Without the client certificate the handshake fails: exit 2, one line.
    let refused = run(&running.base_url, &["--ca-cert", ca, "users/get"]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(
        text(&refused).contains("cannot reach"),
        "{}",
        text(&refused)
    );

    // With it, the run goes through.
    let accepted = run(
        &running.base_url,
        &[
            "--ca-cert",
            ca,
            "--client-cert",
            cert.to_str().unwrap(),
            "--client-key",
            key.to_str().unwrap(),
            "users/",
        ],
    );
    assert_eq!(accepted.status.code(), Some(0), "{}", text(&accepted));
}
