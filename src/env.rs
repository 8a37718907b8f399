//! What the workbench reads from the machine it runs on: the clock (every
//! time it records, as UTC ISO 8601) and the OS user (the default author of
//! imports and decisions). Shared by the store, review, the command line
//! and the window, so it sits below all of them.

/// The current UTC time as ISO 8601, to the second ("2026-01-31T14:05:09Z"):
/// the form every recorded time takes in the workspace.
pub fn now_iso() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The OS user, recorded as the author of imports and decisions when no
/// other name is given ("inconnu" when the system does not say).
pub fn os_user() -> String {
    whoami::username().unwrap_or_else(|_| "inconnu".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_utc_iso_to_the_second() {
        let t = now_iso();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T', "{t}");
    }
}
