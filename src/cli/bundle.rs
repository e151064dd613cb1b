//! `scimcheck keygen` and `scimcheck verify`: the two commands around a
//! certification bundle (`run --bundle` writes it).

use super::Error;
use super::args::{KeygenArgs, VerifyArgs};
use crate::bundle::{keys, verify};
use crate::exit::Exit;

pub fn keygen(args: KeygenArgs) -> Result<Exit, Error> {
    let (secret, public, key) = keys::generate(&args.out)?;
    println!(
        "scimcheck: secret key {} (readable by you only: keep it out of the bundle and out of version control)",
        secret.display()
    );
    println!(
        "scimcheck: public key {} ({}): hand it to whoever verifies your bundles",
        public.display(),
        keys::fingerprint(&key)
    );
    Ok(Exit::Passed)
}

pub fn verify(args: VerifyArgs) -> Result<Exit, Error> {
    let outcome = verify::verify(&args.dir, args.public_key.as_deref())?;
    for note in &outcome.notes {
        println!("scimcheck: {note}");
    }
    for problem in &outcome.problems {
        println!("scimcheck: {problem}");
    }
    if let Some(m) = &outcome.manifest {
        println!(
            "scimcheck: verdict {} (exit {}) for {} judged by profile `{}`, run {} on {}",
            m.verdict.to_uppercase().replace('-', " "),
            m.exit_code,
            m.target,
            m.profile,
            m.run_id,
            m.date
        );
        if let Some(client) = &m.client_verdicts {
            println!("scimcheck: {}", client.provisioning_sentence);
            println!("scimcheck: {}", client.certification_sentence);
        }
        println!("scimcheck: scope: {}", m.scope.sentence());
        println!("scimcheck: cases run: sha256 {}", m.scope.cases_run_digest);
    }
    if outcome.problems.is_empty() {
        println!("scimcheck: {} verifies", args.dir.display());
        Ok(Exit::Passed)
    } else {
        println!(
            "scimcheck: {} does NOT verify: {} problem(s)",
            args.dir.display(),
            outcome.problems.len()
        );
        Ok(Exit::Failed)
    }
}
