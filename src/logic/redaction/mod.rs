//! Redaction of secrets in evidence. Reports are shared (CI logs, certification
//! artefacts), so tokens, codes, verifiers and client secrets never reach them: the
//! structural rules know where secrets sit, the run's secret values find them wherever
//! else they were written, and the whole finished report passes through both.

mod report;
mod rules;
mod secrets;

pub use report::{redact_case_alone, redact_process, redact_report};
pub use rules::{
    redact_body, redact_exchange, redact_exchange_collecting, redact_text, redact_url,
};
pub use secrets::{Redactor, SecretValues, MIN_SECRET_LEN, MIN_SUBSTRING_LEN, REDACTED};
