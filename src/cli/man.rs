//! `man`: the manual page, in roff, made from the same definitions as `--help`; the
//! Debian package ships it (`contrib/build-deb.sh` writes it from the built binary).

use clap::{Arg, Command, CommandFactory};
use clap_mangen::Man;

use super::args::Cli;
use super::exit;

/// What a deploy hook of `renew --config` finds in its environment (src/cli/fleet.rs
/// sets them), and the other variables the tool reads.
const ENVIRONMENT: [(&str, &str); 6] = [
    (
        "USERSIG_FILE",
        "Set for a deploy hook (renew --config): the ticket file that was written.",
    ),
    (
        "USERSIG_IDENTIFIER",
        "Set for a deploy hook: the entry's identifier.",
    ),
    (
        "USERSIG_SDKAPPID",
        "Set for a deploy hook: the entry's SDKAppID.",
    ),
    (
        "USERSIG_EXPIRES_AT",
        "Set for a deploy hook: when the new ticket expires, in Unix seconds.",
    ),
    (
        "NAME (env:NAME)",
        "A key or v2 secret given as env:NAME is read from the variable NAME (the PEM \
         text, or the secret). A deploy hook runs without the variables its manifest's \
         keys name.",
    ),
    (
        "TZ",
        "The time zone of the local times printed beside UTC ones (inspect, verify); \
         without it, /etc/localtime.",
    ),
];

/// The files the package installs or the units use.
const FILES: [(&str, &str); 6] = [
    (
        "/etc/usersig/usersig.toml",
        "The manifest the systemd units give renew --config and metrics --config \
         (an example: /usr/share/doc/tls-licence-tools/examples/usersig.toml.example).",
    ),
    (
        "/etc/usersig/.usersig.toml.lock",
        "The lock of a renew --config run: .NAME.lock beside the manifest NAME, \
         created 0600 and kept. When the directory is not writable, an existing lock \
         file is opened read-only.",
    ),
    (
        "/usr/lib/systemd/system/usersig-renew.service, usersig-renew.timer",
        "Renew the manifest's tickets daily (not enabled by installing: systemctl \
         enable --now usersig-renew.timer). The comments of the service say what a \
         deploy hook may do in its sandbox and how to loosen it.",
    ),
    (
        "/usr/lib/systemd/system/usersig-metrics.service, usersig-metrics.timer",
        "Write the expiry metrics every 5 minutes to \
         /var/lib/prometheus/node-exporter/usersig.prom (systemctl enable --now \
         usersig-metrics.timer).",
    ),
    (
        "/usr/share/doc/tls-licence-tools/examples/usersig.rules.yml",
        "Prometheus alert rules on those metrics.",
    ),
    (
        "/usr/share/bash-completion/completions/tls_licence_tools",
        "Shell completions (also for zsh and fish).",
    ),
];

/// The whole manual page, section 1: NAME, SYNOPSIS, DESCRIPTION, OPTIONS, then a
/// COMMAND section for every command (its synopsis with the options' values, its
/// description, arguments and options, and the notes and exit statuses of its
/// `--help`), then EXIT STATUS (from [`exit::TABLE`]), ENVIRONMENT, FILES, EXAMPLES
/// (each command's example from its `--help`) and VERSION.
pub fn page() -> Vec<u8> {
    let mut cmd = Cli::command();
    cmd.build();
    let name = cmd.get_name().to_string();
    let man = Man::new(cmd.clone());
    let mut page = Vec::new();
    // Writing to a Vec cannot fail: the results are io::Result only by signature.
    let _ = man.render_title(&mut page);
    let _ = man.render_name_section(&mut page);
    page.extend_from_slice(format!(".SH SYNOPSIS\n{}\n", synopsis(&cmd, &name)).as_bytes());
    let _ = man.render_description_section(&mut page);
    let _ = man.render_options_section(&mut page);
    for sub in commands(&cmd) {
        let sub_name = sub.get_name();
        page.extend_from_slice(format!(".SH \"COMMAND: {sub_name}\"\n").as_bytes());
        let full = format!("{name} {sub_name}");
        page.extend_from_slice(format!(".SS SYNOPSIS\n{}\n", synopsis(sub, &full)).as_bytes());
        let man = Man::new(sub.clone());
        let mut part = Vec::new();
        let _ = man.render_description_section(&mut part);
        let _ = man.render_options_section(&mut part);
        let _ = man.render_extra_section(&mut part);
        // Within a command, the sections are subsections.
        for line in String::from_utf8_lossy(&part).split_inclusive('\n') {
            match line.strip_prefix(".SH ") {
                Some("EXTRA\n") => page.extend_from_slice(b".SS NOTES\n"),
                Some(rest) => page.extend_from_slice(format!(".SS {rest}").as_bytes()),
                None => page.extend_from_slice(line.as_bytes()),
            }
        }
    }
    page.extend_from_slice(tail(&cmd).as_bytes());
    let _ = man.render_version_section(&mut page);
    page
}

