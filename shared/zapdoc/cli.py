"""``zapdoc`` command line: extract PDFs into a workbook, list templates, run the local stack.

Exit codes: 0 the workbook was written (failed documents are rows with Status "error"), 1 an unexpected
failure, 2 a usage error with a message saying what to fix.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from zapdoc import __version__
from zapdoc.domain.clock import utcnow
from zapdoc.domain.documents import DocumentResult
from zapdoc.domain.errors import ConfigError, UsageError, ZapdocError
from zapdoc.domain.fields import FieldSpec, parse_fields
from zapdoc.domain.templates import TEMPLATES, describe_templates, template_fields

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with a one-line hint instead of a wall of usage on errors."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


class Progress:
    """A progress bar on stderr when it is a terminal; one line per document otherwise."""

    def __init__(self, stream: TextIO, *, enabled: bool = True) -> None:
        self.stream = stream
        self.enabled = enabled
        self.tty = stream.isatty()
        self.started = time.perf_counter()
        self.pages = 0

    def __call__(self, result: DocumentResult, done: int, total: int) -> None:
        if not self.enabled:
            return
        self.pages += result.pages or 0
        elapsed = max(time.perf_counter() - self.started, 1e-6)
        if self.tty:
            width = 28
            filled = int(width * done / max(total, 1))
            eta = (total - done) * elapsed / done if done else 0.0
            line = (
                f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} documents"
                f"  {self.pages / elapsed:.1f} pages/s  ETA {eta:.0f}s "
            )
            self.stream.write(line)
            if done >= total:
                self.stream.write("\n")
        else:
            status = "ok" if result.status == "ok" else f"error: {result.reason}"
            self.stream.write(f"[{done}/{total}] {result.file} — {status}\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _resolve_fields(args: argparse.Namespace) -> tuple[FieldSpec, ...]:
    if args.fields and args.template:
        raise UsageError("use either --fields or --template, not both")
    if args.template:
        return template_fields(args.template)
    if args.fields:
        spec: str = args.fields
        if spec.startswith("@"):
            path = Path(spec[1:])
            try:
                spec = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"cannot read fields file {path}: {exc.strerror}") from None
        return parse_fields(spec)
    raise UsageError(
        'say what to extract: --fields "invoice_number, total_amount:amount, issue_date:date" '
        f"or --template NAME (one of: {', '.join(TEMPLATES)})"
    )


def _check_output(raw: str) -> Path:
    out = Path(raw)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"the output must be an .xlsx file, got {raw!r} (e.g. -o results.xlsx)")
    if out.is_dir():
        raise UsageError(f"{raw!r} is a folder; give a file name such as {out / 'results.xlsx'}")
    if not out.parent.exists():
        raise UsageError(f"the folder {str(out.parent)!r} does not exist; create it or choose another -o")
    return out


def cmd_extract(args: argparse.Namespace) -> int:
    from zapdoc.bootstrap import build_extractor
    from zapdoc.services.batch import estimate_documents, run_batch
    from zapdoc.workbook import WorkbookInfo

    fields = _resolve_fields(args)
    out = _check_output(args.output)
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if estimate_documents(args.paths) == 0:
        raise UsageError(
            f"no files found in {', '.join(args.paths)}; give PDFs, .zip files or folders of them"
        )
    extractor, description = build_extractor(args.provider)
    if args.ignore_einvoice and hasattr(extractor, "ignore_einvoice"):
        extractor.ignore_einvoice = True  # providers that read e-invoice XML skip it; the rest never read it
    log = sys.stderr
    if not args.quiet:
        log.write(f"zapdoc: provider: {description}\n")
    progress = Progress(log, enabled=not args.quiet)
    info = WorkbookInfo(template=args.template, provider=extractor.name, created=utcnow())
    summary = run_batch(
        args.paths,
        fields,
        extractor,
        out,
        provider=extractor.name,
        jobs=args.jobs,
        progress=progress,
        keep_results=args.json,
        info=info,
    )
    if args.json:
        payload = {
            "output": summary.output,
            "provider": summary.provider,
            "documents": summary.documents,
            "pages": summary.pages,
            "ok": summary.ok,
            "failed": summary.failed,
            "seconds": round(summary.seconds, 3),
            "results": [r.to_dict() for r in summary.results],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    if not args.quiet:
        log.write(
            f"zapdoc: {summary.documents} documents, {summary.pages} pages, {summary.ok} ok, "
            f"{summary.failed} failed in {summary.seconds:.1f} s -> {summary.output}\n"
        )
        if summary.stats.low_confidence:
            log.write(
                f"zapdoc: {_plural(summary.stats.low_confidence, 'low-confidence value')} to check, "
                "shaded yellow; the Evidence sheet has the page and snippet of each\n"
            )
    return EXIT_OK


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def cmd_templates(args: argparse.Namespace) -> int:
    if args.json:
        data = {
            name: {"description": summary, "fields": [f.to_dict() for f in fields]}
            for name, (summary, fields) in TEMPLATES.items()
        }
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        sys.stdout.write(describe_templates())
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="zapdoc",
        description="Turn PDFs (or .zip archives of PDFs) into a clean, typed Excel workbook.",
    )
    parser.add_argument("--version", action="version", version=f"zapdoc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    ex = sub.add_parser(
        "extract",
        help="extract fields from PDFs and zips into an .xlsx workbook",
        description="Extract fields from PDFs and .zip archives of PDFs into an .xlsx workbook, one row "
        "per document. Failed documents are rows with Status 'error' and a reason.",
        epilog="examples:\n  zapdoc extract invoices/ --template invoice -o invoices.xlsx\n"
        '  zapdoc extract a.pdf b.zip --fields "po_number, total:amount, delivery_date:date" -o out.xlsx',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ex.add_argument(
        "paths", nargs="+", metavar="PATH", help="PDF files, XML e-invoices, .zip files or folders"
    )
    ex.add_argument(
        "--fields",
        help='fields to extract: "name[:type] [(description)], ..." (types: text, number, amount, currency, '
        "date, email, phone, list, table[col, col:type]) or @file.json",
    )
    ex.add_argument("--template", help=f"a built-in template: {', '.join(TEMPLATES)}")
    ex.add_argument(
        "-o", "--output", default="zapdoc-results.xlsx", help="workbook to write (default: %(default)s)"
    )
    ex.add_argument(
        "--provider",
        choices=("offline", "gemini", "openai"),
        help="extraction provider (default: ZAPDOC_LLM_PROVIDER, else gemini when GOOGLE_CLOUD_PROJECT "
        "is set, else offline)",
    )
    ex.add_argument(
        "--ignore-einvoice",
        action="store_true",
        default=None,
        help="do not read e-invoice XML (Factur-X, ZUGFeRD, XRechnung, UBL): take every value from the "
        "page text, e.g. to measure it (default: ZAPDOC_IGNORE_EINVOICE)",
    )
    ex.add_argument("--jobs", type=int, help="documents processed in parallel (default: number of CPUs)")
    ex.add_argument(
        "--json", action="store_true", help="print the summary and every result as JSON on stdout"
    )
    ex.add_argument("-q", "--quiet", action="store_true", help="no progress or summary on stderr")
    ex.set_defaults(func=cmd_extract)

    tp = sub.add_parser("templates", help="list the built-in templates and their fields")
    tp.add_argument("--json", action="store_true", help="machine-readable output")
    tp.set_defaults(func=cmd_templates)

    _add_optional_commands(sub)
    return parser


def _add_optional_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    """Commands that live with their own area (local stack, API client) register themselves."""
    import importlib
    import importlib.util

    for module, hook in (
        ("zapdoc.dev.commands", "add_dev_commands"),
        ("zapdoc.client.commands", "add_client_commands"),
        ("zapdoc.client.admin", "add_admin_commands"),
    ):
        package = module.rsplit(".", 1)[0]
        if importlib.util.find_spec(package) and importlib.util.find_spec(module):
            getattr(importlib.import_module(module), hook)(sub)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and argparse usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        code: int = args.func(args)
    except (UsageError, ConfigError) as exc:
        sys.stderr.write(f"zapdoc: error: {exc}\n")
        return EXIT_USAGE
    except ZapdocError as exc:
        sys.stderr.write(f"zapdoc: failed: {exc}\n")
        return EXIT_FAILED
    except KeyboardInterrupt:
        sys.stderr.write("zapdoc: interrupted\n")
        return 130
    except OSError as exc:
        sys.stderr.write(f"zapdoc: failed: {exc}\n")
        return EXIT_FAILED
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
