//! The JSON Schemas of the documents the suite judges (`schemas/*.schema.json`), embedded
//! at compile time and compiled once.

use std::sync::OnceLock;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentSchema {
    /// RFC 9728 §2 protected resource metadata, with MCP's required `authorization_servers`.
    ProtectedResourceMetadata,
    /// RFC 8414 §2 / OpenID Connect Discovery authorization server metadata.
    AuthorizationServerMetadata,
}

static PRM: OnceLock<Result<jsonschema::Validator, String>> = OnceLock::new();
static ASM: OnceLock<Result<jsonschema::Validator, String>> = OnceLock::new();

impl DocumentSchema {
    pub fn file_name(self) -> &'static str {
        match self {
            DocumentSchema::ProtectedResourceMetadata => "protected-resource-metadata.schema.json",
            DocumentSchema::AuthorizationServerMetadata => {
                "authorization-server-metadata.schema.json"
            }
        }
    }

    fn source(self) -> &'static str {
        match self {
            DocumentSchema::ProtectedResourceMetadata => {
                include_str!("../../schemas/protected-resource-metadata.schema.json")
            }
            DocumentSchema::AuthorizationServerMetadata => {
                include_str!("../../schemas/authorization-server-metadata.schema.json")
            }
        }
    }

    fn validator(self) -> &'static Result<jsonschema::Validator, String> {
        let cell = match self {
            DocumentSchema::ProtectedResourceMetadata => &PRM,
            DocumentSchema::AuthorizationServerMetadata => &ASM,
        };
        cell.get_or_init(|| {
            let schema: Value = serde_json::from_str(self.source()).map_err(|e| e.to_string())?;
            jsonschema::options()
                .should_validate_formats(true)
                .build(&schema)
                .map_err(|e| e.to_string())
        })
    }

    /// Validates a document; the errors name the JSON pointer of each violation.
    pub fn validate(self, doc: &Value) -> Result<(), Vec<String>> {
        let validator = self.validator().as_ref().map_err(|e| {
            vec![format!(
                "the embedded schema {} is broken: {e}",
                self.file_name()
            )]
        })?;
        let errors: Vec<String> = validator
            .iter_errors(doc)
            .map(|e| {
                let at = e.instance_path().to_string();
                if at.is_empty() {
                    e.to_string()
                } else {
                    format!("{at}: {e}")
                }
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}
