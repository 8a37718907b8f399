//! Windows only: lets the GUI-subsystem `datamed.exe` print to the console
//! of the shell that started a command. A GUI-subsystem program gets no
//! console, so a double-click opens the window without a black console
//! flashing up first (what an agent sees every day); in exchange, a
//! command typed in cmd.exe or PowerShell attaches to its parent's console
//! to be heard. Output redirected to a file or a pipe arrives with handles
//! of its own, left as they are.
//!
//! This is the crate's one exception to `unsafe_code`: a single call of a
//! Win32 function that takes a process id by value and returns a status,
//! through `windows-sys`'s declaration. No pointer, buffer or lifetime
//! crosses it, so no memory can be misused; it only changes which console
//! the process's standard handles reach.

#![allow(unsafe_code)]

use std::os::windows::io::AsRawHandle;

use windows_sys::Win32::System::Console::{ATTACH_PARENT_PROCESS, AttachConsole};

/// Attaches the process to its parent's console when stdout or stderr has
/// nowhere to go and the parent has a console (cmd.exe, PowerShell,
/// Windows Terminal). Started from Explorer there is none, and the call
/// fails harmlessly: the output then goes nowhere, as for any window
/// program.
pub fn attach_parent() {
    let unconnected =
        std::io::stdout().as_raw_handle().is_null() || std::io::stderr().as_raw_handle().is_null();
    if unconnected {
        // SAFETY: AttachConsole takes a process id by value (the documented
        // ATTACH_PARENT_PROCESS constant) and returns a BOOL; it reads and
        // writes no memory of ours. Called before any other thread exists.
        let _attached = unsafe { AttachConsole(ATTACH_PARENT_PROCESS) };
    }
}