/// The commands with a section of their own (not `help`).
fn commands(cmd: &Command) -> impl Iterator<Item = &Command> {
    cmd.get_subcommands().filter(|s| s.get_name() != "help")
}

/// Text for roff: backslashes and hyphens escaped, no line starting with a control
/// character.
fn roff(text: &str) -> String {
    let text = text.replace('\\', "\\e").replace('-', "\\-");
    match text.starts_with(['.', '\'']) {
        true => format!("\\&{text}"),
        false => text,
    }
}

/// A command's synopsis: its name in bold, then every option with its value
/// (`[--expire <DURATION>]`), then the arguments, and `<COMMAND>` when it has commands.
fn synopsis(cmd: &Command, path: &str) -> String {
    let mut line = format!("\\fB{}\\fR", roff(path));
    let shown = || cmd.get_arguments().filter(|a| !a.is_hide_set());
    let options = shown().filter(|a| !a.is_positional());
    for arg in options.chain(shown().filter(|a| a.is_positional())) {
        line.push(' ');
        line.push_str(&synopsis_arg(arg));
    }
    if cmd.has_subcommands() {
        line.push_str(" <\\fICOMMAND\\fR>");
    }
    line
}

/// One argument as a synopsis shows it: bold flags, italic values, optional ones in
/// brackets, repeatable ones followed by `...`.
fn synopsis_arg(arg: &Arg) -> String {
    let values: Vec<String> = match arg.get_value_names() {
        Some(names) => names.iter().map(|n| n.to_string()).collect(),
        None => vec![arg.get_id().as_str().to_uppercase()],
    };
    let values: Vec<String> = values
        .iter()
        .map(|v| format!("\\fI{}\\fR", roff(v)))
        .collect();
    let many = arg.get_num_args().is_some_and(|n| n.max_values() > 1);
    let dots = if many { "..." } else { "" };
    if arg.is_positional() {
        let inner = format!("<{}>{dots}", values.join(" "));
        return match arg.is_required_set() {
            true => inner,
            false => format!("[{inner}]"),
        };
    }
    let mut flags = Vec::new();
    if let Some(short) = arg.get_short() {
        flags.push(format!("\\fB\\-{short}\\fR"));
    }
    if let Some(long) = arg.get_long() {
        flags.push(format!("\\fB\\-\\-{}\\fR", roff(long)));
    }
    let mut text = flags.join("|");
    if arg.get_action().takes_values() {
        text.push_str(&format!(" <{}>{dots}", values.join(" ")));
    }
    match arg.is_required_set() {
        true => text,
        false => format!("[{text}]"),
    }
}

/// The sections after the commands: EXIT STATUS, ENVIRONMENT, FILES, EXAMPLES.
fn tail(cmd: &Command) -> String {
    let mut text = String::from(".SH \"EXIT STATUS\"\n");
    for status in exit::TABLE {
        text.push_str(&format!(".TP\n{}\n{}\n", status.code, roff(status.meaning)));
    }
    text.push_str(&format!(".PP\n{}\n", roff(exit::RULE)));
    text.push_str(".SH ENVIRONMENT\n");
    for (name, meaning) in ENVIRONMENT {
        text.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff(name), roff(meaning)));
    }
    text.push_str(".SH FILES\n");
    for (path, meaning) in FILES {
        text.push_str(&format!(".TP\n\\fI{}\\fR\n{}\n", roff(path), roff(meaning)));
    }
    text.push_str(".SH EXAMPLES\n");
    for sub in commands(cmd) {
        let Some(help) = sub.get_after_help() else {
            continue;
        };
        let help = help.to_string();
        for example in help.lines().filter_map(|l| l.strip_prefix("Example: ")) {
            let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
            text.push_str(&format!(
                ".PP\n{}:\n.RS 4\n.nf\n{}\n.fi\n.RE\n",
                roff(&about),
                roff(example)
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests;
