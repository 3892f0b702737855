use super::*;

const CASES: &[KnownCase<'static>] = &[
    KnownCase {
        id: "server/challenge/bearer-scheme",
        role: Role::Server,
        scenario: None,
    },
    KnownCase {
        id: "client/scope/step-up",
        role: Role::Client,
        scenario: Some("auth/scope-step-up"),
    },
    KnownCase {
        id: "client/pkce/s256-pair",
        role: Role::Client,
        scenario: Some("auth/metadata-default"),
    },
    KnownCase {
        id: "authorization-server/metadata/published",
        role: Role::AuthorizationServer,
        scenario: Some("authorization-server-metadata-endpoint"),
    },
];

fn parse(text: &str) -> Result<Baseline, Vec<Diagnostic>> {
    parse_baseline("baseline.yml", text, CASES)
}

fn listed(text: &str) -> Vec<(String, Role, Listed)> {
    parse(text)
        .unwrap_or_else(|d| panic!("{}", d.iter().map(|d| d.to_string()).collect::<String>()))
        .entries
        .into_iter()
        .map(|e| (e.written, e.role, e.lists))
        .collect()
}

/// The one diagnostic of `text`, rendered.
fn error(text: &str) -> String {
    let diagnostics = parse(text).expect_err("a malformed baseline");
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    diagnostics[0].to_string()
}

fn case(id: &str, revision: Option<Revision>) -> Listed {
    Listed::Case {
        id: id.into(),
        revision,
    }
}

#[test]
fn an_empty_or_comment_only_file_is_an_empty_baseline() {
    for text in ["", "\n", "# nothing yet\n", "~\n", "---\n"] {
        assert_eq!(listed(text), vec![], "{text:?}");
    }
}

#[test]
fn sdk_files_load_unchanged() {
    // The shapes SDKs write: comments above and between, four-space items, an empty
    // flow list, quoted names, other modes' scenarios, a per-check entry.
    let text = "\
# Known failures, tracked upstream.
client:
    - tools_call
    - \"auth/scope-step-up\"   # needs step-up
    - 'auth/basic-cimd:cimd-client-id-used'

# Not authorization scenarios.
server:
  - dns-rebinding-protection
  - server-stateless:sep-2575-server-implements-discover
other-tool: {whatever: [1, 2]}
";
    assert_eq!(
        listed(text),
        vec![
            ("tools_call".into(), Role::Client, Listed::Unknown),
            (
                "auth/scope-step-up".into(),
                Role::Client,
                Listed::Scenario("auth/scope-step-up".into())
            ),
            (
                "auth/basic-cimd:cimd-client-id-used".into(),
                Role::Client,
                Listed::OfficialCheck
            ),
            (
                "dns-rebinding-protection".into(),
                Role::Server,
                Listed::Unknown
            ),
            (
                "server-stateless:sep-2575-server-implements-discover".into(),
                Role::Server,
                Listed::Unknown
            ),
        ]
    );
    assert_eq!(listed("client: []\nserver: []\n"), vec![]);
}

#[test]
fn our_entries_name_cases_revisions_and_scenarios() {
    let text = "\
authorization-server:
  - authorization-server-metadata-endpoint
  - authorization-code-grant
server:
  - server/challenge/bearer-scheme:2025-06-18
client:
  - client::scope::step-up
  - client/pkce/s256-pair:2026-07-28
";
    assert_eq!(
        listed(text),
        vec![
            (
                "authorization-server-metadata-endpoint".into(),
                Role::AuthorizationServer,
                Listed::Scenario("authorization-server-metadata-endpoint".into())
            ),
            (
                "authorization-code-grant".into(),
                Role::AuthorizationServer,
                Listed::Scenario("authorization-code-grant".into())
            ),
            (
                "server/challenge/bearer-scheme:2025-06-18".into(),
                Role::Server,
                case(
                    "server/challenge/bearer-scheme",
                    Some(Revision::R2025_06_18)
                )
            ),
            (
                "client::scope::step-up".into(),
                Role::Client,
                case("client/scope/step-up", None)
            ),
            (
                "client/pkce/s256-pair:2026-07-28".into(),
                Role::Client,
                case("client/pkce/s256-pair", Some(Revision::R2026_07_28))
            ),
        ]
    );
}

#[test]
fn a_scenario_of_another_role_lists_nothing() {
    assert_eq!(
        listed("server:\n  - auth/scope-step-up\n"),
        vec![("auth/scope-step-up".into(), Role::Server, Listed::Unknown)]
    );
}

#[test]
fn the_top_level_must_be_a_mapping() {
    let e = error("- auth/scope-step-up\n- auth/basic-cimd\n");
    assert!(
        e.starts_with("baseline.yml:1:1: error: a baseline is a mapping of lists, not a list"),
        "{e}"
    );
    assert!(e.contains("hint: write `server:`, `client:`"), "{e}");
    assert!(error("just text\n").contains("not a single value"));
}

#[test]
fn a_section_must_be_a_list() {
    let e = error("server: not-a-list\n");
    assert!(
        e.starts_with(
            "baseline.yml:1:9: error: `server:` must be a list of entries, not a single value"
        ),
        "{e}"
    );
    assert!(e.contains("write `server: []`"), "{e}");
    let e = error("client:\n  scenario: auth/x\n");
    assert!(
        e.contains("`client:` must be a list of entries, not a mapping"),
        "{e}"
    );
    let e = error("client:\n");
    assert!(e.contains("not empty (null)"), "{e}");
}

