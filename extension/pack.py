"""Build the Urikomi browser extension (stdlib only).

    python extension/pack.py                    # dist/urikomi-extension.zip (+ refresh extension/vendor/)
    python extension/pack.py --out X.zip        # another zip path
    python extension/pack.py --unpacked DIR     # also write the unpacked build to DIR (e.g. for tests)
    python extension/pack.py --check            # validate only; write nothing

Steps: copy the web form's rendering modules (app/web/static/render.js, i18n.js, style.css) into
vendor/, validate manifest.json and every relative import, then zip the runtime files only
(no tests, README, Python, dotfiles). The zip is deterministic: same sources, same bytes.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

EXTENSION_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = EXTENSION_DIR.parent
STATIC_DIR = PROJECT_ROOT / "app" / "web" / "static"
DEFAULT_ZIP = PROJECT_ROOT / "dist" / "urikomi-extension.zip"

# (file in app/web/static, required?)
VENDOR_FILES = (("render.js", True), ("i18n.js", True), ("style.css", False))
VENDOR_DIR = "vendor"

RUNTIME_SUFFIXES = {".js", ".mjs", ".html", ".css", ".json", ".png", ".svg", ".woff2"}
EXCLUDED_PARTS = {"tests", "test", "__tests__", "node_modules", "__pycache__", "dist", "web-ext-artifacts"}
EXCLUDED_NAMES = re.compile(r"(\.test\.|\.spec\.|\.map$|^package(-lock)?\.json$|^tsconfig\.json$|^\.)")

ALLOWED_PERMISSIONS = {"storage", "contextMenus", "scripting", "activeTab"}
REQUIRED_HOSTS = {"http://127.0.0.1/*", "http://localhost/*"}
ZIP_DATE = (2024, 1, 1, 0, 0, 0)

_IMPORT = re.compile(r"""(?:\bimport\s[^'"`;]*?\bfrom\s*|\bimport\s*\(?\s*|\bexport\s[^'"`;]*?\bfrom\s*)["']([^"']+)["']""")
_NAMED_IMPORT = re.compile(r"""\bimport\s*\{([^}]*)\}\s*from\s*["']([^"']+)["']""")
_EXPORT = re.compile(r"""\bexport\s+(?:async\s+)?(?:function\*?|const|let|var|class)\s+([A-Za-z_$][\w$]*)""")
_HTML_REF = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


class PackError(Exception):
    """The extension cannot be built; the message lists every problem found."""


def runtime_files(source: Path) -> list[PurePosixPath]:
    """The files that ship: runtime suffixes only, no tests, dev files, dotfiles or Python."""
    files = []
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        rel = PurePosixPath(path.relative_to(source).as_posix())
        if any(part in EXCLUDED_PARTS or part.startswith(".") for part in rel.parts[:-1]):
            continue
        if EXCLUDED_NAMES.search(rel.name) or path.suffix.lower() not in RUNTIME_SUFFIXES:
            continue
        files.append(rel)
    return files


def sync_vendor(dest: Path, static_dir: Path = STATIC_DIR) -> list[str]:
    """Copy the web form's rendering modules into `dest` (a vendor/ directory)."""
    missing = [name for name, required in VENDOR_FILES if required and not (static_dir / name).is_file()]
    if missing:
        raise PackError(
            f"{', '.join(missing)} not found in {static_dir}: the extension reuses the web form's rendering "
            "modules, so build the web form first"
        )
    dest.mkdir(parents=True, exist_ok=True)
    copied = []
    for name, _ in VENDOR_FILES:
        source = static_dir / name
        if source.is_file():
            shutil.copyfile(source, dest / name)
            copied.append(name)
    return copied


def _exists(root: Path, rel: str) -> bool:
    return bool(rel) and not rel.startswith("/") and ".." not in PurePosixPath(rel).parts and (root / rel).is_file()


def _war_matches(root: Path, pattern: str) -> bool:
    return any(True for _ in root.glob(pattern)) if "*" in pattern else (root / pattern).is_file()


