//! The `zpool-status-exporter` binary: start-up checks, then the server.

use std::process::ExitCode;

use zpool_status_exporter::auth::Keys;
use zpool_status_exporter::cli::{self, Args, Config};
use zpool_status_exporter::scrape::{PoolHealth, Scrape, Scraper};
use zpool_status_exporter::zpool::{ZpoolRunner, find_zpool};
use zpool_status_exporter::{notify, render_scrape, serve, textfile};

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let args: Args = argh::from_env();
    if args.version {
        println!("zpool-status-exporter {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            log::error!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let config = cli::resolve(args, |name| std::env::var(name).ok())?;
    refuse_root(&config)?;
    let keys = load_keys(&config)?;
    let program = find_zpool(config.zpool.clone(), std::env::var_os("PATH").as_deref());
    let mut scraper = Scraper::new(
        ZpoolRunner::new(program),
        config.procfs.clone(),
        config.timeout,
    );

    if config.oneshot {
        let scrape = scraper.scrape().map_err(|error| error.to_string())?;
        let metrics = render_scrape::render(&scrape);
        if let Some(path) = &config.output {
            return textfile::write_atomically(path, &metrics)
                .map_err(|error| format!("could not write {}: {error}", path.display()));
        }
        print!("{metrics}");
        return Ok(());
    }

    // Fail fast: an exporter that can never scrape should not look healthy.
    let first = scraper
        .scrape()
        .map_err(|error| format!("start-up check failed: {error}"))?;
    warn_if_degraded(&first);

    let listening = serve::bind_with_retries(&config.listen_address, config.max_bind_retries)
        .map_err(|error| format!("could not bind {}: {error}", config.listen_address))?;
    log::info!(
        "zpool-status-exporter {} listening on http://{}/metrics (basic auth {}, zpool {})",
        env!("CARGO_PKG_VERSION"),
        listening.address,
        if keys.is_some() { "on" } else { "off" },
        scraper.program().display(),
    );
    match notify::notify_ready() {
        Ok(true) => log::debug!("told systemd we are ready"),
        Ok(false) => {}
        Err(error) => log::warn!("could not notify systemd: {error}"),
    }
    serve::serve(&listening, &mut scraper, keys.as_ref())
        .map_err(|error| format!("the server stopped: {error}"))
}

/// Says at start-up when the exporter serves less than everything.
fn warn_if_degraded(scrape: &Scrape) {
    if let PoolHealth::Kstat { .. } = scrape.health {
        log::warn!("start-up: zpool status failed; serving pool states from kstat until it works");
    }
}

fn refuse_root(config: &Config) -> Result<(), String> {
    if cli::effective_uid() == Some(0) && !config.allow_root {
        return Err(
            "refusing to run as root: `zpool status` needs no privilege on current \
                    OpenZFS; run as an unprivileged user, or pass --allow-root"
                .into(),
        );
    }
    Ok(())
}

fn load_keys(config: &Config) -> Result<Option<Keys>, String> {
    let Some(path) = &config.basic_auth_keys_file else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path).map_err(|error| {
        format!(
            "cannot read basic auth keys file {}: {error}",
            path.display()
        )
    })?;
    let keys = Keys::parse(&text)
        .map_err(|error| format!("basic auth keys file {}: {error}", path.display()))?;
    log::warn!(
        "HTTP basic auth sends passwords in plain text: put a TLS reverse proxy in front \
         when scrapes cross an untrusted network"
    );
    Ok(Some(keys))
}
