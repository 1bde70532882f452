//! The store's ed25519 signing key: one file holding the 32-byte secret
//! seed (RFC 8032) as 64 hex digits and a newline, mode 0600, created on
//! first use without ever replacing an existing key.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use ed25519_dalek::SigningKey;

use crate::blob::sync_dir;
use crate::error::{Result, StoreError};
use crate::hex;

/// Reads the key at `path`, creating it if there is none.
pub(crate) fn load_or_create(path: &Path) -> Result<SigningKey> {
    match fs::read_to_string(path) {
        Ok(text) => parse(path, &text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => create(path),
        Err(e) => Err(StoreError::io(path, e)),
    }
}

fn parse(path: &Path, text: &str) -> Result<SigningKey> {
    check_private(path)?;
    let seed = hex::decode_any_case::<32>(text.trim()).ok_or_else(|| StoreError::Key {
        path: path.to_path_buf(),
        reason: "expected 64 hex digits (an ed25519 secret seed)".into(),
    })?;
    Ok(SigningKey::from_bytes(&seed))
}

fn create(path: &Path) -> Result<SigningKey> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| StoreError::Key {
        path: path.to_path_buf(),
        reason: format!("no randomness from the operating system: {e}"),
    })?;
    let key = SigningKey::from_bytes(&seed);
    let mut text = hex::encode(&seed);
    text.push('\n');
    seed.fill(0);

    // tempfile creates the file with mode 0600 on Unix.
    let mut tmp = tempfile::Builder::new()
        .prefix(".signing-key-")
        .tempfile_in(dir)
        .map_err(|e| StoreError::io(dir, e))?;
    let written = tmp
        .as_file_mut()
        .write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all());
    // Overwrite the hex copy of the secret in place.
    wipe(&mut text);
    written.map_err(|e| StoreError::io(tmp.path(), e))?;
    match tmp.persist_noclobber(path) {
        Ok(_) => {
            sync_dir(dir)?;
            Ok(key)
        }
        // Another process created it first: use theirs.
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => {
            let text = fs::read_to_string(path).map_err(|e| StoreError::io(path, e))?;
            parse(path, &text)
        }
        Err(e) => Err(StoreError::io(path, e.error)),
    }
}

fn wipe(text: &mut String) {
    let len = text.len();
    text.clear();
    text.extend(std::iter::repeat_n('0', len));
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)
        .map_err(|e| StoreError::io(path, e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(StoreError::Key {
            path: path.to_path_buf(),
            reason: format!(
                "readable by others (mode {:o}); restrict it with `chmod 600`",
                mode & 0o777
            ),
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_private_and_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/signing.key");
        let a = load_or_create(&path).unwrap();
        let b = load_or_create(&path).unwrap();
        assert_eq!(a.to_bytes(), b.to_bytes());
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.trim().len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn rejects_garbage_and_open_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("signing.key");
        fs::write(&path, "not a key\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
            let err = load_or_create(&path).unwrap_err().to_string();
            assert!(err.contains("64 hex digits"), "{err}");
            fs::write(&path, format!("{}\n", "ab".repeat(32))).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
            let err = load_or_create(&path).unwrap_err().to_string();
            assert!(err.contains("chmod 600"), "{err}");
        }
    }
}
