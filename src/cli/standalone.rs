//! `mcp-authspec mock idp` and `mcp-authspec reference server`: the suite's actors on
//! their own, serving until interrupted (Ctrl-C or SIGTERM); and `mcp-authspec open-url`,
//! the headless browser the client target's browser shim runs.

use super::args::{MockIdpArgs, OpenUrlArgs, ReferenceServerArgs};
use crate::actors::browser_shim::report_opened_from_env;
use crate::actors::drivers;
use crate::actors::idp::{metadata_document, start_idp, IdpConfig, DEFAULT_SCOPE};
use crate::actors::reference::{start_reference_mcp, ReferenceConfig, ValidationMode};
use crate::actors::tokens::Grant;
use crate::vocab::exit_code;

pub async fn mock_idp(args: MockIdpArgs) -> i32 {
    let config = IdpConfig {
        issuer_path: args
            .issuer_path
            .map(|p| format!("/{}", p.trim_matches('/')))
            .filter(|p| p != "/"),
        defects: args.defects.into_iter().collect(),
        port: args.port,
        ..IdpConfig::default()
    };
    let idp = match start_idp(config).await {
        Ok(i) => i,
        Err(e) => {
            eprintln!(
                "error: cannot start the mock IdP on 127.0.0.1:{}: {e}",
                args.port
            );
            return exit_code::HARNESS;
        }
    };
    println!("issuer: {}", idp.issuer);
    let metadata = metadata_document(idp.state());
    for key in [
        "authorization_endpoint",
        "token_endpoint",
        "registration_endpoint",
    ] {
        if let Some(url) = metadata[key].as_str() {
            println!("{key}: {url}");
        }
    }
    println!("jwks_uri: {}", idp.jwks_uri);
    println!("introspection_endpoint: {}", idp.introspection_endpoint);
    if let Some(resource) = args.token_for {
        let grant = Grant {
            resource,
            scope: DEFAULT_SCOPE.to_string(),
        };
        match idp.minter().valid(&grant) {
            Ok(token) => println!("access_token: {token}"),
            Err(e) => eprintln!("error: {e}"),
        }
    }
    println!("serving until interrupted (Ctrl-C)");
    wait_for_shutdown().await;
    exit_code::OK
}

pub async fn reference_server(args: ReferenceServerArgs) -> i32 {
    let mut scope_implies = std::collections::BTreeMap::<String, Vec<String>>::new();
    for (broader, narrower) in args.scope_implies {
        scope_implies.entry(broader).or_default().push(narrower);
    }
    let config = ReferenceConfig {
        defects: args.defects.into_iter().collect(),
        upstream: args.upstream,
        scope_implies,
        per_user_resource: args.per_user_resource,
        validation: if args.introspection {
            ValidationMode::Introspection
        } else {
            ValidationMode::Jwks
        },
        ..ReferenceConfig::default()
    };
    let server = match start_reference_mcp(config, &args.issuer, args.port).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot start the reference server: {e}");
            return exit_code::HARNESS;
        }
    };
    println!("mcp endpoint: {}", server.mcp_url);
    println!("trusting issuer: {}", server.issuer);
    wait_for_shutdown().await;
    exit_code::OK
}

async fn wait_for_shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// `mcp-authspec open-url`: follows an authorization URL like a browser that is already
/// logged in, and prints where the server finally sent it.
pub async fn open_url(args: OpenUrlArgs) -> i32 {
    report_opened_from_env(&args.url).await;
    match drivers::open_url(&args.url).await {
        Ok(target) => {
            println!("{target}");
            exit_code::OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit_code::FAILED
        }
    }
}
