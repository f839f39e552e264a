//! The watcher's lock: `<state>/watch.lock`, held with an exclusive OS file lock for as long
//! as the watcher runs and holding its pid. The OS drops the lock when the process dies, so a
//! crashed watcher never leaves a stale lock behind; the pid is only there to be shown.

use crate::error::{Error, Result};
use crate::watch::state::StateDir;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};

/// The lock of the running watcher; dropping it releases the lock.
#[derive(Debug)]
pub struct Held {
    _file: File,
}

/// Whether a watcher runs: `Some(pid)` when the lock is held (pid 0 when unreadable).
pub fn running(state: &StateDir) -> Option<u32> {
    let path = state.lock();
    let mut file = OpenOptions::new().read(true).open(&path).ok()?;
    match file.try_lock_shared() {
        Ok(()) => None,
        Err(_) => {
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            Some(text.trim().parse().unwrap_or(0))
        }
    }
}

/// Take the lock, or say which watcher holds it.
pub fn acquire(state: &StateDir) -> Result<Held> {
    state.create()?;
    let path = state.lock();
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    // `running` takes a shared lock for an instant; try again before concluding that a
    // watcher holds it.
    let mut tries = 0;
    while file.try_lock().is_err() {
        tries += 1;
        if tries >= 5 {
            let pid = running(state).unwrap_or(0);
            return Err(Error::user(format!(
                "a git drift watcher is already running (pid {pid}); its lock is {}",
                path.display()
            ))
            .with_hint(
                "one watcher covers every initialised repository; stop it first to start another",
            ));
        }
        std::thread::sleep(std::time::Duration::from_millis(40));
    }
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| writeln!(file, "{}", std::process::id()))
        .and_then(|()| file.flush())
        .map_err(|e| Error::io(&path, e))?;
    Ok(Held { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_acquire_fails_and_names_the_pid_until_the_first_is_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let state = StateDir(tmp.path().join("drift"));
        assert_eq!(running(&state), None);
        let held = acquire(&state).unwrap();
        // Locks are per open file description, so a second open in this process conflicts.
        assert_eq!(running(&state), Some(std::process::id()));
        let err = acquire(&state).unwrap_err().to_string();
        assert!(err.contains(&std::process::id().to_string()), "{err}");
        drop(held);
        // A child another test forks in this process shares the open file (and its lock)
        // until its exec closes it, so the release can take a moment to be seen.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while running(&state).is_some() && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert_eq!(running(&state), None);
        assert!(acquire(&state).is_ok());
    }
}
