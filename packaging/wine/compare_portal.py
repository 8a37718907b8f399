"""Compares two portal exports (packaging/windows.sh: the Windows build's
under Wine and the Linux build's, from the same sample): the same files,
each byte for byte, except manifest.json, compared without the fields that
say where and when it was made (generated_at, workspace, the sources'
imported_at, and the sources' folders: only their file names are kept).
The last line printed is the verdict; exit 1 when they differ."""

import hashlib
import json
import sys
from pathlib import Path, PureWindowsPath

NOT_COMPARED = ("generated_at", "workspace")


def comparable_manifest(path: Path) -> dict:
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for key in NOT_COMPARED:
        manifest.pop(key, None)
    for source in manifest.get("sources", []):
        source.pop("imported_at", None)
        source.pop("superseded_at", None)
        if source.get("file"):
            # A Windows path read on Linux: PureWindowsPath splits on both.
            source["file"] = PureWindowsPath(source["file"]).name
    return manifest


def main(windows: Path, linux: Path) -> int:
    win_files = sorted(p.relative_to(windows).as_posix() for p in windows.rglob("*") if p.is_file())
    lin_files = sorted(p.relative_to(linux).as_posix() for p in linux.rglob("*") if p.is_file())
    if win_files != lin_files:
        print("different files:", sorted(set(win_files) ^ set(lin_files)))
        return 1
    differ = []
    crlf = 0
    for name in win_files:
        a, b = (windows / name).read_bytes(), (linux / name).read_bytes()
        crlf += a.count(b"\r\n") > 0
        if name == "manifest.json":
            if comparable_manifest(windows / name) != comparable_manifest(linux / name):
                differ.append(name)
        elif a != b:
            differ.append(name)
            sha = lambda data: hashlib.sha256(data).hexdigest()[:12]
            print(f"{name}: {sha(a)} (Windows) != {sha(b)} (Linux)")
    if differ:
        print("differ:", ", ".join(differ))
        return 1
    print(
        f"{len(win_files)} files identical byte for byte "
        f"({crlf} with CRLF), manifest.json apart from "
        f"{', '.join(NOT_COMPARED)}, import times and source folders"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
