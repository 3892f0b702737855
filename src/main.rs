use clap::Parser;

fn main() {
    let cli = mcp_authspec::cli::Cli::parse();
    std::process::exit(mcp_authspec::cli::run(cli));
}
