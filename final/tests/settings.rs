//! The settings' one door: defaults, a TOML file, flags over it, and a
//! one-line error naming the key for everything that cannot be used.

use std::ffi::OsString;
use std::io::Write;

use eventcore::Settings;
use eventcore::cli::{self, Refused};
use eventcore::settings::KEYS;
use eventcore_workers::Model;

fn parse(args: &[&str]) -> Result<cli::Cli, Refused> {
    let args = std::iter::once("eventcore").chain(args.iter().copied());
    cli::parse(args.map(OsString::from))
}

/// The one-line message of a refused setting.
fn refused(args: &[&str]) -> String {
    match parse(args) {
        Err(Refused::Setting(e)) => {
            let line = e.to_string();
            assert!(!line.contains('\n'), "{line:?} is not one line");
            line
        }
        Err(Refused::Usage(e)) => panic!("a usage error, not a setting's: {e}"),
        Ok(cli) => panic!("accepted: {:?}", cli.settings),
    }
}

fn file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file
}

#[test]
fn no_file_no_flags_gives_the_defaults() {
    let cli = parse(&[]).unwrap();
    assert_eq!(cli.settings, Settings::default());
    assert_eq!(cli.settings.addr().to_string(), "127.0.0.1:8080");
    assert!(!cli.print_config);
}

#[test]
fn flags_win_over_the_file_and_the_file_over_the_defaults() {
    let config =
        file("port = 9000\nnum_workers = 3\nkeepalive_timeout_sec = 5\nmodel = \"seed\"\n");
    let path = config.path().to_str().unwrap();
    let cli = parse(&["--config", path, "--port", "9001", "--threads", "7"]).unwrap();
    let s = cli.settings;
    assert_eq!(
        (s.port, s.num_workers, s.num_threads_per_worker),
        (9001, 3, 7)
    );
    assert_eq!((s.keepalive_timeout_sec, s.model), (5.0, Model::Seed));
    // Chapter 7's flag names are aliases of the seed's keys.
    assert_eq!(parse(&["--workers", "2"]).unwrap().settings.num_workers, 2);
    assert_eq!(
        parse(&["--num-workers", "2"]).unwrap().settings.num_workers,
        2
    );
}

#[test]
fn the_settings_compose_into_the_layers() {
    let settings = parse(&[
        "--workers",
        "4",
        "--max-connections",
        "10",
        "--head-timeout-sec",
        "0.25",
    ])
    .unwrap()
    .settings;
    let (config, parts, drain) = settings.compose().unwrap();
    assert_eq!(config.workers, 4);
    // The seed's limit is the server's; the pools' are per worker.
    assert_eq!(parts.pooling.max_connections, 3);
    assert_eq!(parts.timeouts.head, std::time::Duration::from_millis(250));
    assert_eq!(drain, std::time::Duration::from_secs(10));
}

#[test]
fn every_error_names_its_key_on_one_line() {
    assert_eq!(
        refused(&["--port", "x"]),
        "--port: invalid type: string \"x\", expected u16"
    );
    assert_eq!(
        refused(&["--port", "70000"]).split(':').next(),
        Some("--port")
    );
    assert!(refused(&["--model", "threads"]).starts_with("--model: unknown model"));
    assert!(refused(&["--log-level", "loud"]).starts_with("--log-level: unknown variant"));
    assert!(refused(&["--host", "example.com"]).starts_with("--host: "));
    assert!(refused(&["--tcp-nodelay", "yes"]).starts_with("--tcp-nodelay: invalid type"));
    assert!(
        refused(&["--threads", "0"]).starts_with("--num-threads-per-worker: must be at least 1")
    );
    for bad in ["0", "-1", "nan", "1e300"] {
        assert!(
            refused(&["--head-timeout-sec", bad]).starts_with("--head-timeout-sec: "),
            "{bad}"
        );
    }
    assert!(
        refused(&["--tcp-reuseport", "false"]).starts_with("--tcp-reuseport: the inline model")
    );
    // The seed model may go without it, but not with several processes.
    parse(&["--tcp-reuseport", "false", "--model", "seed"]).unwrap();
    assert!(
        refused(&[
            "--tcp-reuseport",
            "false",
            "--model",
            "seed",
            "--processes",
            "2"
        ])
        .starts_with("--tcp-reuseport: ")
    );
    for bad in ["0", "1025", "-2"] {
        assert!(
            refused(&["--processes", bad]).starts_with("--processes: "),
            "{bad}"
        );
    }
    assert_eq!(
        refused(&["--status-path", "status"]),
        "--status-path: must start with /"
    );
    assert!(
        refused(&["--access-log-format", "json"])
            .starts_with("--access-log-format: unknown variant")
    );
}

#[test]
fn file_errors_name_the_file_and_the_key() {
    let unknown = file("port = 9000\nworkers = 2\n");
    let path = unknown.path().to_str().unwrap();
    assert_eq!(
        refused(&["--config", path]),
        format!("{path}: workers: unknown key")
    );
    let bad = file("port = \"eighty\"\n");
    let path = bad.path().to_str().unwrap();
    assert!(refused(&["--config", path]).starts_with(&format!("{path}: port: invalid type")));
    let broken = file("port = 1\n[[oops\n");
    let path = broken.path().to_str().unwrap();
    assert!(refused(&["--config", path]).starts_with(&format!("{path}: line 2: ")));
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.toml");
    let path = missing.to_str().unwrap();
    assert!(refused(&["--config", path]).contains("cannot read the config file"));
    // A flag's good value does not excuse the file's bad key.
    let both = file("colour = 1\n");
    let path = both.path().to_str().unwrap();
    assert_eq!(
        refused(&["--config", path, "--port", "1"]),
        format!("{path}: colour: unknown key")
    );
}

#[test]
fn the_keys_list_is_the_struct_and_help_shows_every_default() {
    let defaults = toml::Table::try_from(Settings::default()).unwrap();
    let mut fields: Vec<&str> = defaults.keys().map(String::as_str).collect();
    // log_file's default, "", is there too.
    let mut keys: Vec<&str> = KEYS.iter().map(|(k, _, _)| *k).collect();
    fields.sort();
    keys.sort();
    assert_eq!(fields, keys);
    let help = cli::command().render_help().to_string();
    for (key, _, _) in KEYS {
        let flag = format!("--{}", key.replace('_', "-"));
        let line = help
            .lines()
            .find(|l| l.contains(&format!("{flag} ")))
            .unwrap_or_else(|| panic!("{flag} not in --help"));
        assert!(line.contains("[default: "), "{line}");
    }
}

#[test]
fn the_printed_settings_read_back_the_same() {
    let settings = parse(&[
        "--port",
        "9100",
        "--model",
        "seed",
        "--log-file",
        "/tmp/x.log",
    ])
    .unwrap()
    .settings;
    let printed = file(&settings.to_toml());
    let again = parse(&["--config", printed.path().to_str().unwrap()])
        .unwrap()
        .settings;
    assert_eq!(again, settings);
}

#[test]
fn the_books_table_gives_every_key_its_default() {
    let book = include_str!("../../book/src/final-server.md");
    let defaults = toml::Table::try_from(Settings::default()).unwrap();
    for (key, _, _) in KEYS {
        let row = book
            .lines()
            .find(|l| l.starts_with(&format!("| `{key}` |")))
            .unwrap_or_else(|| panic!("{key} has no row in the book's table"));
        // The third column: ours, as --print-config writes it.
        let ours = row.split(" | ").nth(2).unwrap();
        assert_eq!(ours, format!("`{}`", defaults[*key]), "{row}");
    }
}
