//! `man`: the manual page, in roff, made from the same definitions as `--help`.

use clap::CommandFactory;
use clap_mangen::Man;

use super::args::Cli;

/// The whole manual page, section 1: NAME, SYNOPSIS, DESCRIPTION, OPTIONS, then a
/// COMMAND section for every command (its synopsis, description, arguments and options,
/// and the notes and exit statuses of its `--help`), then EXIT STATUS and VERSION.
pub fn page() -> Vec<u8> {
    let mut cmd = Cli::command();
    cmd.build();
    let man = Man::new(cmd.clone());
    let mut page = Vec::new();
    // Writing to a Vec cannot fail: the results are io::Result only by signature.
    let _ = man.render_title(&mut page);
    let _ = man.render_name_section(&mut page);
    let _ = man.render_synopsis_section(&mut page);
    let _ = man.render_description_section(&mut page);
    let _ = man.render_options_section(&mut page);
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = sub.get_name();
        page.extend_from_slice(format!(".SH \"COMMAND: {name}\"\n").as_bytes());
        let man = Man::new(sub.clone());
        let mut part = Vec::new();
        let _ = man.render_synopsis_section(&mut part);
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
    let mut tail = Vec::new();
    let _ = man.render_extra_section(&mut tail);
    let _ = man.render_version_section(&mut tail);
    let tail = String::from_utf8_lossy(&tail).replace(".SH EXTRA\n", ".SH \"EXIT STATUS\"\n");
    page.extend_from_slice(tail.as_bytes());
    page
}
