//! Populations: the users a property creates, reads and removes.
//!
//! Every user carries the property's stem (`scimcheck-<run>-<case>`) in its
//! userName, externalId and email, so a property can select exactly its own
//! population and nothing else, and a sweep can find leftovers. The users
//! are generated from the property's seeded runner; the client records each
//! one created in the run's ledger, so that it is deleted at the end, also
//! when the property fails.
//!
//! A property selects its population with the narrowest filter the profile
//! claims: `userName sw "<stem>"` where `sw` is claimed on userName, or else
//! `userName eq` on a population of one (Insightly documents `eq` only), so
//! that no property ever pages through the whole collection.

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};

use super::{Counterexample, Env, draw, id_of};
use crate::case::Method;
use crate::client::{Auth, Body, Exchange, Outgoing, excerpt};
use crate::scim::urn;

const GIVEN: &[&str] = &[
    "Ada",
    "Alan",
    "Barbara",
    "Dorothy",
    "Edsger",
    "Frances",
    "Grace",
    "Katherine",
];
const FAMILY: &[&str] = &[
    "Allen", "Coleman", "Hopper", "Johnson", "Liskov", "Lovelace", "Turing", "Vaughan",
];

/// The generated part of one user.
#[derive(Debug, Clone)]
pub struct Person {
    pub given: String,
    pub family: String,
    /// A short word that makes the userName distinct in more than its number.
    pub word: String,
}

pub fn person() -> impl Strategy<Value = Person> {
    (
        prop::sample::select(GIVEN),
        prop::sample::select(FAMILY),
        "[a-z]{1,6}",
    )
        .prop_map(|(given, family, word)| Person {
            given: given.to_string(),
            family: family.to_string(),
            word,
        })
}

/// One created user, as the server answered its creation.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: String,
    pub user_name: String,
}

/// How a property selects its population.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// `userName sw "<stem>"`: any number of members.
    Prefix,
    /// `userName eq "<the one member>"`: a population of one.
    Single,
}

impl Scope {
    /// The widest selection the profile allows.
    fn of(env: &Env) -> Scope {
        match can_scope(env) {
            true => Scope::Prefix,
            false => Scope::Single,
        }
    }
}

/// The users a property created.
#[derive(Debug, Clone)]
pub struct Population {
    pub stem: String,
    pub scope: Scope,
    pub members: Vec<Member>,
}

impl Population {
    /// The filter that selects exactly this population.
    pub fn filter(&self) -> String {
        match self.scope {
            Scope::Prefix => format!("userName sw {}", quote(&self.stem)),
            Scope::Single => format!("userName eq {}", quote(&self.members[0].user_name)),
        }
    }

    pub fn user_names(&self) -> Vec<String> {
        self.members.iter().map(|m| m.user_name.clone()).collect()
    }

    pub fn ids(&self) -> BTreeSet<String> {
        self.members.iter().map(|m| m.id.clone()).collect()
    }

    /// The member with this id, if it is one.
    pub fn member(&self, id: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.id == id)
    }
}

/// A string as a filter value: a JSON string literal (RFC 7644 §3.4.2.2).
pub fn quote(text: &str) -> String {
    Value::String(text.to_string()).to_string()
}

/// Whether the profile lets a property select a population of several.
pub fn can_scope(env: &Env) -> bool {
    env.profile.supports("filter.sw") && env.profile.filterable("userName")
}

/// Creates a population a paging property can select by filter: `size`
/// users, or one when the profile cannot select several by filter.
pub fn scoped(
    env: &Env,
    runner: &mut TestRunner,
    size: std::ops::RangeInclusive<usize>,
) -> Result<Population, Counterexample> {
    let size = if can_scope(env) {
        draw(runner, size)
    } else {
        1
    };
    plain(env, runner, size)
}

/// Creates `size` users with plain, email-like userNames
/// (`<stem>-<k><word>@example.com`).
pub fn plain(
    env: &Env,
    runner: &mut TestRunner,
    size: usize,
) -> Result<Population, Counterexample> {
    create(env, runner, size, |stem, k, person| {
        format!("{stem}-{k}{}@example.com", person.word)
    })
}

