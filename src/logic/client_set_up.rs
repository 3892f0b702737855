//! What one run of a client under test is given, and nothing else: the official scenario
//! it is launched for, the mocks' knobs and defects, the issuer's path and the
//! pre-registered client. The driver builds the mocks and the launch from this alone, so
//! two client cases with equal set-ups get identical runs (for the same revision): the
//! run is done once and each case judges the same recorded observation (issue
//! "one client run, many judgments"; `--no-share` turns it off).

use std::collections::BTreeSet;

use super::case_body::ClientRun;
use crate::vocab::{ClientAuthMethod, IdpDefect, IdpKnob, ServerDefect, ServerKnob};

/// The scenario of cases that name none (`auth/metadata-default`: the plain flow). An
/// everything client dispatches on the name and exits on an empty or unknown one.
pub const DEFAULT_SCENARIO: &str = "auth/metadata-default";

/// One client run's inputs. Knobs are sets: the mocks read them as sets, so the order a
/// case file lists them in makes no difference to the run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ClientSetUp {
    /// The official scenario, sent as `MCP_CONFORMANCE_SCENARIO` and the context's `name`.
    pub scenario: String,
    pub server_defects: BTreeSet<ServerDefect>,
    pub server_knobs: BTreeSet<ServerKnob>,
    pub idp_defects: BTreeSet<IdpDefect>,
    pub idp_knobs: BTreeSet<IdpKnob>,
    pub issuer_path: Option<String>,
    /// A client the authorization server knows in advance, by how it authenticates.
    pub preregistered: Option<ClientAuthMethod>,
    /// The machine client of the OAuth client credentials extension, set by its official
    /// scenarios: the client under test gets its credentials in the context.
    pub machine_client: Option<MachineClient>,
    /// The DPoP extension's mocks, set by its official scenarios.
    pub dpop: Option<DpopScenario>,
    /// The assertion grant of the enterprise-managed authorization and workload identity
    /// federation scenarios: who signs the JWT the client redeems.
    pub assertion_grant: Option<AssertionGrant>,
}

/// The RFC 7523 §2.1 grant a scenario has the client redeem, by who issued its JWT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AssertionGrant {
    /// `auth/enterprise-managed-authorization`: an ID-JAG the enterprise identity provider
    /// issues for the client's ID token (RFC 8693 token exchange).
    EnterpriseManaged,
    /// `auth/wif-jwt-bearer`: a workload's JWT from its identity issuer, in the context.
    Workload,
}

impl AssertionGrant {
    pub fn of_scenario(scenario: &str) -> Option<AssertionGrant> {
        match scenario {
            "auth/enterprise-managed-authorization" => Some(AssertionGrant::EnterpriseManaged),
            "auth/wif-jwt-bearer" => Some(AssertionGrant::Workload),
            _ => None,
        }
    }
}

/// The DPoP extension's posture (RFC 9449; the official `auth/dpop` and
/// `auth/dpop-nonce`): both mocks require proofs; with `nonce`, the token endpoint and the
/// MCP server also require a nonce they provide (§8, §9), which RFC 9449 makes optional
/// for servers, so the two postures are separate runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DpopScenario {
    pub nonce: bool,
}

impl DpopScenario {
    /// The DPoP posture a scenario gives, if any.
    pub fn of_scenario(scenario: &str) -> Option<DpopScenario> {
        match scenario {
            "auth/dpop" => Some(DpopScenario { nonce: false }),
            "auth/dpop-nonce" => Some(DpopScenario { nonce: true }),
            _ => None,
        }
    }
}

/// How the machine client of a client credentials scenario authenticates, as the
/// official scenarios give it: `auth/client-credentials-jwt` a private key (RFC 7523
/// §2.2), `auth/client-credentials-basic` a client secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MachineClient {
    PrivateKeyJwt,
    ClientSecretBasic,
}

