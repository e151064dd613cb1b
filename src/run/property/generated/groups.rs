//! Group checks that need more than a case's steps (RFC 7643 §4.1.2 and
//! §4.2, RFC 7644 §3.5.2):
//!
//! - `groups.user-groups`: a user's `groups`, where the target returns it,
//!   lists the groups it is a member of and not one it has left, and
//!   writing it never changes a membership ("group membership changes MUST be applied via the Group
//!   Resource");
//! - `groups.large`: a group of 150 members built by one PATCH and one of
//!   `--large-group` (1000) built by batches hold every member, and a
//!   change touches only the member it names;
//! - `groups.concurrent`: PATCHes adding (then removing) distinct members,
//!   sent at the same moment as identity providers do when several people
//!   join at once, are each applied (each is atomic: a lost update is a
//!   PATCH answered 2xx whose member is not there);
//! - `groups.membership` (`explored::membership`) is a model-based property.

use std::collections::BTreeSet;

use serde_json::json;

use crate::case::Method;
use crate::client::{Exchange, Outgoing};
use crate::run::property::groups::{add, group, members, ok, patch, remove, users};
use crate::run::property::{Counterexample, Env, Exploration, Violations};
use crate::scim::urn;

/// A finding unless the group holds exactly `expected`.
fn holds(
    env: &Env,
    group: &str,
    expected: &BTreeSet<String>,
    when: &str,
) -> Result<Option<(String, Counterexample)>, Counterexample> {
    let (got, evidence) = members(env, group)?;
    if &got == expected {
        return Ok(None);
    }
    let lost: Vec<&String> = expected.difference(&got).take(5).collect();
    let extra: Vec<&String> = got.difference(expected).take(5).collect();
    let cx = Counterexample::new(
        format!(
            "the group holds {} members {when}, not the {} expected ({} missing, {} unexpected)",
            got.len(),
            expected.len(),
            expected.difference(&got).count(),
            got.difference(expected).count()
        ),
        &evidence,
    )
    .expected(format!("{} members", expected.len()))
    .actual(format!("missing e.g. {lost:?}; unexpected e.g. {extra:?}"));
    Ok(Some((when.to_string(), cx)))
}

/// The group ids a user's `groups` lists, read with a GET (`None`: the
/// target does not return the attribute, which is not judged).
fn groups_listed(env: &Env, user: &str) -> (Option<Vec<String>>, Exchange) {
    let read = env
        .probe
        .send(Outgoing::get(&format!("/Users/{user}"), &[]));
    let listed = read.json().filter(|_| read.status() == Some(200)).map(|j| {
        j["groups"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v["value"].as_str().map(str::to_string))
            .collect()
    });
    (listed, read)
}

/// `groups.user-groups`.
pub fn user_groups(env: &Env) -> Exploration {
    let run = || -> Result<Violations, Counterexample> {
        let user = users(env, "u", 1)?.remove(0);
        let member_of = group(env, "in", std::slice::from_ref(&user))?;
        let other = group(env, "out", &[])?;
        let mut findings = Violations::new();
        let (listed, read) = groups_listed(env, &user);
        // An empty list is the attribute unassigned (RFC 7643 §2.5): a
        // target that never fills `groups` is not judged on it.
        let shows_groups = listed.as_ref().is_some_and(|l| !l.is_empty());
        if shows_groups && !listed.as_ref().is_some_and(|l| l.contains(&member_of)) {
            let cx = Counterexample::new(
                "the user's groups do not list the group it is a member of",
                &read,
            )
            .expected(format!("a value `{member_of}`"))
            .actual(format!("{listed:?}"));
            findings.push(("groups of a member".into(), cx));
        }
        // Writing `groups` may be refused or ignored, never applied.
        let write = json!({"schemas": [urn::PATCH_OP], "Operations": [
            {"op": "add", "path": "groups", "value": [{"value": other}]}]});
        env.probe.send(Outgoing::json(
            Method::PATCH,
            &format!("/Users/{user}"),
            write,
        ));
        let (after, evidence) = members(env, &other)?;
        if after.contains(&user) {
            let cx = Counterexample::new(
                "writing the user's read-only groups made it a member (RFC 7643 §4.1.2: membership changes MUST be applied via the Group)",
                &evidence,
            )
            .expected(format!("`{user}` not a member"))
            .actual(format!("{after:?}"));
            findings.push(("groups written on the user".into(), cx));
        }
        // Leaving: where `groups` was shown, it no longer lists the group.
        if shows_groups
            && env.profile.supports("groups.patch")
            && env.profile.supports("patch.remove")
        {
            let answer = env.probe.send(patch(&member_of, vec![remove(&user)]));
            if ok(&answer) {
                let (listed, read) = groups_listed(env, &user);
                if let Some(listed) = listed.filter(|l| l.contains(&member_of)) {
                    let cx = Counterexample::new(
                        "the user's groups still list a group it was removed from",
                        &read,
                    )
                    .expected(format!("no value `{member_of}`"))
                    .actual(format!("{listed:?}"));
                    findings.push(("groups of a former member".into(), cx));
                }
            }
        }
        Ok(findings)
    };
    match run() {
        Ok(findings) => Exploration::from_findings(findings),
        Err(cx) => Exploration::Setup(cx),
    }
}

