//! What a validated case runs, by role: the steps of a server or authorization-server
//! case, or the client run of a client case. Built by validation (`logic/case.rs`,
//! `logic/client_case.rs`) from the file as written; every name in it is already its
//! enum and every request already one of its shapes.

use std::collections::BTreeMap;

use super::case_model::{step_label, Expectation};
use super::client_query::ClientQuery;
use super::mock_knobs::{IdpMockKnob, ServerMockKnob};
use super::query::StepQuery;
use super::step_request::StepRequest;
use super::token_recipe::TokenSend;
use crate::vocab::{ClientAuthMethod, IdpDefect, IdpKnob, ServerDefect, ServerKnob};

/// The body of a case, chosen by the role in its id.
#[derive(Debug, Clone)]
pub enum CaseBody {
    /// `server/…` and `authorization-server/…`: requests the harness sends.
    Steps(Vec<Step>),
    /// `client/…`: one run of the client under test, observed.
    Client(ClientRun),
}

impl CaseBody {
    /// The access tokens the steps send (none for a client case): a run that cannot
    /// provide one makes the case not applicable.
    pub fn token_sends(&self) -> impl Iterator<Item = &TokenSend> {
        let steps = match self {
            CaseBody::Steps(steps) => steps.as_slice(),
            CaseBody::Client(_) => &[],
        };
        steps.iter().filter_map(|s| s.send.token())
    }
}

/// One request and what its answer must show (see `WrittenStep` for each field).
#[derive(Debug, Clone)]
pub struct Step {
    pub name: Option<String>,
    pub send: StepRequest,
    pub when: Vec<Expectation<StepQuery>>,
    pub control: Vec<Expectation<StepQuery>>,
    pub expect: Vec<Expectation<StepQuery>>,
    pub capture: BTreeMap<String, StepQuery>,
    pub capture_if_present: BTreeMap<String, StepQuery>,
}

impl Step {
    /// The name reports use: the step's own, or `step N` (1-based).
    pub fn label(&self, index: usize) -> String {
        step_label(self.name.as_deref(), index)
    }
}

/// A client case's run: the mocks' set-up and what the client's traffic must show (see
/// `WrittenClientRun` for each field).
#[derive(Debug, Clone, Default)]
pub struct ClientRun {
    /// The official scenario; `None` only for the harness's own plain run.
    pub scenario: Option<String>,
    /// The mock MCP server's knobs, in the case's order.
    pub server: Vec<ServerMockKnob>,
    /// The mock authorization server's knobs, in the case's order.
    pub idp: Vec<IdpMockKnob>,
    pub issuer_path: Option<String>,
    /// A client the authorization server knows in advance, by how it authenticates.
    pub preregistered: Option<ClientAuthMethod>,
    pub reached: Vec<Expectation<ClientQuery>>,
    pub when: Vec<Expectation<ClientQuery>>,
    pub expect: Vec<Expectation<ClientQuery>>,
}

impl ClientRun {
    pub fn server_defects(&self) -> impl Iterator<Item = ServerDefect> + '_ {
        self.server.iter().filter_map(|k| match k {
            ServerMockKnob::Defect(d) => Some(*d),
            ServerMockKnob::Knob(_) => None,
        })
    }

    pub fn server_knobs(&self) -> impl Iterator<Item = ServerKnob> + '_ {
        self.server.iter().filter_map(|k| match k {
            ServerMockKnob::Knob(k) => Some(*k),
            ServerMockKnob::Defect(_) => None,
        })
    }

    pub fn idp_defects(&self) -> impl Iterator<Item = IdpDefect> + '_ {
        self.idp.iter().filter_map(|k| match k {
            IdpMockKnob::Defect(d) => Some(*d),
            IdpMockKnob::Knob(_) => None,
        })
    }

    pub fn idp_knobs(&self) -> impl Iterator<Item = IdpKnob> + '_ {
        self.idp.iter().filter_map(|k| match k {
            IdpMockKnob::Knob(k) => Some(*k),
            IdpMockKnob::Defect(_) => None,
        })
    }
}
