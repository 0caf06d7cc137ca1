//! What a one-ticket process reads as it starts: the commands that make tickets, keys or
//! text never read the host's time zone; the ones that read tickets or show local times
//! (verify forms, renew, metrics, verify-batch, inspect) still do.
//!
//! How reading the zone is seen: TZ names a FIFO (`TZ=:/path`, which the C library opens
//! and reads for the zone rules) that the test keeps open for reading and writing and
//! fills with bytes that are no zone file; a process that looked at the zone has taken
//! them (the C library reads a buffer, finds no zone and uses UTC), one that did not has
//! left them all.

use crate::common;

use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::fd::AsFd;
use std::process::{Command, Stdio};

use common::{BIN, SECRET, Scratch};
use nix::fcntl::{FcntlArg, OFlag, fcntl};

const FILL: usize = 4096;

/// A FIFO for TZ, held open (reading and writing, so that nobody blocks) and filled.
struct Zone {
    fifo: File,
    tz: String,
}

impl Zone {
    fn new(dir: &Scratch) -> Zone {
        let path = dir.path("zone");
        nix::unistd::mkfifo(&path, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        let fifo = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap();
        fcntl(fifo.as_fd(), FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).unwrap();
        let mut zone = Zone {
            fifo,
            tz: format!(":{}", path.display()),
        };
        zone.refill();
        zone
    }

    /// Empty the FIFO and put FILL bytes in it.
    fn refill(&mut self) {
        self.waiting();
        self.fifo.write_all(&[b'x'; FILL]).unwrap();
    }

    /// How many bytes are in the FIFO (it is emptied).
    fn waiting(&mut self) -> usize {
        let mut total = 0;
        let mut buf = [0u8; FILL];
        loop {
            match self.fifo.read(&mut buf) {
                Ok(0) => return total,
                Ok(n) => total += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return total,
                Err(e) => panic!("reading the FIFO: {e}"),
            }
        }
    }

    /// Run the binary in `dir` with TZ naming the FIFO and no stdin; its status.
    fn run(&self, dir: &Scratch, args: &[&str]) -> i32 {
        let out = Command::new(BIN)
            .args(args.iter().map(OsStr::new))
            .current_dir(&dir.0)
            .env("TZ", &self.tz)
            .env("SECRET_VAR", SECRET)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.status.code().unwrap_or(-1)
    }

    /// Whether running `args` took bytes from the FIFO (it is refilled after).
    fn read_by(&mut self, dir: &Scratch, args: &[&str], status: i32) -> bool {
        assert_eq!(self.run(dir, args), status, "{args:?}");
        let read = self.waiting() != FILL;
        self.refill();
        read
    }
}

#[test]
fn only_the_commands_that_read_tickets_read_the_time_zone() {
    let dir = Scratch::new("startup-zone");
    let mut zone = Zone::new(&dir);
    // Tickets to read: made first (with TZ=UTC), so that the readers below succeed.
    common::run(
        &dir.0,
        ["gen", "ec_key.pem", "sig", "1400001052", "xiaojun"],
    )
    .expect(0);
    common::run(
        &dir.0,
        ["gen2", "file:secret.txt", "sig2", "1400001052", "xiaojun"],
    )
    .expect(0);
    let readers: &[&[&str]] = &[
        &["inspect", "sig"],
        &["verify", "public.pem", "sig", "1400001052", "xiaojun"],
        &["verifyuser", "public.pem", "sig", "1400001052", "xiaojun"],
        &[
            "verify2",
            "file:secret.txt",
            "sig2",
            "1400001052",
            "xiaojun",
        ],
        &[
            "--json",
            "verify",
            "public.pem",
            "sig",
            "1400001052",
            "xiaojun",
        ],
    ];
    for args in readers {
        assert!(
            zone.read_by(&dir, args, 0),
            "{args:?} did not read the zone"
        );
    }
    let makers: &[&[&str]] = &[
        &["gen", "ec_key.pem", "s1", "1400001052", "xiaojun"],
        &[
            "gen_without_expire",
            "ec_key.pem",
            "s2",
            "1400001052",
            "xiaojun",
        ],
        &[
            "genexpire",
            "ec_key.pem",
            "s3",
            "1400001052",
            "xiaojun",
            "86400",
        ],
        &[
            "genuser",
            "ec_key.pem",
            "s4",
            "1400001052",
            "xiaojun",
            "86400",
            "abc",
        ],
        &["gen2", "env:SECRET_VAR", "s5", "1400001052", "xiaojun"],
        &[
            "gen2user",
            "env:SECRET_VAR",
            "s6",
            "1400001052",
            "xiaojun",
            "abc",
        ],
        &["gen", "--json", "ec_key.pem", "s7", "1400001052", "xiaojun"],
        &[
            "gen",
            "--expire",
            "30d",
            "ec_key.pem",
            "s8",
            "1400001052",
            "xiaojun",
        ],
        &[
            "genprivmap",
            "ec_key.pem",
            "s9",
            "1400001052",
            "xiaojun",
            "--room-id",
            "7",
        ],
        &["keycheck", "ec_key.pem", "public.pem"],
        &["keygen", "new_key.pem", "new_public.pem"],
        &["man"],
    ];
    for args in makers {
        assert!(!zone.read_by(&dir, args, 0), "{args:?} read the zone");
    }
}
