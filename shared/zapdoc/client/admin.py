"""``zapdoc admin stats``: the operator's usage report, per day and per document type.

Without ``--api`` it reads the analytics records, jobs and purchases straight from Firestore: the project
in ``GOOGLE_CLOUD_PROJECT`` (Application Default Credentials), or the local stack `zapdoc dev up` started in
this folder. With ``--api URL`` it asks ``GET /v1/admin/stats`` as an admin (ZAPDOC_TOKEN / ZAPDOC_API_KEY).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from zapdoc.domain.errors import UsageError


def add_admin_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    admin = subparsers.add_parser("admin", help="operator commands (usage report)")
    admin_sub = admin.add_subparsers(dest="admin_command", metavar="COMMAND")
    st = admin_sub.add_parser(
        "stats",
        help="usage per day and document type: documents, pages, success, latency, LLM cost, credits",
        description="Reads Firestore (GOOGLE_CLOUD_PROJECT, or the local stack of this folder) unless --api "
        "is given, then asks GET /v1/admin/stats as an admin.",
    )
    st.add_argument("--since", default="7d", help="how far back: 7d (default), 24h, 90m, 2w")
    st.add_argument("--api", default=_api_url(), help="ask this API instead")
    st.add_argument("--json", action="store_true", help="the report as JSON")
    st.add_argument("--state-dir", type=Path, default=Path(".zapdoc-dev"), help=argparse.SUPPRESS)
    st.set_defaults(func=cmd_stats)
    admin.set_defaults(func=lambda _args: _usage(admin))


def _api_url() -> str:
    from zapdoc.bootstrap import settings

    return settings().client.api_url


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _report_from_store(args: argparse.Namespace) -> dict[str, Any]:
    from zapdoc.bootstrap import build_runtime
    from zapdoc.client.local_stack import load_state
    from zapdoc.services.analytics import parse_since, usage_report
    from zapdoc.settings import Settings

    since = _since(args.since, parse_since)
    configured = Settings.from_env()  # this command's environment now (a one-shot CLI)
    state = load_state(args.state_dir)
    if configured.cloud.project:
        return usage_report(build_runtime(configured), since)
    if state:
        from zapdoc.bootstrap import client_runtime

        return usage_report(client_runtime(state.get("client_env") or {}), since)
    raise UsageError("set GOOGLE_CLOUD_PROJECT, start the local stack (zapdoc dev up), or pass --api URL")


def _since(text: str, parse: Any) -> dt.timedelta:
    try:
        value: dt.timedelta = parse(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return value


def _report_from_api(args: argparse.Namespace) -> dict[str, Any]:
    from zapdoc.client.api_client import ZapdocClient
    from zapdoc.services.analytics import parse_since

    _since(args.since, parse_since)
    from zapdoc.bootstrap import settings

    credential = settings().client.credential()
    report: dict[str, Any] = ZapdocClient(args.api, credential).admin_stats(args.since)
    for key in ("since", "until"):
        if isinstance(report.get(key), str):
            report[key] = dt.datetime.fromisoformat(report[key].replace("Z", "+00:00"))
    return report


def cmd_stats(args: argparse.Namespace) -> int:
    from zapdoc.services.analytics import render_report

    report = _report_from_api(args) if args.api else _report_from_store(args)
    if args.json:
        sys.stdout.write(json.dumps(report, default=str, indent=2) + "\n")
    else:
        sys.stdout.write(render_report(report))
    return 0
