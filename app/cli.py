"""The `urikomi` command: check drafts, train and evaluate the model, serve the API.

Exit codes of `check`: 0 when no draft reaches --fail-on, 1 when one does, 2 on usage or input
errors (with a message on stderr). No command prints a traceback for bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError

from app.config import Settings, get_settings
from app.engine.analyze import Analyzer, InvalidText, check_text
from app.engine.model import ModelLoadError
from app.engine.policy import Policy, load_rules_file
from app.engine.rewrite import Answers, check_answer, rewrite_report
from app.labels import Verdict
from app.report_text import render

_SEVERITY = {Verdict.OK: 0, Verdict.CAUTION: 1, Verdict.HARD_SELL: 2}
_FAIL_ON = {"caution": 1, "hard_sell": 2, "never": 3}


class UsageError(Exception):
    """A problem with what the user asked for; printed as one line, exit code 2."""


def _load_analyzer(model: Path | None) -> Analyzer:
    path = model or get_settings().model_path
    try:
        return Analyzer.from_path(path)
    except ModelLoadError as exc:
        raise UsageError(f"cannot load the model at {path}: {exc} (train one with `urikomi train`)") from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # model.json fields of the wrong shape
        raise UsageError(
            f"cannot load the model at {path}: model.json is not a valid model description ({type(exc).__name__}: {exc})"
        ) from exc


def _load_rules(path: Path) -> Policy:
    try:
        return load_rules_file(path)
    except (ValueError, ValidationError) as exc:
        raise UsageError(f"URIKOMI_RULES_FILE: {exc}") from exc


def _policy(args: argparse.Namespace) -> Policy:
    """The policy for `check`: the operator's rules file merged with the command-line options."""
    rules_file = get_settings().rules_file
    base = _load_rules(rules_file) if rules_file else Policy()
    return base.merged(Policy(frozenset(args.ignore), tuple(args.allow), args.sensitivity))


def _read_source(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UsageError(f"{source}: no such file") from exc
    except IsADirectoryError as exc:
        raise UsageError(f"{source}: is a directory") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{source}: not UTF-8 text") from exc
    except OSError as exc:
        raise UsageError(f"{source}: cannot read ({exc.strerror})") from exc


def _check_files(args: argparse.Namespace, analyzer: Analyzer, out: TextIO) -> int:
    worst = 0
    errors = 0
    colour = out.isatty() and not args.no_colour
    policy = _policy(args)
    for source in args.files:
        try:
            text = check_text(_read_source(source), get_settings().max_chars)
            report = analyzer.analyze(text, lang=args.lang, policy=policy)
        except (UsageError, InvalidText) as exc:
            print(f"urikomi check: {source}: {exc}" if isinstance(exc, InvalidText) else f"urikomi check: {exc}", file=sys.stderr)
            errors += 1
            continue
        worst = max(worst, _SEVERITY[report.verdict])
        if args.json:
            out.write(report.model_dump_json() + "\n")
        else:
            out.write(render(text, report, colour=colour, source=source if len(args.files) > 1 else None))
    if errors:
        return 2
    return 1 if worst >= _FAIL_ON[args.fail_on] else 0


def _jsonl_records(stream: TextIO) -> Iterator[tuple[int, object]]:
    for number, line in enumerate(stream, start=1):
        if line.strip():
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, exc


def _check_jsonl(args: argparse.Namespace, analyzer: Analyzer, out: TextIO) -> int:
    """Stream reports for JSON lines on stdin, one output line per input line, in order."""
    worst = 0
    errors = 0
    max_chars = get_settings().max_chars
    policy = _policy(args)
    for number, record in _jsonl_records(sys.stdin):
        record_id = record.get("id") if isinstance(record, dict) else None
        try:
            if isinstance(record, json.JSONDecodeError):
                raise InvalidText(f"line is not valid JSON ({record.msg})")
            if not isinstance(record, dict) or "text" not in record:
                raise InvalidText('each line must be a JSON object with a "text" field')
            text = check_text(record["text"], max_chars)
            report = analyzer.analyze(
                text, id=None if record_id is None else str(record_id), lang=args.lang, policy=policy
            )
        except InvalidText as exc:
            errors += 1
            print(f"urikomi check: line {number}: {exc}", file=sys.stderr)
            out.write(json.dumps({"id": record_id, "line": number, "error": str(exc)}, ensure_ascii=False) + "\n")
            continue
        worst = max(worst, _SEVERITY[report.verdict])
        out.write(report.model_dump_json() + "\n")
        out.flush()
    if errors:
        return 2
    return 1 if worst >= _FAIL_ON[args.fail_on] else 0


def cmd_check(args: argparse.Namespace) -> int:
    """Analyse drafts from files, stdin, or JSON lines."""
    if args.jsonl and args.files:
        raise UsageError("--jsonl reads standard input; do not name files with it")
    if not args.jsonl and not args.files:
        raise UsageError("name one or more files, or - for standard input")
    analyzer = _load_analyzer(args.model)
    return _check_jsonl(args, analyzer, sys.stdout) if args.jsonl else _check_files(args, analyzer, sys.stdout)


def cmd_serve(args: argparse.Namespace) -> int:
    """Start the API with uvicorn after checking the model loads."""
    import uvicorn

    from app.api.protocol import NoDelayH11Protocol

    settings = get_settings()
    _check_serving(settings)  # fail here, in one line naming the file or variable, not in a worker
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        http=NoDelayH11Protocol,
        server_header=False,
        access_log=False,
        log_level="info",
        # X-Forwarded-For is read by the app, from URIKOMI_TRUSTED_PROXIES only: uvicorn's own
        # handling trusts 127.0.0.1 by default, which let any local client pick its address
        proxy_headers=False,
        timeout_graceful_shutdown=settings.shutdown_timeout_seconds or None,
    )
    return 0