def validate(root: Path) -> dict:
    """Check manifest.json and every file it, the pages and the modules refer to; return the manifest."""
    problems: list[str] = []
    try:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PackError(f"{root / 'manifest.json'} is missing") from exc
    except json.JSONDecodeError as exc:
        raise PackError(f"manifest.json is not valid JSON: {exc}") from exc

    if manifest.get("manifest_version") != 3:
        problems.append("manifest_version must be 3")
    for key in ("name", "version", "description"):
        if not isinstance(manifest.get(key), str) or not manifest[key].strip():
            problems.append(f"manifest.{key} is missing")
    if not re.fullmatch(r"\d+(\.\d+){0,3}", str(manifest.get("version", ""))):
        problems.append("manifest.version must be 1-4 dot-separated integers")
    background = manifest.get("background") or {}
    worker = background.get("service_worker")
    if not _exists(root, str(worker or "")):
        problems.append(f"background.service_worker {worker!r} does not exist")
    for script in background.get("scripts", []):
        if not _exists(root, script):
            problems.append(f"background.scripts entry {script!r} does not exist")
    pages = {
        "action.default_popup": (manifest.get("action") or {}).get("default_popup"),
        "options_ui.page": (manifest.get("options_ui") or {}).get("page"),
    }
    for where, page in pages.items():
        if not _exists(root, str(page or "")):
            problems.append(f"{where} {page!r} does not exist")
    icons = dict(manifest.get("icons") or {})
    icons.update({f"action {k}": v for k, v in ((manifest.get("action") or {}).get("default_icon") or {}).items()})
    for size, icon in icons.items():
        if not _exists(root, str(icon)):
            problems.append(f"icon {size} {icon!r} does not exist")
    for entry in manifest.get("web_accessible_resources", []):
        for pattern in entry.get("resources", []):
            if not _war_matches(root, pattern):
                problems.append(f"web_accessible_resources {pattern!r} matches no file")
    extra = set(manifest.get("permissions", [])) - ALLOWED_PERMISSIONS
    if extra:
        problems.append(f"unexpected permissions {sorted(extra)} (allowed: {sorted(ALLOWED_PERMISSIONS)})")
    if set(manifest.get("host_permissions", [])) != REQUIRED_HOSTS:
        problems.append(f"host_permissions must be exactly {sorted(REQUIRED_HOSTS)}")
    csp = (manifest.get("content_security_policy") or {}).get("extension_pages", "")
    if "unsafe-eval" in csp or "http" in csp:
        problems.append("content_security_policy.extension_pages must not allow eval or remote code")

    for html in sorted(root.glob("*.html")):
        for ref in _HTML_REF.findall(html.read_text(encoding="utf-8")):
            if not re.match(r"^[a-z]+:", ref) and not _exists(root, (PurePosixPath(html.name).parent / ref).as_posix()):
                problems.append(f"{html.name} refers to {ref!r}, which does not exist")
            if re.match(r"^(https?:)?//", ref):
                problems.append(f"{html.name} loads remote code {ref!r}")
    problems += _check_modules(root)
    if problems:
        raise PackError("the extension is not valid:\n  - " + "\n  - ".join(problems))
    return manifest


def _check_modules(root: Path) -> list[str]:
    """Every relative import resolves, and every name imported from a module is exported by it."""
    problems = []
    exports: dict[Path, set[str]] = {}
    for js in sorted(root.rglob("*.js")):
        if any(part in EXCLUDED_PARTS for part in js.relative_to(root).parts):
            continue
        text = js.read_text(encoding="utf-8")
        rel = js.relative_to(root).as_posix()
        for spec in _IMPORT.findall(text):
            if spec.startswith(("http:", "https:", "//")):
                problems.append(f"{rel} imports remote code {spec!r}")
            elif spec.startswith("."):
                target = (js.parent / spec).resolve()
                if not target.is_file():
                    problems.append(f"{rel} imports {spec!r}, which does not exist")
        for names, spec in _NAMED_IMPORT.findall(text):
            if not spec.startswith("."):
                continue
            target = (js.parent / spec).resolve()
            if not target.is_file():
                continue
            if target not in exports:
                exports[target] = set(_EXPORT.findall(target.read_text(encoding="utf-8")))
            for name in (n.strip().split(" as ")[0].strip() for n in names.split(",")):
                if name and name not in exports[target]:
                    problems.append(f"{rel} imports {name!r} from {spec!r}, which does not export it")
    return problems


def stage(dest: Path, source: Path = EXTENSION_DIR, static_dir: Path = STATIC_DIR) -> list[PurePosixPath]:
    """Write the unpacked build (what the zip holds) to `dest`, replacing it; return its files."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for rel in runtime_files(source):
        if rel.parts[0] == VENDOR_DIR:
            continue  # always taken fresh from app/web/static below, never a stale copy
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / rel, dest / rel)
    sync_vendor(dest / VENDOR_DIR, static_dir)
    validate(dest)
    return runtime_files(dest)


def write_zip(build: Path, out: Path) -> list[str]:
    """Zip the unpacked build deterministically (sorted names, fixed dates); return the names."""
    out.parent.mkdir(parents=True, exist_ok=True)
    names = [rel.as_posix() for rel in runtime_files(build)]
    tmp = out.with_suffix(out.suffix + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, (build / name).read_bytes())
    tmp.replace(out)
    return names


def pack(out: Path = DEFAULT_ZIP, unpacked: Path | None = None, refresh_vendor: bool = True) -> list[str]:
    """Build the zip (and optionally the unpacked tree); refresh extension/vendor/ for `Load unpacked`."""
    if refresh_vendor:
        sync_vendor(EXTENSION_DIR / VENDOR_DIR)
    if unpacked is not None:
        stage(unpacked)
        return write_zip(unpacked, out)
    with tempfile.TemporaryDirectory(prefix="urikomi-extension-") as tmp:
        build = Path(tmp) / "build"
        stage(build)
        return write_zip(build, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="urikomi extension-pack", description="Build the Urikomi browser extension zip.")
    parser.add_argument("--out", type=Path, default=DEFAULT_ZIP, help=f"zip to write (default: {DEFAULT_ZIP})")
    parser.add_argument("--unpacked", type=Path, help="also write the unpacked build to this directory")
    parser.add_argument("--check", action="store_true", help="validate only (in a temporary directory)")
    args = parser.parse_args(argv)
    try:
        if args.check:
            with tempfile.TemporaryDirectory(prefix="urikomi-extension-") as tmp:
                files = stage(Path(tmp) / "build")
            print(f"extension OK: {len(files)} files")
            return 0
        names = pack(args.out, args.unpacked)
    except PackError as exc:
        print(f"urikomi extension-pack: {exc}", file=sys.stderr)
        return 2
    version = json.loads((EXTENSION_DIR / "manifest.json").read_text(encoding="utf-8"))["version"]
    print(f"wrote {args.out} (version {version}, {len(names)} files)")
    if args.unpacked:
        print(f"unpacked build in {args.unpacked}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
