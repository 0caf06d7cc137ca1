//! Running code, or the binary, with an operating system that gives no randomness: a
//! seccomp filter makes getrandom(2) fail with EIO when called as ring's random number
//! generator calls it (flags 0). The standard library's own calls (for hash map keys,
//! with GRND_INSECURE or GRND_NONBLOCK) still succeed, so only what needs secure
//! randomness fails, as in a sandbox that denies it. Linux only.
//!
//! The same seccomp mechanism also kills the binary at a chosen system call
//! ([`kill_at`]): a kill that lands at a known point of its work.

use std::os::unix::process::CommandExt;
use std::process::Command;

use nix::libc;

/// The filter: getrandom with flags 0 fails with EIO; every other call goes through.
fn filter() -> Vec<libc::sock_filter> {
    let op = |code: u32, jt: u8, jf: u8, k: u32| libc::sock_filter {
        code: code as u16,
        jt,
        jf,
        k,
    };
    // struct seccomp_data: nr at 0, arch at 4, instruction pointer at 8, args from 16;
    // the low half of args[2] (flags) at 32 on a little-endian machine.
    vec![
        op(libc::BPF_LD | libc::BPF_W | libc::BPF_ABS, 0, 0, 0),
        op(
            libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K,
            0,
            3,
            libc::SYS_getrandom as u32,
        ),
        op(libc::BPF_LD | libc::BPF_W | libc::BPF_ABS, 0, 0, 32),
        op(libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K, 0, 1, 0),
        op(
            libc::BPF_RET | libc::BPF_K,
            0,
            0,
            libc::SECCOMP_RET_ERRNO | libc::EIO as u32,
        ),
        op(libc::BPF_RET | libc::BPF_K, 0, 0, libc::SECCOMP_RET_ALLOW),
    ]
}

/// The filter of [`kill_at`]: `syscall` with a first argument (a file descriptor) in
/// `fds` kills the process; every other call goes through.
fn kill_filter(
    syscall: libc::c_long,
    fds: std::ops::RangeInclusive<u32>,
) -> Vec<libc::sock_filter> {
    let op = |code: u32, jt: u8, jf: u8, k: u32| libc::sock_filter {
        code: code as u16,
        jt,
        jf,
        k,
    };
    // The low half of args[0] at 16 (little-endian).
    vec![
        op(libc::BPF_LD | libc::BPF_W | libc::BPF_ABS, 0, 0, 0),
        op(
            libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K,
            0,
            4,
            syscall as u32,
        ),
        op(libc::BPF_LD | libc::BPF_W | libc::BPF_ABS, 0, 0, 16),
        op(
            libc::BPF_JMP | libc::BPF_JGE | libc::BPF_K,
            0,
            2,
            *fds.start(),
        ),
        op(
            libc::BPF_JMP | libc::BPF_JGT | libc::BPF_K,
            1,
            0,
            *fds.end(),
        ),
        op(
            libc::BPF_RET | libc::BPF_K,
            0,
            0,
            libc::SECCOMP_RET_KILL_PROCESS,
        ),
        op(libc::BPF_RET | libc::BPF_K, 0, 0, libc::SECCOMP_RET_ALLOW),
    ]
}

/// Install `program` on the calling thread (and what it starts or executes). Only
/// system calls: safe between fork and exec.
fn install(program: &[libc::sock_filter]) -> std::io::Result<()> {
    let prog = libc::sock_fprog {
        len: program.len() as u16,
        filter: program.as_ptr().cast_mut(),
    };
    // SAFETY: prctl with these arguments only reads `prog`, which outlives the calls.
    unsafe {
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
            || libc::prctl(libc::PR_SET_SECCOMP, libc::SECCOMP_MODE_FILTER, &prog) != 0
        {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Run `f` on a thread of its own whose getrandom fails (the filter stays with that
/// thread, which ends with `f`).
pub fn without_randomness<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    let program = filter();
    std::thread::scope(|s| {
        s.spawn(|| {
            install(&program).expect("install the seccomp filter");
            f()
        })
        .join()
        .expect("the thread without randomness")
    })
}

/// Make `command` run with no randomness (the filter is installed before it executes).
pub fn deny_randomness(command: &mut Command) -> &mut Command {
    let program = filter();
    // SAFETY: the hook makes only the system calls of `install`.
    unsafe { command.pre_exec(move || install(&program)) }
}

/// Make `command` die (by SIGSYS, with no core file) the moment it makes `syscall` on a
/// file descriptor in `fds`, before the call does anything.
pub fn kill_at(
    command: &mut Command,
    syscall: libc::c_long,
    fds: std::ops::RangeInclusive<u32>,
) -> &mut Command {
    let program = kill_filter(syscall, fds);
    let no_core = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: the hook makes only system calls: setrlimit, and those of `install`.
    unsafe {
        command.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_CORE, &no_core) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            install(&program)
        })
    }
}
