//! The registry of properties, as one table: the name a case file gives
//! after `property:`, whether the property creates resources (a read-only
//! run skips those), the capabilities its requests use (a case naming it
//! needs them without writing them), and the runner's function that
//! explores it. The table makes the [`Property`] enum and the `explore!` macro the runner expands
//! where those functions are in scope (`run::property`), so that a property
//! is added in one line and none can be named without a check behind it.

/// One line per property: `Variant = "name", creates | reads, [needs], module::function;`.
macro_rules! properties {
    ($d:tt $( $variant:ident = $name:literal, $effect:ident, [$($need:literal),*], $($check:ident)::+ ; )+) => {
        crate::named! {
            /// A property a case file can name with `property:`.
            pub enum Property {
                $( $variant = $name ),+
            }
        }

        impl Property {
            /// Whether the property creates a population (most do; some only read).
            pub fn creates_resources(self) -> bool {
                match self {
                    $( Property::$variant => properties!(@creates $effect) ),+
                }
            }

            /// The capabilities the property's requests use: a case naming
            /// it needs them without writing them.
            pub fn needs(self) -> &'static [&'static str] {
                match self {
                    $( Property::$variant => &[$($need),*] ),+
                }
            }
        }

        /// `explore!(property, env)`: the call of the property's check, in
        /// the module that holds the checks.
        macro_rules! explore {
            ($d property:expr, $d env:expr) => {
                match $d property {
                    $( $crate::case::Property::$variant => $($check)::+ ($d env) ),+
                }
            };
        }
        pub(crate) use explore;
    };
    (@creates creates) => { true };
    (@creates reads) => { false };
}

properties! { $
    PagingWalk = "paging.walk", creates, ["users.create", "users.list", "users.delete", "paging", "filter.eq"], explored::paging::walk;
    PagingWindow = "paging.window", creates, ["users.create", "users.list", "users.delete", "paging", "filter.eq"], explored::paging::window;
    PagingMaxPageSize = "paging.max-page-size", reads, ["users.list", "paging"], explored::max_results::max_page_size;
    FilterEqAnyCase = "filter.eq-any-case", creates, ["users.create", "users.list", "users.delete", "filter.eq"], explored::filter::eq_any_case;
    FilterEqNotSubstring = "filter.eq-not-substring", creates, ["users.create", "users.list", "users.delete", "filter.eq"], explored::filter::eq_not_substring;
    FilterEscaping = "filter.escaping", creates, ["users.create", "users.list", "users.delete", "filter.eq"], explored::filter::escaping;
    FilterNoMatch = "filter.no-match", reads, ["users.list", "filter.eq"], explored::filter::no_match;
    FilterNameCase = "filter.name-case", creates, ["users.create", "users.list", "users.delete", "filter.eq"], explored::filter::name_case;
    FilterExpressions = "filter.expressions", creates, ["users.create", "users.list", "users.delete", "filter.sw", "filter.and"], explored::expressions::expressions;
    FilterUnsupported = "filter.unsupported", reads, ["users.list"], explored::filter::unsupported;
    SchemaRoundTrip = "schema.round-trip", creates, ["users.create", "users.get", "users.replace"], generated::schema::round_trip;
    SchemaReadOnly = "schema.read-only", creates, ["users.create", "users.get", "users.replace"], generated::schema::read_only;
    SchemaImmutable = "schema.immutable", creates, ["users.create", "users.get", "users.replace"], generated::schema::immutable;
    SchemaNeverReturned = "schema.never-returned", creates, ["users.create", "users.get", "users.list", "filter.eq"], generated::schema::never_returned;
    SchemaRequired = "schema.required", creates, ["users.create"], generated::schema::required;
    DiscoveryById = "discovery.by-id", reads, [], generated::discovery::by_id;
    DiscoveryDefinitions = "discovery.definitions", reads, ["discovery.schemas"], generated::discovery::definitions;
    SchemaReturnedRequest = "schema.returned-request", creates, ["projection", "users.create", "users.get"], generated::schema::returned_request;
    ProjectionSubsets = "projection.subsets", creates, ["projection", "users.create", "users.get"], explored::projection::subsets;
    SortOrder = "sort.order", creates, ["sort", "users.create", "users.list", "filter.sw", "attr.supported.title"], explored::sort::order;
    SearchSameAsGet = "search.same-as-get", creates, ["search", "users.create", "users.list", "filter.sw"], explored::search::same_as_get;
    EtagSequence = "etag.sequence", creates, ["etag", "users.create", "users.get", "users.patch", "patch.replace"], explored::etag::sequence;
    BulkLimits = "bulk.limits", creates, ["bulk"], generated::bulk::limits;
    GroupsUserGroups = "groups.user-groups", creates, ["groups.create", "groups.get", "users.create", "users.get"], generated::groups::user_groups;
    GroupsLarge = "groups.large", creates, ["groups.create", "groups.get", "groups.patch", "patch.add", "patch.remove", "users.create"], generated::groups::large;
    GroupsConcurrent = "groups.concurrent", creates, ["groups.create", "groups.get", "groups.patch", "patch.add", "patch.remove", "users.create"], generated::groups::concurrent;
    GroupsMembership = "groups.membership", creates, ["groups.create", "groups.get", "groups.patch", "patch.add", "patch.remove", "patch.replace", "users.create"], explored::membership::membership;
}