def _check_serving(settings: Settings) -> None:
    """Everything a worker needs at start-up, checked once with a readable error."""
    _load_analyzer(settings.model_path)
    if settings.rules_file is not None:
        _load_rules(settings.rules_file)
    if settings.feedback_db is not None:
        from app.feedback import FeedbackStore, StoreUnavailable

        try:
            FeedbackStore(settings.feedback_db, settings.feedback_store_text, settings.feedback_hash_key)
        except StoreUnavailable as exc:
            raise UsageError(f"URIKOMI_FEEDBACK_DB={settings.feedback_db}: {exc}") from exc


def cmd_hash_key(args: argparse.Namespace) -> int:
    """Print the SHA-256 digest of an API key read from stdin, for URIKOMI_API_KEYS."""
    from app.api.access import hash_key

    key = sys.stdin.readline().strip()
    if not key:
        raise UsageError("type the API key on standard input")
    print(hash_key(key))
    return 0


def cmd_extension_pack(args: argparse.Namespace) -> int:
    """Build the browser extension zip with extension/pack.py (needs a source checkout)."""
    import importlib.util

    script = Path(__file__).resolve().parent.parent / "extension" / "pack.py"
    spec = importlib.util.spec_from_file_location("urikomi_extension_pack", script)
    if not script.is_file() or spec is None or spec.loader is None:
        raise UsageError(f"{script} not found: run this from a source checkout")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return int(module.main([*(["--out", str(args.out)] if args.out else []), *(["--check"] if args.check else [])]))


def _train(argv: list[str]) -> int:
    from app.training.train import main as train_main

    return train_main(argv)


def _evaluate(argv: list[str]) -> int:
    from app.training.evaluate import main as evaluate_main

    return evaluate_main(argv)


def _compare(argv: list[str]) -> int:
    from app.training.select import main as compare_main

    return compare_main(argv)


# Subcommands with their own argument parsers (imported lazily: training needs scikit-learn).
_DELEGATED = {"train": _train, "evaluate": _evaluate, "compare": _compare}
_DELEGATED_HELP = {
    "train": "train the model from training_data/",
    "evaluate": "test-split metrics beside the keyword baseline",
    "compare": "compare candidate models on the dev split",
}


