use super::*;

fn text() -> String {
    String::from_utf8(page()).unwrap()
}

/// The sections a manual page of section 1 has, in man-pages(7)'s order.
#[test]
fn sections_come_in_order() {
    let page = text();
    let mut at = 0;
    for section in [
        ".SH NAME\n",
        ".SH SYNOPSIS\n",
        ".SH DESCRIPTION\n",
        ".SH OPTIONS\n",
        ".SH \"COMMAND: gen\"\n",
        ".SH \"EXIT STATUS\"\n",
        ".SH ENVIRONMENT\n",
        ".SH FILES\n",
        ".SH EXAMPLES\n",
        ".SH VERSION\n",
    ] {
        let found = page[at..]
            .find(section)
            .unwrap_or_else(|| panic!("{section}"));
        at += found + section.len();
    }
}

/// EXIT STATUS is exit::TABLE, every status in order, then the rule.
#[test]
fn exit_status_is_the_table() {
    let page = text();
    let start = page.find(".SH \"EXIT STATUS\"\n").unwrap();
    let end = page.find(".SH ENVIRONMENT\n").unwrap();
    let mut want = String::from(".SH \"EXIT STATUS\"\n");
    for e in exit::TABLE {
        want += &format!(".TP\n{}\n{}\n", e.code, e.meaning.replace('-', "\\-"));
    }
    want += &format!(".PP\n{}\n", exit::RULE);
    assert_eq!(page[start..end], want);
    assert!(
        want.contains(".TP\n141\nstdout was a closed pipe"),
        "{want}"
    );
}

/// The deploy hook's variables the page names are the ones fleet.rs sets, all of them.
#[test]
fn environment_names_the_hook_variables_fleet_sets() {
    let fleet = include_str!("../fleet.rs");
    let set: Vec<&str> = fleet
        .split(".env(\"")
        .skip(1)
        .filter_map(|s| s.split_once('"').map(|(name, _)| name))
        .collect();
    assert_eq!(
        set,
        [
            "USERSIG_FILE",
            "USERSIG_IDENTIFIER",
            "USERSIG_SDKAPPID",
            "USERSIG_EXPIRES_AT"
        ]
    );
    let page = text();
    for name in set {
        assert!(
            page.contains(&format!(".TP\n\\fB{}\\fR\n", name)),
            "{name} not in ENVIRONMENT"
        );
    }
    assert!(page.contains(".TP\n\\fBTZ\\fR\n"));
}

/// Synopses give each option's value and each argument, as --help does.
#[test]
fn synopses_show_option_values() {
    let page = text();
    assert!(
        page.contains(
            ".SS SYNOPSIS\n\\fBtls_licence_tools gen\\fR [\\fB\\-\\-expire\\fR <\\fIDURATION\\fR>] \
             [\\fB\\-\\-allow\\-any\\-identifier\\fR] [\\fB\\-\\-json\\fR] [\\fB\\-h\\fR|\\fB\\-\\-help\\fR] \
             <\\fIPRI_KEY_FILE\\fR> <\\fISIG_FILE\\fR> <\\fISDKAPPID\\fR> <\\fIIDENTIFIER\\fR>\n"
        ),
        "{page}"
    );
    assert!(page.contains(
        ".SH SYNOPSIS\n\\fBtls_licence_tools\\fR [\\fB\\-\\-json\\fR] [\\fB\\-h\\fR|\\fB\\-\\-help\\fR] \
         [\\fB\\-V\\fR|\\fB\\-\\-version\\fR] <\\fICOMMAND\\fR>\n"
    ));
}

/// EXAMPLES has every command's example from its --help, under what the command does.
#[test]
fn examples_are_each_command_s() {
    let page = text();
    let examples = &page[page.find(".SH EXAMPLES\n").unwrap()..];
    let mut cmd = Cli::command();
    cmd.build();
    for sub in commands(&cmd) {
        let name = sub.get_name().replace('-', "\\-");
        assert!(
            examples.contains(&format!(".nf\ntls_licence_tools {name} ")),
            "{name}: {examples}"
        );
    }
    assert!(examples.contains(
        ".PP\nMake a v1 ticket (ECDSA P\\-256) valid for 180 days and write it to SIG_FILE:\n\
         .RS 4\n.nf\ntls_licence_tools gen ec_key.pem sig 1400001052 xiaojun\n.fi\n.RE\n"
    ));
}
