//! The command line: one flag per setting (`--keepalive-timeout-sec 5` for
//! `keepalive_timeout_sec`), chapter 7's short names kept (`--workers`,
//! `--threads`), `--config FILE`, `--print-config`, `--help` and
//! `--version`. Flags win over the file, the file over the defaults.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Arg, ArgAction, Command};

use crate::settings::{KEYS, Kind, SettingError, Settings};

/// What the command line asks for.
#[derive(Debug, Clone)]
pub struct Cli {
    pub settings: Settings,
    /// Print the effective settings and exit.
    pub print_config: bool,
}

/// Why the command line cannot be used.
#[derive(Debug)]
pub enum Refused {
    /// clap's own: a flag that does not exist, a missing value, or
    /// `--help` / `--version` (which `exit` prints, with status 0).
    Usage(clap::Error),
    /// A setting: from the file or a flag, and what is wrong with it.
    Setting(SettingError),
}

/// Chapter 7's example flags, kept as aliases.
const ALIASES: &[(&str, &str)] = &[
    ("num_workers", "workers"),
    ("num_threads_per_worker", "threads"),
];

fn flag(key: &str) -> String {
    key.replace('_', "-")
}

// ANCHOR: command
/// The command, with every setting's flag and its default in `--help`.
pub fn command() -> Command {
    let defaults = toml::Table::try_from(Settings::default()).unwrap_or_default();
    let mut command = Command::new("eventcore")
        .version(env!("CARGO_PKG_VERSION"))
        .about("An event-driven HTTP/1.1 server. SIGINT or SIGTERM drains it; a second stops it.")
        .arg(
            Arg::new("config")
                .long("config")
                .value_name("FILE")
                .help("read settings from this TOML file (keys as below, with _); flags win"),
        )
        .arg(
            Arg::new("print-config")
                .long("print-config")
                .action(ArgAction::SetTrue)
                .help("print the effective settings as TOML, and exit"),
        );
    for &(key, kind, help) in KEYS {
        let default = match defaults.get(key) {
            Some(toml::Value::String(s)) if s.is_empty() => "none".to_string(),
            Some(toml::Value::String(s)) => s.clone(),
            Some(value) => value.to_string(),
            None => "?".to_string(),
        };
        let mut arg = Arg::new(key)
            .long(flag(key))
            .value_name(match kind {
                Kind::Text => "TEXT",
                Kind::Number => "N",
                Kind::Switch => "true|false",
            })
            .help(format!("{help} [default: {default}]"))
            // So that `-1` reaches the setting's check, not clap's flags.
            .allow_negative_numbers(kind == Kind::Number);
        if let Some((_, alias)) = ALIASES.iter().find(|(k, _)| *k == key) {
            arg = arg.visible_alias(*alias);
        }
        command = command.arg(arg);
    }
    command
}
// ANCHOR_END: command

/// A flag's text as the TOML value its setting wants. Text that is not of
/// the setting's kind stays text, for the deserializer to refuse by name.
fn value(kind: Kind, text: &str) -> toml::Value {
    let parsed = match kind {
        Kind::Text => None,
        Kind::Number => text
            .parse::<i64>()
            .map(toml::Value::Integer)
            .ok()
            .or_else(|| text.parse::<f64>().ok().map(toml::Value::Float)),
        Kind::Switch => text.parse::<bool>().ok().map(toml::Value::Boolean),
    };
    parsed.unwrap_or_else(|| toml::Value::String(text.to_string()))
}

// ANCHOR: parse
/// Reads `args` (the program's name first), the file `--config` names,
/// and makes the settings.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Cli, Refused> {
    let matches = command()
        .try_get_matches_from(args)
        .map_err(Refused::Usage)?;
    let file = matches.get_one::<String>("config").map(PathBuf::from);
    let mut table = match &file {
        Some(path) => Settings::read_file(path).map_err(Refused::Setting)?,
        None => toml::Table::new(),
    };
    let mut from_flags = Vec::new();
    for &(key, kind, _) in KEYS {
        if let Some(text) = matches.get_one::<String>(key) {
            table.insert(key.to_string(), value(kind, text));
            from_flags.push(key);
        }
    }
    let settings = Settings::from_table(table).map_err(|mut e| {
        // Say where the bad value came from: a flag, or the file.
        if from_flags.contains(&e.key.as_str()) {
            e.key = format!("--{}", flag(&e.key));
        } else if let Some(path) = &file {
            e.key = format!("{}: {}", path.display(), e.key);
        }
        Refused::Setting(e)
    })?;
    Ok(Cli {
        settings,
        print_config: matches.get_flag("print-config"),
    })
}
// ANCHOR_END: parse