def cmd_rewrite(args: argparse.Namespace) -> int:
    """Print the guided story rewrite of a draft and its verdict."""
    draft = _read_source(args.file)
    analyzer = _load_analyzer(args.model)
    try:
        answers = Answers(check_answer("episode", args.episode), check_answer("reason", args.reason))
        check_text(draft, get_settings().max_chars)
    except InvalidText as exc:
        raise UsageError(str(exc)) from exc
    text, report = rewrite_report(analyzer, draft, answers)
    print(text)
    print(f"\n判定: {report.verdict.value} / スコア: 割引スパム {report.scores.discount_spam:.2f} "
          f"/ 押し売り {report.scores.pushy_pitch:.2f} / ストーリー {report.scores.story:.2f}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="urikomi", description="Score Japanese social posts for hard selling.")
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="analyse drafts (files, - for stdin, or --jsonl)")
    check.add_argument("files", nargs="*", help="text files, one draft each; - reads standard input")
    check.add_argument("--json", action="store_true", help="print one JSON report per draft")
    check.add_argument("--jsonl", action="store_true", help='read {"id","text"} JSON lines from stdin, write one report per line')
    check.add_argument("--fail-on", choices=sorted(_FAIL_ON), default="hard_sell", help="exit 1 when a draft reaches this verdict")
    check.add_argument("--lang", choices=["ja", "en"], default="ja", help="language of messages")
    check.add_argument("--model", type=Path, help="model directory (default: URIKOMI_MODEL_PATH or the shipped model)")
    check.add_argument("--no-colour", "--no-color", action="store_true", help="never colour the output")
    check.add_argument("--ignore", action="append", default=[], metavar="RULE", help="skip a rule id or prefix (repeatable)")
    check.add_argument("--allow", action="append", default=[], metavar="TERM", help="never flag this term (repeatable)")
    check.add_argument("--sensitivity", choices=["low", "default", "high"], default="default")
    check.set_defaults(func=cmd_check)

    rewrite = sub.add_parser("rewrite", help="rewrite a draft as a story from your two answers")
    rewrite.add_argument("file", help="the draft (a text file; - reads standard input)")
    rewrite.add_argument("--episode", required=True, help="a moment: a customer's words, a scene from your work (1-300 characters)")
    rewrite.add_argument("--reason", required=True, help="why you offer this, or who it is for (1-300 characters)")
    rewrite.add_argument("--model", type=Path, help="model directory (default: URIKOMI_MODEL_PATH or the shipped model)")
    rewrite.set_defaults(func=cmd_rewrite)

    serve = sub.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)

    hash_cmd = sub.add_parser("hash-key", help="print the digest of an API key (read from stdin) for URIKOMI_API_KEYS")
    hash_cmd.set_defaults(func=cmd_hash_key)

    pack = sub.add_parser("extension-pack", help="build dist/urikomi-extension.zip (the browser extension)")
    pack.add_argument("--out", type=Path, help="zip to write (default: dist/urikomi-extension.zip)")
    pack.add_argument("--check", action="store_true", help="validate the extension only")
    pack.set_defaults(func=cmd_extension_pack)

    for name, text in _DELEGATED_HELP.items():
        sub.add_parser(name, help=text, add_help=False)  # listed in --help; parsed by its own main
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `urikomi` console script."""
    args_list = sys.argv[1:] if argv is None else argv
    if args_list and args_list[0] in _DELEGATED:  # these parse their own options
        return _DELEGATED[args_list[0]](args_list[1:])
    parser = build_parser()
    args = parser.parse_args(args_list)
    try:
        return int(args.func(args))
    except UsageError as exc:
        print(f"urikomi {args.command}: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        problems = "; ".join(f"URIKOMI_{str(e['loc'][0]).upper()}: {e['msg']}" for e in exc.errors())
        print(f"urikomi {args.command}: invalid configuration: {problems}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
