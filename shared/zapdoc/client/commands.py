"""``zapdoc submit``, ``zapdoc credits``, ``zapdoc login``/``logout``: the public API from the command line.

Credentials, first found wins: ``ZAPDOC_API_KEY`` (an API key), ``ZAPDOC_TOKEN`` (a Firebase ID token),
then the sign-in stored by ``zapdoc login`` (refreshed when it expires)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from zapdoc.domain.errors import UsageError

if TYPE_CHECKING:
    from zapdoc.settings import ClientSettings


def add_client_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sm = subparsers.add_parser(
        "submit",
        help="send PDFs/zips to a ZapDoc API, wait for the workbook and download it",
        description="Credentials: ZAPDOC_API_KEY (an API key), ZAPDOC_TOKEN (a Firebase ID token), else the "
        "sign-in stored by `zapdoc login`. Exit 0 when the workbook was downloaded, even if some documents "
        "failed (each failure is printed with its reason); 1 when the job was refused or did not finish.",
    )
    sm.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    sm.add_argument("--fields", help='fields to extract, e.g. "invoice_number, total:amount"')
    sm.add_argument("--template", help="a built-in template name or one of your saved template ids")
    _api_argument(sm)
    sm.add_argument("-o", "--output-dir", type=Path, default=Path(), help="where to save the workbook")
    sm.add_argument("--wait", type=float, default=600.0, help="seconds to wait for delivery")
    sm.set_defaults(func=cmd_submit)

    cr = subparsers.add_parser("credits", help="show the balance and recent credit changes")
    _api_argument(cr)
    cr.set_defaults(func=cmd_credits)

    lg = subparsers.add_parser(
        "login",
        help="sign in with email and password (Firebase Auth; the local stack's Auth emulator when it runs)",
        description="Signs in without a browser and stores a refreshable token in "
        "~/.config/zapdoc/credentials.json (mode 0600) for `zapdoc submit` and `zapdoc credits`. "
        "The password is prompted for (or read from stdin with --password-stdin).",
    )
    lg.add_argument("--email", required=True)
    lg.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    lg.add_argument("--sign-up", action="store_true", help="create the account first")
    lg.add_argument("--auth", default=_settings().auth_emulator_host,
                    help="Auth emulator host:port (default: $FIREBASE_AUTH_EMULATOR_HOST, else the local "
                    "stack started here, else Firebase itself)")  # fmt: skip
    lg.add_argument(
        "--api-key",
        default=_settings().firebase_api_key,
        help="Firebase web API key (default: $ZAPDOC_FIREBASE_API_KEY; not needed for the emulator)",
    )
    lg.add_argument("--project", default=_settings().project or "demo-zapdoc")
    lg.set_defaults(func=cmd_login)

    lo = subparsers.add_parser("logout", help="forget the sign-in stored by `zapdoc login`")
    lo.set_defaults(func=cmd_logout)

    lt = subparsers.add_parser(
        "local-token",
        help="print an ID token from the local Firebase Auth emulator (local stack only)",
        description="export ZAPDOC_TOKEN=$(zapdoc local-token --email you@example.com)",
    )
    lt.add_argument("--email", required=True)
    lt.add_argument("--auth", default=_settings().auth_emulator_host,
                    help="emulator host:port (default: $FIREBASE_AUTH_EMULATOR_HOST)")  # fmt: skip
    lt.add_argument("--project", default=_settings().project or "demo-zapdoc")
    lt.set_defaults(func=cmd_local_token)


def _settings() -> ClientSettings:
    from zapdoc.bootstrap import settings

    return settings().client


def _api_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api", default=_settings().api_url, help="API base URL (default: $ZAPDOC_API_URL)")


def _local_stack(key: str) -> str:
    """A URL of the stack `zapdoc dev up` started in this folder ("api" or "auth"), or ""."""
    from zapdoc.client.local_stack import load_state

    state = load_state(Path(".zapdoc-dev")) or {}
    url = str((state.get("urls") or {}).get(key, ""))
    return url.removeprefix("http://") if key == "auth" else url


def _client(args: argparse.Namespace) -> object:
    from zapdoc.client.api_client import ZapdocClient

    args.api = args.api or _local_stack("api")
    if not args.api:
        raise UsageError(
            "say which API to use with --api URL (or ZAPDOC_API_URL), or start one with `zapdoc dev up`"
        )
    credential = _settings().credential()
    if not credential:
        from zapdoc.client.login import fresh_token

        credential = fresh_token()
    return ZapdocClient(args.api, credential)


def cmd_submit(args: argparse.Namespace) -> int:
    from zapdoc.client.api_client import ApiRefused, ZapdocClient

    if bool(args.fields) == bool(args.template):
        raise UsageError("say what to extract with exactly one of --fields SPEC or --template NAME")
    client = _client(args)
    assert isinstance(client, ZapdocClient)
    out = sys.stdout

    def progress(line: str) -> None:
        out.write(line + "\n")
        out.flush()

    try:
        outcome = client.submit(
            args.paths, fields=args.fields, template=args.template, wait=args.wait,
            output_dir=args.output_dir, progress=progress,
        )  # fmt: skip
    except ApiRefused as exc:
        if exc.code == "insufficient_credits":
            sys.stderr.write(f"zapdoc: refused, not enough credits: {exc}. Nothing was charged.\n")
            return 1
        raise
    job = outcome.job
    credits = job.get("credits") or {}
    from zapdoc.client.report import outcome_lines

    for line in outcome_lines(outcome.job_id, outcome.status, job.get("documents") or []):
        out.write(line + "\n")
    if outcome.workbook:
        out.write(f"workbook: {outcome.workbook}\n")
    elif outcome.status == "rejected":
        out.write(f"refused: {job.get('reason') or 'the job was rejected'}. Nothing was charged.\n")
    elif outcome.status not in ("delivered",):
        out.write(
            f"job {outcome.job_id} is {outcome.status}: {job.get('reason') or 'not finished in time'}\n"
        )
    balance = client.me()["balance"]
    charged, refunded = credits.get("charged", 0), credits.get("refunded", 0)
    out.write(f"credits charged: {charged}, refunded: {refunded}, balance: {balance}\n")
    return 0 if outcome.workbook else 1


def cmd_credits(args: argparse.Namespace) -> int:
    from zapdoc.client.api_client import ZapdocClient

    client = _client(args)
    assert isinstance(client, ZapdocClient)
    me = client.me()
    out = sys.stdout
    out.write(f"{me['email'] or me['id']}: {me['balance']} credits\n")
    for entry in me.get("ledger", [])[:10]:
        out.write(f"  {str(entry.get('at', ''))[:19]}  {entry.get('delta', 0):+d}  {entry.get('key', '')}\n")
    return 0


def cmd_local_token(args: argparse.Namespace) -> int:
    from zapdoc.client.local_auth import local_token

    args.auth = args.auth or _local_stack("auth")
    if not args.auth:
        raise UsageError(
            "say where the Auth emulator is with --auth HOST:PORT (or FIREBASE_AUTH_EMULATOR_HOST)"
        )
    sys.stdout.write(local_token(args.auth, args.email, project=args.project) + "\n")
    return 0


def cmd_login(args: argparse.Namespace) -> int:
    import getpass

    from zapdoc.client.login import credentials_path, save, sign_in

    host = args.auth or _local_stack("auth")
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.email}: ")
    login = sign_in(
        args.email, password, emulator_host=host, api_key=args.api_key, sign_up=args.sign_up,
        project=args.project,
    )  # fmt: skip
    path = save(login, credentials_path())
    where = f"the Auth emulator at {host}" if host else "Firebase"
    sys.stdout.write(
        f"signed in as {login.email} through {where}; the token is stored in {path} and refreshed "
        "when it expires\n"
    )
    return 0


def cmd_logout(args: argparse.Namespace) -> int:
    from zapdoc.client.login import credentials_path, logout

    path = credentials_path()
    sys.stdout.write(f"signed out ({path} removed)\n" if logout(path) else "nobody was signed in\n")
    return 0