impl MachineClient {
    /// The machine client a scenario gives, if any.
    pub fn of_scenario(scenario: &str) -> Option<MachineClient> {
        match scenario {
            "auth/client-credentials-jwt" => Some(MachineClient::PrivateKeyJwt),
            "auth/client-credentials-basic" => Some(MachineClient::ClientSecretBasic),
            _ => None,
        }
    }
}

impl ClientSetUp {
    /// The plain flow: default mocks, no pre-registered client.
    pub fn plain() -> ClientSetUp {
        ClientRun::default().set_up()
    }
}

impl ClientRun {
    /// The run this case needs; the part of the case its judgment does not read.
    pub fn set_up(&self) -> ClientSetUp {
        let scenario = self
            .scenario
            .clone()
            .unwrap_or_else(|| DEFAULT_SCENARIO.to_string());
        ClientSetUp {
            machine_client: MachineClient::of_scenario(&scenario),
            assertion_grant: AssertionGrant::of_scenario(&scenario),
            dpop: DpopScenario::of_scenario(&scenario),
            scenario,
            server_defects: self.server_defects().collect(),
            server_knobs: self.server_knobs().collect(),
            idp_defects: self.idp_defects().collect(),
            idp_knobs: self.idp_knobs().collect(),
            issuer_path: self.issuer_path.clone(),
            preregistered: self.preregistered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logic::mock_knobs::{IdpMockKnob, ServerMockKnob};

    #[test]
    fn the_client_credentials_scenarios_give_a_machine_client() {
        let of = |s: &str| {
            ClientRun {
                scenario: Some(s.into()),
                ..ClientRun::default()
            }
            .set_up()
            .machine_client
        };
        assert_eq!(
            of("auth/client-credentials-jwt"),
            Some(MachineClient::PrivateKeyJwt)
        );
        assert_eq!(
            of("auth/client-credentials-basic"),
            Some(MachineClient::ClientSecretBasic)
        );
        assert_eq!(of("auth/pre-registration"), None);
        for scenario in crate::vocab::Extension::ClientCredentials
            .source()
            .official_scenarios
        {
            assert!(MachineClient::of_scenario(scenario).is_some(), "{scenario}");
        }
    }

    #[test]
    fn the_dpop_scenarios_give_the_dpop_mocks() {
        for scenario in crate::vocab::Extension::Dpop.source().official_scenarios {
            assert!(DpopScenario::of_scenario(scenario).is_some(), "{scenario}");
        }
        assert_eq!(
            DpopScenario::of_scenario("auth/dpop-nonce"),
            Some(DpopScenario { nonce: true })
        );
        assert_eq!(DpopScenario::of_scenario("auth/metadata-default"), None);
    }

    #[test]
    fn knob_order_does_not_make_another_run() {
        let a = ClientRun {
            server: vec![
                ServerMockKnob::Knob(ServerKnob::PrmCustomLocation),
                ServerMockKnob::Knob(ServerKnob::ChallengeLowercaseScheme),
            ],
            ..ClientRun::default()
        };
        let b = ClientRun {
            server: vec![
                ServerMockKnob::Knob(ServerKnob::ChallengeLowercaseScheme),
                ServerMockKnob::Knob(ServerKnob::PrmCustomLocation),
            ],
            ..ClientRun::default()
        };
        assert_eq!(a.set_up(), b.set_up());
    }

    #[test]
    fn every_input_of_the_run_tells_set_ups_apart() {
        let plain = ClientSetUp::plain();
        assert_eq!(plain.scenario, DEFAULT_SCENARIO);
        let named = ClientRun {
            scenario: Some("auth/basic-cimd".into()),
            ..ClientRun::default()
        };
        let knob = ClientRun {
            idp: vec![IdpMockKnob::Knob(IdpKnob::PublicClientsOnly)],
            ..ClientRun::default()
        };
        let path = ClientRun {
            issuer_path: Some("/tenant1".into()),
            ..ClientRun::default()
        };
        let preregistered = ClientRun {
            preregistered: Some(ClientAuthMethod::ClientSecretBasic),
            ..ClientRun::default()
        };
        for other in [named, knob, path, preregistered] {
            assert_ne!(other.set_up(), plain);
        }
    }
}