/// `groups.large`.
pub fn large(env: &Env) -> Exploration {
    let sizes: BTreeSet<usize> = [150, env.settings.large_group]
        .into_iter()
        .filter(|n| *n > 0)
        .collect();
    let most = sizes.iter().copied().max().unwrap_or(0);
    let members = match users(env, "m", most) {
        Ok(members) => members,
        Err(cx) => return Exploration::Setup(cx),
    };
    let mut findings = Violations::new();
    for (round, size) in sizes.into_iter().enumerate() {
        let chosen: Vec<String> = members[..size].to_vec();
        let id = match group(env, &format!("large{round}"), &[]) {
            Ok(id) => id,
            Err(cx) => return Exploration::Setup(cx),
        };
        // The smaller group in one PATCH; the larger in batches of 100.
        let batch = if size <= 150 { size } else { 100 };
        for part in chosen.chunks(batch) {
            let answer = env.probe.send(patch(&id, vec![add(part)]));
            if !ok(&answer) {
                let cx = Counterexample::new(
                    format!("adding {} members to a group is refused", part.len()),
                    &answer,
                )
                .expected("2xx")
                .actual(answer.excerpt(200));
                findings.push((format!("{size} members: add"), cx));
                break;
            }
        }
        let mut expected: BTreeSet<String> = chosen.iter().cloned().collect();
        match holds(env, &id, &expected, &format!("after adding {size}")) {
            Ok(Some(finding)) => {
                findings.push(finding);
                continue;
            }
            Ok(None) => {}
            Err(cx) => return Exploration::Setup(cx),
        }
        let gone = &chosen[size / 2];
        let answer = env.probe.send(patch(&id, vec![remove(gone)]));
        if ok(&answer) {
            expected.remove(gone);
            match holds(
                env,
                &id,
                &expected,
                &format!("of {size} after removing one"),
            ) {
                Ok(Some(finding)) => findings.push(finding),
                Ok(None) => {}
                Err(cx) => return Exploration::Setup(cx),
            }
        }
    }
    Exploration::from_findings(findings)
}

/// `groups.concurrent`.
pub fn concurrent(env: &Env) -> Exploration {
    const AT_ONCE: usize = 8;
    let run = || -> Result<Violations, Counterexample> {
        let joiners = users(env, "j", AT_ONCE)?;
        let id = group(env, "busy", &[])?;
        let mut findings = Violations::new();
        let answers = env.probe.send_together(
            joiners
                .iter()
                .map(|j| patch(&id, vec![add(std::slice::from_ref(j))]))
                .collect(),
        );
        // Each PATCH answered 2xx is a change the server says it made.
        let added: BTreeSet<String> = joiners
            .iter()
            .zip(&answers)
            .filter(|(_, a)| ok(a))
            .map(|(j, _)| j.clone())
            .collect();
        let (present, evidence) = members(env, &id)?;
        let lost: Vec<&String> = added.difference(&present).collect();
        if !lost.is_empty() {
            let cx = Counterexample::new(
                format!(
                    "{} of {} PATCH adds sent at once were answered 2xx and lost",
                    lost.len(),
                    added.len()
                ),
                &evidence,
            )
            .expected(format!("every added member: {added:?}"))
            .actual(format!("lost: {lost:?}"));
            findings.push(("concurrent adds".into(), cx));
        }
        let leavers: Vec<String> = present.iter().cloned().collect();
        let answers = env.probe.send_together(
            leavers
                .iter()
                .map(|l| patch(&id, vec![remove(l)]))
                .collect(),
        );
        let removed: BTreeSet<String> = leavers
            .iter()
            .zip(&answers)
            .filter(|(_, a)| ok(a))
            .map(|(l, _)| l.clone())
            .collect();
        let (left, evidence) = members(env, &id)?;
        let kept: Vec<&String> = removed.intersection(&left).collect();
        if !kept.is_empty() {
            let cx = Counterexample::new(
                format!(
                    "{} of {} PATCH removes sent at once were answered 2xx and undone",
                    kept.len(),
                    removed.len()
                ),
                &evidence,
            )
            .expected("none of the removed members")
            .actual(format!("still members: {kept:?}"));
            findings.push(("concurrent removes".into(), cx));
        }
        Ok(findings)
    };
    match run() {
        Ok(findings) => Exploration::from_findings(findings),
        Err(cx) => Exploration::Setup(cx),
    }
}