/// Creates `size` generated users named by `name(stem, k, person)`.
pub fn create(
    env: &Env,
    runner: &mut TestRunner,
    size: usize,
    name: impl Fn(&str, usize, &Person) -> String,
) -> Result<Population, Counterexample> {
    let stem = env.stem.clone();
    let scope = Scope::of(env);
    let mut members = Vec::with_capacity(size);
    for k in 0..size {
        let person = draw(runner, person());
        let user_name = name(&stem, k, &person);
        members.push(create_user(
            env,
            &user_name,
            &person,
            &format!("{stem}-{k}"),
        )?);
    }
    Ok(Population {
        stem,
        scope,
        members,
    })
}

/// Whether a userName is also a valid email address (a plain local part at
/// example.com): only then is it used as one.
fn is_plain_address(user_name: &str) -> bool {
    user_name.strip_suffix("@example.com").is_some_and(|local| {
        !local.is_empty()
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    })
}

/// The body of a create: every attribute the seed guide requires, so that
/// the same population works on every profile. Every value is valid for its
/// attribute, whatever the property varies in the userName: an awkward
/// userName (`…-6@k`, `…-3"é`) gets an address of its own, never itself.
pub fn user_body(user_name: &str, person: &Person, external_id: &str) -> Value {
    let email = if is_plain_address(user_name) {
        user_name.to_string()
    } else {
        format!("{external_id}@example.com")
    };
    json!({
        "schemas": [urn::USER],
        "userName": user_name,
        "externalId": external_id,
        "displayName": format!("{} {}", person.given, person.family),
        "name": {"givenName": person.given, "familyName": person.family},
        "emails": [{"value": email, "type": "work", "primary": true}],
        "active": true,
    })
}

/// Creates `count` users named `<stem>-fill<round>-<k>@example.com`, a few
/// at a time (they are many, and only their number matters); each round of
/// filling names its users apart from the others'.
pub fn fill(env: &Env, count: usize, round: usize) -> Result<(), Counterexample> {
    let person = Person {
        given: "Page".into(),
        family: "Filler".into(),
        word: "fill".into(),
    };
    let requests = (0..count)
        .map(|k| {
            let name = format!("{}-fill{round}-{k}@example.com", env.stem);
            Outgoing {
                method: Method::POST,
                path: "/Users".into(),
                query: vec![],
                headers: vec![],
                body: Some(Body::Json(user_body(
                    &name,
                    &person,
                    &format!("{}-fill{k}", env.stem),
                ))),
                auth: Auth::Default,
            }
        })
        .collect();
    let answers = env.probe.send_all(requests);
    match answers.iter().find(|e| made_id(e).is_none()) {
        None => Ok(()),
        Some(exchange) => Err(Counterexample::new(
            format!("could not create the {count} users needed to exceed the maximum page size"),
            exchange,
        )
        .expected("201 for each")
        .actual(exchange.excerpt(200))),
    }
}

/// The id a setup create made: answered 201, or, when the answer was lost
/// or a server error, found by the lookup of its name (the run goes on
/// with it: what a setup step meets under load is not the check's verdict).
pub fn made_id(answer: &Exchange) -> Option<String> {
    match answer.status() {
        Some(201) | None => answer.created_id().map(str::to_string),
        Some(status) if status >= 500 => {
            answer.resolution.as_ref()?.created_id().map(str::to_string)
        }
        Some(_) => None,
    }
}

/// POST /Users with `body`: the new user's id (the client records it in
/// the ledger), or why `what` could not be created.
pub fn create_one(env: &Env, body: Value, what: &str) -> Result<String, Counterexample> {
    let created = env.probe.send(Outgoing::json(Method::POST, "/Users", body));
    made_id(&created).ok_or_else(|| {
        Counterexample::new(format!("could not create {what}"), &created)
            .expected("201")
            .actual(created.excerpt(200))
    })
}

