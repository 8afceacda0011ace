"""``zapdoc dev up|down|submit`` and ``zapdoc package``: the local stack and deployable sources."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from zapdoc.domain.errors import UsageError


def add_dev_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dev = subparsers.add_parser("dev", help="run the whole pipeline locally on emulators")
    dev_sub = dev.add_subparsers(dest="dev_command", metavar="COMMAND")

    up = dev_sub.add_parser("up", help="start emulators, functions and stand-ins (127.0.0.1 only)")
    up.add_argument("--state-dir", type=Path, default=Path(".zapdoc-dev"))
    up.add_argument("--outbox", type=Path, default=Path(".outbox"), help="where mail is captured as .eml")
    up.add_argument(
        "--provider",
        choices=("gemini", "openai", "gemini,openai", "offline"),
        default="gemini",
        help="gemini: the functions call the local Gemini stand-in through google-genai (default); "
        "openai: the OpenAI-compatible stand-in; gemini,openai: both, as a fallback chain; "
        "offline: the deterministic extractor in-process",
    )
    up.add_argument(
        "--gemini-fail-status",
        type=int,
        default=None,
        help="the Gemini stand-in answers every request with this HTTP status (e.g. 429: try the fallback)",
    )
    up.add_argument("--gemini-latency", type=float, default=0.0, help="seconds per Gemini stand-in call")
    up.add_argument("--sweep-every", type=float, default=60.0, help="seconds between sweep runs")
    up.add_argument(
        "--delivery",
        choices=("push", "relay"),
        default="push",
        help="push: emulator push subscriptions (at most 2 requests in flight per subscription); relay: pull "
        "subscriptions pushed by a local relay with production-like fan-out",
    )
    up.add_argument("--foreground", action="store_true", help="stay attached; Ctrl-C stops everything")
    up.add_argument(
        "--port-base",
        type=int,
        default=None,
        help="first of the fixed ports (default 8780, or ZAPDOC_DEV_PORT_BASE): the web app and API listen "
        "there, every other service at a fixed offset",
    )
    up.add_argument(
        "--no-api",
        dest="api",
        action="store_false",
        help="do not serve the public API (skips the Firebase Auth emulator, which needs firebase-tools)",
    )
    up.set_defaults(func=cmd_dev_up)

    down = dev_sub.add_parser("down", help="stop everything `zapdoc dev up` started")
    down.add_argument("--state-dir", type=Path, default=Path(".zapdoc-dev"))
    down.set_defaults(func=cmd_dev_down)

    sm = dev_sub.add_parser("submit", help="submit PDFs/zips to the local stack and wait for the workbook")
    sm.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    sm.add_argument("--fields", help='fields to extract, e.g. "invoice_number, total:amount"')
    sm.add_argument("--template", help="a built-in template (invoice, receipt, resume, contract, rfp)")
    sm.add_argument("--user", default="dev@zapdoc.local", help="email of the local user")
    sm.add_argument("--credits", type=int, default=100, help="credits of a user created by this call")
    sm.add_argument("--wait", type=float, default=300.0, help="seconds to wait for delivery")
    sm.add_argument("--state-dir", type=Path, default=Path(".zapdoc-dev"))
    sm.set_defaults(func=cmd_dev_submit)

    def dev_help(_args: argparse.Namespace) -> int:
        dev.print_help(sys.stderr)
        return 2

    dev.set_defaults(func=dev_help)

    pk = subparsers.add_parser("package", help="build the deployable source of every function")
    pk.add_argument("-o", "--output", type=Path, default=Path("dist/functions"))
    pk.add_argument("--zip", action="store_true", help="also write <function>.zip next to each directory")
    pk.set_defaults(func=cmd_package)


def cmd_dev_up(args: argparse.Namespace) -> int:
    from zapdoc.client.local_stack import load_state
    from zapdoc.dev.stack import LocalStack, StackOptions

    if load_state(args.state_dir):
        raise UsageError(
            f"a local stack is already running (state in {args.state_dir}); run `zapdoc dev down`"
        )
    from zapdoc.dev.tcp_ports import check_free, dev_ports

    ports = dev_ports(args.port_base)
    needed = [n for n in ports if args.api or n not in ("api", "stripe_webhook", "uploads", "checkout")]
    needed = [n for n in needed if args.api or not n.startswith("auth")]
    needed = [n for n in needed if args.provider == "gemini" or n != "gemini"]
    check_free(ports, needed)
    options = StackOptions(
        ports=ports,
        state_dir=args.state_dir,
        outbox=args.outbox,
        provider=args.provider,
        gemini_latency=args.gemini_latency,
        standin_args=(
            {"gemini": ["--fail-status", str(args.gemini_fail_status)]} if args.gemini_fail_status else {}
        ),
        sweep_every=args.sweep_every,
        delivery=args.delivery,
        api=args.api,
    )
    if args.api:
        from zapdoc.dev.api_services import firebase_cli

        if firebase_cli() is None:
            raise UsageError(
                "serving the API needs firebase-tools for the Auth emulator: run "
                "scripts/install-firebase-emulator.sh, or start without the API with `zapdoc dev up --no-api`"
            )
    stack = LocalStack(options).start()
    out = sys.stdout
    if "web" in stack.urls:
        out.write(f"ZapDoc web app: {stack.urls['web']}  (open it in a browser; sign up with any email)\n")
    out.write("ZapDoc local stack is up:\n")
    for name, url in sorted(stack.urls.items()):
        out.write(f"  {name:<9} {url}\n")
    for name, value in sorted(stack.client_env.items()):
        out.write(f"  {name}={value}\n")
    out.write(f"  mail is written to {args.outbox.resolve()}\n")
    out.write("submit with `zapdoc dev submit PATH --template invoice`; stop with `zapdoc dev down`\n")
    if args.api:
        out.write(
            "API: export ZAPDOC_TOKEN=$(zapdoc local-token --email you@example.com), then "
            "`zapdoc submit PATH --template invoice` (both find this stack from this folder)\n"
        )
    if args.foreground:
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            stack.stop()
    return 0


def cmd_dev_down(args: argparse.Namespace) -> int:
    from zapdoc.dev.stack import stop_from_state

    stopped = stop_from_state(args.state_dir)
    sys.stdout.write(f"stopped: {', '.join(stopped)}\n" if stopped else "nothing was running\n")
    return 0


def cmd_dev_submit(args: argparse.Namespace) -> int:
    from zapdoc.bootstrap import client_runtime
    from zapdoc.client.local_stack import load_state
    from zapdoc.dev.submit import submit
    from zapdoc.domain.fields import parse_fields
    from zapdoc.domain.templates import template_fields

    if bool(args.fields) == bool(args.template):
        raise UsageError("say what to extract with exactly one of --fields SPEC or --template NAME")
    fields = template_fields(args.template) if args.template else parse_fields(args.fields)
    state = load_state(args.state_dir)
    if state is None:
        raise UsageError("no local stack is running: start it with `zapdoc dev up`")
    from zapdoc.dev.emulators import http_ok

    if not http_ok(f"http://{state['client_env']['FIRESTORE_EMULATOR_HOST']}/"):
        raise UsageError("the local stack is not answering: run `zapdoc dev down` then `zapdoc dev up`")
    rt = client_runtime(state["client_env"])
    out = sys.stdout

    def progress(line: str) -> None:
        out.write(line + "\n")
        out.flush()

    result = submit(
        rt,
        args.paths,
        fields,
        email=args.user,
        credits=args.credits,
        template=args.template,
        wait=args.wait,
        download_dir=Path(state["outbox"]),
        progress=progress,
    )
    from zapdoc.client.report import outcome_lines

    for line in outcome_lines(result.job_id, result.status, result.documents):
        out.write(line + "\n")
    if result.workbook:
        out.write(f"workbook: {result.workbook}\n")
    if result.reason:
        out.write(f"reason: {result.reason}\n")
    out.write(f"credits charged: {result.charged}, refunded: {result.refunded}, balance: {result.balance}\n")
    return 0 if result.workbook else 1


def cmd_package(args: argparse.Namespace) -> int:
    from zapdoc.dev.packaging import package_all

    for path in package_all(args.output, make_zip=args.zip):
        sys.stdout.write(f"{path}\n")
    return 0