#[test]
fn an_entry_with_a_space_after_its_colon_gets_the_fix() {
    let e = error("server:\n  - server-stateless: sep-2575-server-implements-discover\n");
    assert!(e.starts_with("baseline.yml:2:5: error: `server-stateless: sep-2575-server-implements-discover` is a mapping, not an entry"), "{e}");
    assert!(
        e.contains(
            "hint: remove the space after the colon: `- server-stateless:sep-2575-server-implements-discover`"
        ),
        "{e}"
    );
    // `- s:` is `{s: null}`: no check id is invented for it.
    let e = error("client:\n  - auth/scope-step-up:\n");
    assert!(
        e.contains("`auth/scope-step-up:` ends with its colon"),
        "{e}"
    );
    assert!(!e.contains("null"), "{e}");
}

#[test]
fn empty_and_nested_entries_are_refused() {
    let e = error("server:\n  -\n  - tasks-lifecycle\n");
    assert!(e.contains("error: this entry is empty"), "{e}");
    let e = error("client:\n  - [a, b]\n");
    assert!(e.contains("an entry is one name, not a list"), "{e}");
    let e = error("client:\n  - {a: 1, b: 2}\n");
    assert!(e.contains("an entry is one name, not a mapping"), "{e}");
}

#[test]
fn both_sides_of_a_colon_are_required() {
    for entry in ["':some-check'", "'auth/scope-step-up:'"] {
        let e = error(&format!("client:\n  - {entry}\n"));
        assert!(e.contains("has an empty side of its colon"), "{e}");
        assert!(e.contains("both sides of the colon are required"), "{e}");
    }
}

#[test]
fn a_whole_entry_and_a_part_of_it_are_redundant() {
    let e = error("server:\n  - server-stateless\n  - server-stateless:some-check\n");
    assert!(e.starts_with("baseline.yml:3:5: error: `server-stateless` on line 2 lists all of it already, so `server-stateless:some-check` is redundant"), "{e}");
    let e = error("client:\n  - client/scope/step-up:2025-11-25\n  - client::scope::step-up\n");
    assert!(e.contains("is redundant"), "{e}");
    // The same part twice, or two parts, are not.
    assert_eq!(
        listed("client:\n  - auth/x:a\n  - auth/x:b\n  - auth/x:a\n").len(),
        3
    );
}

#[test]
fn a_case_id_typo_is_an_error_with_a_did_you_mean() {
    let e = error("server:\n  - server/challenge/bearer-schema\n");
    assert!(
        e.contains("`server/challenge/bearer-schema` names no case"),
        "{e}"
    );
    assert!(
        e.contains("did you mean `server/challenge/bearer-scheme`?"),
        "{e}"
    );
    let e = error("client:\n  - client/nothing/like-it\n");
    assert!(
        e.contains("`mcp-authspec list` prints every case id"),
        "{e}"
    );
}

#[test]
fn a_case_is_listed_under_its_own_role() {
    let e = error("server:\n  - client/scope/step-up\n");
    assert!(
        e.contains("`client/scope/step-up` is a client case: the `server:` section lists server cases only"),
        "{e}"
    );
    assert!(e.contains("move the entry under `client:`"), "{e}");
}

#[test]
fn an_unknown_revision_is_an_error_with_a_did_you_mean() {
    let e = error("client:\n  - client/pkce/s256-pair:2025-06-17\n");
    assert!(
        e.starts_with("baseline.yml:2:27: error: unknown revision `2025-06-17`"),
        "{e}"
    );
    let e = error("client:\n  - 'client::pkce::s256-pair:2025-06-17'\n");
    assert!(
        e.starts_with("baseline.yml:2:30: error: unknown revision"),
        "{e}"
    );
    assert!(e.contains("did you mean `2025-06-18`?"), "{e}");
    let e = error("client:\n  - client/pkce/s256-pair:latest\n");
    assert!(e.contains("the revisions are 2025-03-26"), "{e}");
}

#[test]
fn every_malformed_entry_is_reported() {
    let diagnostics = parse("server:\n  -\n  - a: b\nclient: 3\n").unwrap_err();
    assert_eq!(diagnostics.len(), 3, "{diagnostics:?}");
}

#[test]
fn yaml_errors_are_located() {
    let e = error("client:\n  - auth/x\n client: [\n");
    assert!(e.starts_with("baseline.yml:"), "{e}");
    let e = error("client: []\nclient: []\n");
    assert!(e.contains("duplicate key `client`"), "{e}");
    let e = error("client: []\n---\nserver: []\n");
    assert!(e.contains("a baseline is one YAML document"), "{e}");
}

#[test]
fn entries_keep_file_order_across_sections() {
    let text = "client:\n  - auth/scope-step-up\nserver:\n  - server/challenge/bearer-scheme\n";
    let roles: Vec<Role> = listed(text).into_iter().map(|(_, r, _)| r).collect();
    assert_eq!(roles, [Role::Client, Role::Server]);
}

#[test]
fn deep_nesting_is_refused_located() {
    let text = format!("other: {}{}\n", "[".repeat(100), "]".repeat(100));
    let e = error(&text);
    assert!(e.contains("nest more than 16 deep"), "{e}");
    assert!(e.contains("a baseline file nests"), "{e}");
}

#[test]
fn alias_bombs_are_refused_in_the_baselines_words() {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..6 {
        let prev = if i == 0 {
            "a".to_string()
        } else {
            format!("a{}", i - 1)
        };
        text.push_str(&format!(
            "a{i}: &a{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
        ));
    }
    let e = error(&text);
    assert!(!e.contains("case file"), "{e}");
    assert!(e.contains("hint:"), "{e}");
}