/// POST /Users: the created member (the client records it in the ledger).
pub fn create_user(
    env: &Env,
    user_name: &str,
    person: &Person,
    external_id: &str,
) -> Result<Member, Counterexample> {
    create_body(env, user_name, user_body(user_name, person, external_id))
}

/// Creates `size` users told apart by more than their names, for the
/// generated filter expressions: every second one has a home address
/// beside its work address (so a match on a value that is neither the
/// first nor the primary is tested), and titles cycle through two values
/// and none (so `pr` and comparisons on an absent attribute are tested).
/// A varied attribute is sent only where the profile supports it.
pub fn varied(
    env: &Env,
    runner: &mut TestRunner,
    size: usize,
) -> Result<Population, Counterexample> {
    let stem = env.stem.clone();
    let supported = |a: &str| env.profile.supports(&format!("attr.supported.{a}"));
    let mut members = Vec::with_capacity(size);
    for k in 0..size {
        let person = draw(runner, person());
        let user_name = format!("{stem}-{k}{}@example.com", person.word);
        let external_id = format!("{stem}-{k}");
        let mut body = user_body(&user_name, &person, &external_id);
        if k % 2 == 0 {
            body["emails"]
                .as_array_mut()
                .expect("user_body writes emails")
                .push(json!({"value": format!("{external_id}-home@example.org"), "type": "home"}));
        }
        if supported("title") && k % 3 != 2 {
            body["title"] = json!(["Engineer", "Manager"][k % 3]);
        }
        // A phone, an empty list (as Entra ID sends: unassigned, RFC 7643
        // §2.5) or none at all.
        let phones = match k % 3 {
            0 => Some(json!([{"value": format!("tel:+1-201-555-01{k:02}"), "type": "work"}])),
            1 => Some(json!([])),
            _ => None,
        };
        if let Some(phones) = phones.filter(|_| supported("phoneNumbers")) {
            body["phoneNumbers"] = phones;
        }
        members.push(create_body(env, &user_name, body)?);
    }
    Ok(Population {
        stem,
        scope: Scope::of(env),
        members,
    })
}

/// POST /Users with `body`: the created member named `user_name`.
fn create_body(env: &Env, user_name: &str, body: Value) -> Result<Member, Counterexample> {
    let out = Outgoing {
        method: Method::POST,
        path: "/Users".into(),
        query: vec![],
        headers: vec![],
        body: Some(Body::Json(body)),
        auth: Auth::Default,
    };
    let exchange = env.probe.send(out);
    let created = exchange.response.as_ref().ok().and_then(|response| {
        let json = response.json.as_ref()?;
        let id = id_of(json);
        (response.status == 201 && id != "?").then_some(id)
    });
    match created {
        Some(id) => Ok(Member {
            id,
            user_name: user_name.to_string(),
        }),
        None => {
            let actual = match &exchange.response {
                Ok(response) => format!("{} {}", response.status, excerpt(&response.body, 200)),
                Err(none) => none.to_string(),
            };
            Err(
                Counterexample::new(format!("could not create user `{user_name}`"), &exchange)
                    .expected("201 with the created User and its id")
                    .actual(actual),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_awkward_user_name_never_becomes_an_email_address() {
        let person = Person {
            given: "Ada".into(),
            family: "Lovelace".into(),
            word: "x".into(),
        };
        for name in [
            "scimcheck-1-6@k",
            "scimcheck-1-2+@é",
            "scimcheck-1-0\"@ab",
            "a b@example.com",
        ] {
            let body = user_body(name, &person, "scimcheck-1-6");
            assert_eq!(
                body["emails"][0]["value"], "scimcheck-1-6@example.com",
                "{name}"
            );
        }
        let body = user_body("scimcheck-1-0abc@example.com", &person, "scimcheck-1-0");
        assert_eq!(body["emails"][0]["value"], "scimcheck-1-0abc@example.com");
    }
}
