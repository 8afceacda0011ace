"""Offline checks that the Terraform stack matches the code it deploys. Each check returns a list of
problems (empty = fine), so tests can assert both "the real stack passes" and "a broken copy fails"."""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import functools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from tests.unit.terraform_hcl import (
    REPO,
    Stack,
    attr,
    blocks,
    dynamic_blocks,
)

# The seven functions issue 6 asks for, and issue 14's webhooks (folder = entry point = resource name).
REQUIRED_FUNCTIONS = {
    "api",
    "stripe_webhook",
    "intake",
    "extract",
    "classify",
    "assemble",
    "sweep",
    "webhooks",
}
# Functions that call the LLM (Gemini on Vertex AI): the only ones that may hold roles/aiplatform.user.
LLM_FUNCTIONS = {"extract", "classify"}
# Functions that send mail (SendGrid): intake (rejection notice), assemble (the workbook), sweep
# (cancellation notice, re-driven assembly), stripe_webhook (failed asynchronous payment).
MAIL_SENDERS = {"intake", "assemble", "sweep", "stripe_webhook"}
# Functions that sign URLs through IAM signBlob: api (uploads, downloads), assemble and sweep (download
# link for a workbook too big to attach).
URL_SIGNERS = {"api", "assemble", "sweep", "webhooks"}  # webhooks: the event's download link
# Which topic feeds which function (intake publishes to documents; extract/classify to document-results).
PUSH_SUBSCRIBERS = {
    "extract": "documents",
    "classify": "documents",
    "assemble": "document-results",
    "webhooks": "zapdoc-webhooks",
}
# The only functions reachable from the internet (they authenticate every request in code).
PUBLIC_FUNCTIONS = {"api", "stripe_webhook"}
FORBIDDEN_ROLES = {"roles/owner", "roles/editor"}
# Project-wide roles a function's own service account may hold (everything else is granted per resource).
PROJECT_ROLES_ALLOWED = {"roles/datastore.user", "roles/aiplatform.user"}
SECRET_NAME = re.compile(r"(API_KEY|SECRET|TOKEN|PASSWORD|PRIVATE_KEY)", re.IGNORECASE)
# Public by design, though named like secrets: the Firebase web API key only identifies the project to
# the browser (the web app is sent it in /config.json).
PUBLIC_VALUES = {"ZAPDOC_FIREBASE_API_KEY"}
STORAGE_FINALIZED = "google.cloud.storage.object.v1.finalized"
SHARED = REPO / "shared"


@dataclass(frozen=True)
class Function:
    """One google_cloudfunctions2_function as the checks need it (values evaluated)."""

    key: str
    name: str
    entry_point: str
    folder: str
    env: dict[str, str]
    secret_env: dict[str, str]  # env key -> secret reference text
    service_account: str
    timeout: int
    memory_mb: int
    ingress: str
    event_trigger: dict[str, Any] | None


def functions(stack: Stack) -> dict[str, Function]:
    """Every function instance (one per key of a ``for_each``), keyed by that key (else by resource name)."""
    out: dict[str, Function] = {}
    for address, body, each in stack.expand("google_cloudfunctions2_function"):
        key = str(each[0]) if each else address.rsplit(".", 1)[1]

        def ev(value: Any, each: tuple[Any, Any] | None = each) -> Any:
            return stack.evaluate(value, each)

        build = blocks(body, "build_config")[0] if blocks(body, "build_config") else {}
        service = blocks(body, "service_config")[0] if blocks(body, "service_config") else {}
        sources = [s for src in blocks(build, "source") for s in blocks(src, "storage_source")]
        object_ref = str(attr(sources[0], "object", "")) if sources else ""
        m = re.search(r'source\[(?:"([^"]+)"|(each\.key))\]', object_ref)
        folder = (m.group(1) or key) if m else ""
        raw_env = ev(attr(service, "environment_variables") or {})
        env = {k: str(v) if not isinstance(v, bool) else str(v).lower() for k, v in raw_env.items()}
        secret_env = {
            str(attr(s, "key")): str(attr(s, "secret"))
            for s in blocks(service, "secret_environment_variables")
        }
        for holder in _dynamic(service, "secret_environment_variables"):
            for name, secret in (ev(attr(holder, "for_each")) or {}).items():
                for content in blocks(holder, "content"):
                    bound = _bind(content, "secret_environment_variables", name, secret)
                    secret_env[str(ev(attr(bound, "key")))] = str(attr(bound, "secret"))
        trigger = blocks(body, "event_trigger")
        for holder in _dynamic(body, "event_trigger"):
            for item in ev(attr(holder, "for_each")) or []:
                trigger += [
                    _bind(content, "event_trigger", item, item) for content in blocks(holder, "content")
                ]
        out[key] = Function(
            key=key,
            name=str(ev(attr(body, "name"))),
            entry_point=str(ev(attr(build, "entry_point", ""))),
            folder=folder,
            env=env,
            secret_env=secret_env,
            service_account=str(ev(attr(service, "service_account_email", ""))),
            timeout=int(ev(attr(service, "timeout_seconds", 60))),
            memory_mb=memory_mb(str(ev(attr(service, "available_memory", "256M")))),
            ingress=str(ev(attr(service, "ingress_settings", "ALLOW_ALL"))),
            event_trigger=trigger[0] if trigger else None,
        )
    return out


def _dynamic(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The ``dynamic "name"`` blocks of ``body`` (their ``for_each`` and ``content``)."""
    return [d[name] for d in blocks(body, "dynamic") if isinstance(d.get(name), dict)]


def _bind(value: Any, iterator: str, key: Any, item: Any) -> Any:
    """A dynamic block's content with ``<iterator>.key`` / ``<iterator>.value`` put in (as literals)."""
    if isinstance(value, dict):
        return {k: _bind(v, iterator, key, item) for k, v in value.items()}
    if isinstance(value, list):
        return [_bind(v, iterator, key, item) for v in value]
    if not isinstance(value, str):
        return value
    whole = {f"${{{iterator}.key}}": key, f"${{{iterator}.value}}": item}
    if value in whole:
        return whole[value]
    return value.replace(f"{iterator}.key", f'"{key}"').replace(f"{iterator}.value", f'"{item}"')


def memory_mb(text: str) -> int:
    """Cloud Functions memory ("512M", "1Gi", "2G") in MiB (decimal and binary units treated alike)."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([MG])i?", text.strip())
    if not m:
        return 0
    return int(float(m.group(1)) * (1024 if m.group(2) == "G" else 1))


def sa_email(stack: Stack, key: str) -> str:
    """The email of the function service account google_service_account.fn[key]."""
    return str(stack.evaluate(f'${{google_service_account.fn["{key}"].email}}'))


@dataclass(frozen=True)
class Grant:
    address: str
    role: str
    member: str
    target: str  # the bucket/topic/secret/service/service account it is granted on ("" = project)


IAM_TARGETS = {
    "google_project_iam_member": "",
    "google_storage_bucket_iam_member": "bucket",
    "google_pubsub_topic_iam_member": "topic",
    "google_pubsub_subscription_iam_member": "subscription",
    "google_secret_manager_secret_iam_member": "secret_id",
    "google_service_account_iam_member": "service_account_id",
    "google_cloud_run_service_iam_member": "service",
    "google_cloudfunctions2_function_iam_member": "cloud_function",
}


def grants(stack: Stack) -> list[Grant]:
    out: list[Grant] = []
    for rtype, target_attr in IAM_TARGETS.items():
        for address, body, each in stack.expand(rtype):
            target = str(stack.evaluate(attr(body, target_attr), each)) if target_attr else ""
            out.append(
                Grant(
                    address,
                    str(stack.evaluate(attr(body, "role"), each)),
                    str(stack.evaluate(attr(body, "member"), each)),
                    target,
                )
            )
    return out


def push_subscriptions(stack: Stack) -> dict[str, dict[str, Any]]:
    """Subscriptions with a push endpoint, keyed by resource name."""
    return {k: b for k, b in stack.of_type("google_pubsub_subscription").items() if blocks(b, "push_config")}


def pushed_function(body: dict[str, Any]) -> str:
    endpoint = str(attr(blocks(body, "push_config")[0], "push_endpoint", ""))
    m = re.search(r'google_cloudfunctions2_function\.(?:fn\["(\w+)"\]|(\w+))\.', endpoint)
    return (m.group(1) or m.group(2)) if m else ""


# --- reading the code -------------------------------------------------------------------------------


def module_file(module: str) -> Path | None:
    base = SHARED.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@functools.cache
def imported_zapdoc_modules(path: Path) -> frozenset[str]:
    """zapdoc modules ``path`` imports anywhere (top level or inside functions: lazy imports count)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "zapdoc")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "zapdoc":
            found.add(node.module)
            found.update(
                f"{node.module}.{a.name}" for a in node.names if module_file(f"{node.module}.{a.name}")
            )
    return frozenset(found)


def code_closure(main_py: Path) -> list[str]:
    """Every zapdoc module reachable from a function's main.py, sorted."""
    seen: set[str] = set()
    todo = sorted(imported_zapdoc_modules(main_py))
    while todo:
        module = todo.pop()
        if module in seen or module_file(module) is None:
            continue
        seen.add(module)
        parts = module.split(".")
        parents = {".".join(parts[:i]) for i in range(1, len(parts))}
        path = module_file(module)
        assert path is not None
        todo.extend(sorted((imported_zapdoc_modules(path) | parents) - seen))
    return sorted(seen)


def direct_env_reads(path: Path) -> set[str]:
    """Names an entry point reads straight from ``os.environ`` / ``os.getenv``: it needs every one."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        target: ast.expr | None = None
        if isinstance(node, ast.Call) and node.args:
            func = ast.unparse(node.func)
            if func in ("os.environ.get", "os.getenv", "environ.get"):
                target = node.args[0]
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) in ("os.environ", "environ"):
            target = node.slice
        if isinstance(target, ast.Constant) and isinstance(target.value, str):
            names.add(target.value)
    return names


def entry_point_kind(path: Path, name: str) -> str | None:
    """How function ``name`` of ``path`` is decorated (http, cloud_event; "" bare, None absent)."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            for deco in node.decorator_list:
                text = ast.unparse(deco)
                if text.endswith(".http") or text == "http":
                    return "http"
                if text.endswith("cloud_event"):
                    return "cloud_event"
            return ""
    return None


PLACEHOLDER = "zapdoc.example"
"""The code's defaults use this non-existent domain (mail sender, checkout URLs): production must not."""


def placeholder_values(settings: Any, parts: tuple[str, ...]) -> list[tuple[str, str]]:
    """Settings of ``parts`` that keep a placeholder default (``zapdoc.example``)."""
    found: list[tuple[str, str]] = []
    for part_name in parts:
        part = getattr(settings, part_name)
        for field_name in type(part).model_fields:
            value = getattr(part, field_name)
            values = value if isinstance(value, tuple) else (value,)
            found += [
                (f"{part_name}.{field_name}", v) for v in values if isinstance(v, str) and PLACEHOLDER in v
            ]
    return found


def function_env(fn: Function) -> dict[str, str]:
    """The environment the deployed function would see (secrets as dummy values, unknowns as refs)."""
    env = dict(fn.env)
    env.update({key: f"test-secret-{key.lower()}" for key in fn.secret_env})
    return env


# --- the checks ------------------------------------------------------------------------------------


def check_function_set(stack: Stack) -> list[str]:
    found = set(functions(stack))
    problems = [f"function {name} is not deployed" for name in sorted(REQUIRED_FUNCTIONS - found)]
    problems += [f"function {name} is not one of the eight" for name in sorted(found - REQUIRED_FUNCTIONS)]
    return problems


def check_entry_points(stack: Stack) -> list[str]:
    problems: list[str] = []
    pushed = {pushed_function(b) for b in push_subscriptions(stack).values()}
    for key, fn in functions(stack).items():
        main = REPO / "functions" / fn.folder / "main.py"
        if not fn.folder or not main.is_file():
            problems.append(f"{key}: source folder functions/{fn.folder or '?'}/main.py does not exist")
            continue
        kind = entry_point_kind(main, fn.entry_point)
        if kind is None:
            problems.append(f"{key}: functions/{fn.folder}/main.py defines no function {fn.entry_point!r}")
            continue
        wanted = "cloud_event" if fn.event_trigger is not None or key in pushed else "http"
        if kind != wanted:
            problems.append(
                f"{key}: entry point {fn.entry_point} is {kind or 'undecorated'}, trigger needs {wanted}"
            )
    return problems


def check_settings(stack: Stack) -> list[str]:
    """Every setting the code of each function requires is set on that function."""
    from zapdoc import bootstrap
    from zapdoc.llm.providers import choose_provider, choose_providers
    from zapdoc.settings import MailSettings, Settings, known_variables

    problems: list[str] = []
    for key, fn in functions(stack).items():
        main = REPO / "functions" / fn.folder / "main.py"
        if not main.is_file():
            problems.append(f"{key}: no main.py to read settings from")
            continue
        env = function_env(fn)
        for name in sorted(direct_env_reads(main) - env.keys()):
            problems.append(f"{key}: main.py reads {name} but it is not set on the function")
        for name in sorted(n for n in env if n.startswith("ZAPDOC_") and n not in known_variables()):
            problems.append(f"{key}: {name} is set but no setting reads it")
        try:
            with mock.patch.dict(os.environ, env, clear=True):  # only the function's own environment
                loaded = Settings.from_env(env)
        except Exception as exc:
            problems.append(f"{key}: the deployed settings do not parse: {exc}")
            continue
        try:
            with mock.patch.dict(os.environ, env, clear=True):
                bootstrap.check_ready(fn.entry_point, loaded)
        except Exception as exc:
            problems.append(f"{key}: not ready with the deployed settings: {exc}")
        for field_name, value in placeholder_values(loaded, bootstrap.PARTS_USED[fn.entry_point]):
            problems.append(f"{key}: {field_name} keeps the placeholder default {value!r}")
        if key in LLM_FUNCTIONS:
            llm = loaded.llm
            provider = choose_provider(None, llm)
            if provider != "gemini" or llm.gemini_base_url or not llm.gcp_project:
                problems.append(f"{key}: would not use Gemini on Vertex AI (provider {provider})")
            chain = choose_providers(None, llm)
            if len(chain) < 2:
                problems.append(f"{key}: no fallback provider after gemini (ZAPDOC_LLM_PROVIDERS {chain})")
            if "openai" in chain and "ZAPDOC_OPENAI_API_KEY" not in fn.secret_env:
                problems.append(f"{key}: the chain names openai but ZAPDOC_OPENAI_API_KEY is not a secret")
        if key in MAIL_SENDERS:
            if "SENDGRID_API_KEY" not in fn.secret_env:
                problems.append(
                    f"{key}: sends mail but SENDGRID_API_KEY is not a secret environment variable"
                )
            if loaded.mail.mail_from == MailSettings().mail_from:
                problems.append(f"{key}: sends mail but ZAPDOC_MAIL_FROM is not set to the verified sender")
        if key == "intake":
            probe = {**env, "GOOGLE_CLOUD_PROJECT": env.get("GOOGLE_CLOUD_PROJECT") or "probe"}
            sandbox_mb = Settings.from_env(probe).cloud.inspect_memory_mb
            if fn.memory_mb < sandbox_mb + 256:
                problems.append(
                    f"intake: {fn.memory_mb} MiB cannot hold the {sandbox_mb} MiB inspection sandbox "
                    "(ZAPDOC_INSPECT_MEMORY_MB) plus the function itself"
                )
        if key in URL_SIGNERS and env.get("ZAPDOC_SIGNER_EMAIL") != sa_email(stack, key):
            problems.append(f"{key}: signs URLs but ZAPDOC_SIGNER_EMAIL is not its own service account")
    return problems


def check_topics(stack: Stack) -> list[str]:
    """Topic names match the code's defaults and what each function is told."""
    from zapdoc.settings import CloudSettings

    problems: list[str] = []
    names = {str(stack.evaluate(attr(b, "name"))) for b in stack.of_type("google_pubsub_topic").values()}
    for field_name, env_name in (
        ("documents_topic", "ZAPDOC_DOCUMENTS_TOPIC"),
        ("results_topic", "ZAPDOC_RESULTS_TOPIC"),
        ("webhooks_topic", "ZAPDOC_WEBHOOKS_TOPIC"),
    ):
        default = CloudSettings.model_fields[field_name].default
        if default not in names:
            problems.append(f"topic {default!r} (CloudSettings.{field_name}) is not created")
        for key, fn in functions(stack).items():
            value = fn.env.get(env_name, default)
            if value not in names:
                problems.append(f"{key}: {env_name}={value!r} is not a topic of the stack")
    return problems


def check_subscriptions(stack: Stack) -> list[str]:
    """Every push subscription retries with backoff and dead-letters; each consumer has exactly one."""
    from zapdoc.settings import Settings

    problems: list[str] = []
    fns = functions(stack)
    topics = stack.of_type("google_pubsub_topic")
    subs = stack.of_type("google_pubsub_subscription")
    pulled_topics = {str(attr(b, "topic")) for b in subs.values() if not blocks(b, "push_config")}
    seen: dict[str, list[str]] = {}
    for name, body in push_subscriptions(stack).items():
        target = pushed_function(body)
        topic_ref = str(attr(body, "topic"))
        topic_key = m.group(1) if (m := re.search(r"google_pubsub_topic\.(\w+)\.", topic_ref)) else ""
        topic_name = str(stack.evaluate(attr(topics.get(topic_key, {}), "name", "")))
        seen.setdefault(target, []).append(topic_name)
        retry = blocks(body, "retry_policy")
        if not retry or not attr(retry[0], "minimum_backoff") or not attr(retry[0], "maximum_backoff"):
            problems.append(f"subscription {name}: no retry_policy with minimum and maximum backoff")
        dlq = blocks(body, "dead_letter_policy")
        if not dlq or not attr(dlq[0], "dead_letter_topic"):
            problems.append(f"subscription {name}: no dead_letter_policy with a dead-letter topic")
        else:
            dlq_ref = str(attr(dlq[0], "dead_letter_topic"))
            attempts = int(stack.evaluate(attr(dlq[0], "max_delivery_attempts", 5)))
            if dlq_ref == topic_ref:
                problems.append(f"subscription {name}: dead-letters into its own topic")
            if dlq_ref not in pulled_topics:
                problems.append(
                    f"subscription {name}: nothing subscribes to its dead-letter topic (messages lost)"
                )
            fn = fns.get(target)
            code_attempts = Settings.from_env(fn.env).cloud.delivery_attempts if fn else 0
            if not 5 <= attempts <= 100 or attempts <= code_attempts:
                problems.append(
                    f"subscription {name}: max_delivery_attempts {attempts} must be 5-100 and above the "
                    f"code's own limit ({code_attempts}) so the code records the failure first"
                )
        if not blocks(blocks(body, "push_config")[0], "oidc_token"):
            problems.append(f"subscription {name}: push without an OIDC token")
        ack = int(stack.evaluate(attr(body, "ack_deadline_seconds", 10)))
        if target in fns and ack < fns[target].timeout:
            problems.append(f"subscription {name}: ack deadline {ack}s is shorter than {target}'s timeout")
    for fn_key, topic in PUSH_SUBSCRIBERS.items():
        if seen.get(fn_key) != [topic]:
            problems.append(
                f"{fn_key} must have exactly one push subscription on {topic!r}, has {seen.get(fn_key)}"
            )
    for key, fn in fns.items():
        if fn.event_trigger is not None and attr(fn.event_trigger, "pubsub_topic"):
            problems.append(
                f"{key}: a Pub/Sub event_trigger bypasses the dead-letter policy; use a push subscription"
            )
    return problems


def check_event_triggers(stack: Stack) -> list[str]:
    problems: list[str] = []
    uploads = str(stack.evaluate(attr(stack.resource("google_storage_bucket", "uploads"), "name")))
    roles = grants(stack)
    for key, fn in functions(stack).items():
        if fn.event_trigger is None:
            continue
        trigger = fn.event_trigger
        if attr(trigger, "retry_policy") != "RETRY_POLICY_RETRY":
            problems.append(f"{key}: event trigger does not retry (retry_policy must be RETRY_POLICY_RETRY)")
        sa = str(stack.evaluate(attr(trigger, "service_account_email", "")))
        if not any(
            g.role == "roles/run.invoker" and g.member == f"serviceAccount:{sa}" and g.target == fn.name
            for g in roles
        ):
            problems.append(f"{key}: the trigger identity {sa or '?'} may not invoke the function")
        if not any(
            g.role == "roles/eventarc.eventReceiver" and g.member == f"serviceAccount:{sa}" for g in roles
        ):
            problems.append(f"{key}: the trigger identity lacks roles/eventarc.eventReceiver")
    intake = functions(stack).get("intake")
    intake_trigger = intake.event_trigger if intake else None
    if intake_trigger is None:
        problems.append("intake has no event trigger")
    else:
        filters = {
            attr(f, "attribute"): str(stack.evaluate(attr(f, "value")))
            for f in blocks(intake_trigger, "event_filters")
        }
        if attr(intake_trigger, "event_type") != STORAGE_FINALIZED or filters.get("bucket") != uploads:
            problems.append("intake must be triggered by object finalize on the uploads bucket")
    if not any(
        g.role == "roles/pubsub.publisher" and "google_storage_project_service_account" in g.member
        for g in roles
    ):
        problems.append("the Cloud Storage service agent may not publish (storage events would never arrive)")
    return problems


def check_iam(stack: Stack) -> list[str]:
    problems: list[str] = []
    all_grants = grants(stack)
    fns = functions(stack)
    for role in FORBIDDEN_ROLES:
        if role in stack.text:
            problems.append(f"{role} appears in the Terraform")
    for rtype in stack.resources:
        if rtype.endswith(("_iam_binding", "_iam_policy")):
            problems.append(f"{rtype}: authoritative IAM would remove grants made outside this stack")
    emails = {key: sa_email(stack, key) for key in fns}
    for key, fn in fns.items():
        if fn.service_account != emails[key]:
            problems.append(f"{key}: does not run as its own service account")
    by_email = {f"serviceAccount:{e}": k for k, e in emails.items()}
    vertex = {by_email.get(g.member, g.member) for g in all_grants if g.role == "roles/aiplatform.user"}
    if vertex != LLM_FUNCTIONS:
        problems.append(
            f"roles/aiplatform.user must go to exactly {sorted(LLM_FUNCTIONS)}, goes to {sorted(vertex)}"
        )
    for g in all_grants:
        who = by_email.get(g.member)
        if who and g.target == "" and g.role not in PROJECT_ROLES_ALLOWED:
            problems.append(f"{g.address}: project-wide {g.role} for {who} (grant it on the resource)")
        if g.role == "roles/iam.serviceAccountTokenCreator" and who:
            own = f'google_service_account.fn["{who}"]'
            if who not in URL_SIGNERS or g.target != str(stack.evaluate(f"${{{own}.name}}")):
                problems.append(f"{g.address}: {who} may create tokens beyond signing as itself")
    public = {g.target for g in all_grants if g.member in ("allUsers", "allAuthenticatedUsers")}
    public_fns = {k for k, fn in fns.items() if fn.name in public or fn.ingress == "ALLOW_ALL"}
    if public_fns - PUBLIC_FUNCTIONS:
        extra = sorted(public_fns - PUBLIC_FUNCTIONS)
        problems.append(f"only {sorted(PUBLIC_FUNCTIONS)} may be public, also open: {extra}")
    signers = {
        by_email.get(g.member)
        for g in all_grants
        if g.role == "roles/iam.serviceAccountTokenCreator" and by_email.get(g.member)
    }
    for key in sorted(URL_SIGNERS - signers):
        problems.append(
            f"{key}: signs URLs but cannot signBlob as itself (roles/iam.serviceAccountTokenCreator)"
        )
    return problems


def check_secrets(stack: Stack) -> list[str]:
    problems: list[str] = []
    all_grants = grants(stack)
    secrets = stack.of_type("google_secret_manager_secret")
    for key, fn in functions(stack).items():
        for name in fn.env:
            if SECRET_NAME.search(name) and name not in PUBLIC_VALUES:
                problems.append(
                    f"{key}: {name} is a plain environment value; use secret_environment_variables"
                )
        for name, ref in fn.secret_env.items():
            m = re.search(r'google_secret_manager_secret\.(\w+)(?:\["([^"]+)"\])?', ref)
            if not m or m.group(1) not in secrets:
                problems.append(f"{key}: secret {name} does not come from a secret of this stack")
                continue
            secret_id = str(stack.evaluate(f"${{{m.group(0)}.id}}"))
            if not any(
                g.role == "roles/secretmanager.secretAccessor"
                and g.member == f"serviceAccount:{fn.service_account}"
                and g.target == secret_id
                for g in all_grants
            ):
                problems.append(f"{key}: may not read the secret behind {name}")
    for address, body in stack.of_type("google_secret_manager_secret_version").items():
        if "secret_data" in body:
            problems.append(
                f"google_secret_manager_secret_version.{address}: secret values would land in the state"
            )
    return problems


def check_storage(stack: Stack) -> list[str]:
    problems: list[str] = []
    for name, body in stack.of_type("google_storage_bucket").items():
        if attr(body, "uniform_bucket_level_access") is not True:
            problems.append(f"bucket {name}: uniform bucket-level access is off")
        if attr(body, "public_access_prevention") != "enforced":
            problems.append(f"bucket {name}: public access prevention is not enforced")
    uploads = stack.resource("google_storage_bucket", "uploads")
    delete_ages = [
        stack.evaluate(attr(blocks(rule, "condition")[0], "age"))
        for rule in blocks(uploads, "lifecycle_rule")
        if attr(blocks(rule, "action")[0], "type") == "Delete"
    ]
    if delete_ages != [1]:
        problems.append(f"uploads bucket must delete objects after a day, has {delete_ages}")
    cors = blocks(uploads, "cors") + dynamic_blocks(uploads, "cors")
    if not cors:
        problems.append("uploads bucket has no CORS rule for signed PUTs")
    for rule in cors:
        headers = set(attr(rule, "response_header") or [])
        if attr(rule, "method") != ["PUT"] or not {"Content-Type", "x-goog-content-length-range"} <= headers:
            problems.append("uploads CORS must allow PUT with Content-Type and x-goog-content-length-range")
        if not {"var.cors_origins", "var.public_url"} <= set(
            re.findall(r"var\.\w+", str(attr(rule, "origin")))
        ):
            problems.append(
                "uploads CORS origins must be the web app's (var.public_url) and var.cors_origins"
            )
    results = stack.resource("google_storage_bucket", "results")
    rcors = blocks(results, "cors") + dynamic_blocks(results, "cors")
    if not any(
        "GET" in (attr(r, "method") or []) and "var.public_url" in str(attr(r, "origin")) for r in rcors
    ):
        problems.append("results bucket needs a CORS rule letting the web app GET workbooks")
    ages = [str(attr(blocks(r, "condition")[0], "age")) for r in blocks(results, "lifecycle_rule")]
    if not any("results_retention_days" in a for a in ages):
        problems.append("results bucket lifecycle must follow var.results_retention_days")
    return problems


def check_firestore(stack: Stack) -> list[str]:
    """Native-mode database; the TTL policy sits on the field the code writes as the expiry."""
    from zapdoc.adapters.memory import MemoryStore
    from zapdoc.services import idempotency

    problems: list[str] = []
    dbs = stack.of_type("google_firestore_database")
    if [attr(b, "type") for b in dbs.values()] != ["FIRESTORE_NATIVE"]:
        problems.append("one Firestore database in native mode is required")
    store = MemoryStore()
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    ttl = dt.timedelta(days=3)
    idempotency.Idempotency(store, lambda: now, ttl).claim("probe", lease=dt.timedelta(minutes=1))
    snap = store.get(idempotency.record_path("probe"))
    expiry_fields = {k for k, v in (snap.data if snap else {}).items() if v == now + ttl}
    collection = idempotency.record_path("probe").split("/")[0]
    ttl_fields = {
        (attr(b, "collection"), attr(b, "field"))
        for b in stack.of_type("google_firestore_field").values()
        if blocks(b, "ttl_config")
    }
    if not any(c == collection and f in expiry_fields for c, f in ttl_fields):
        problems.append(f"no TTL policy on {collection}.{sorted(expiry_fields)} (the idempotency expiry)")
    from zapdoc.llm.breaker import CircuitBreaker

    breaker = CircuitBreaker(store, clock=lambda: now)
    breaker.failure("probe", "probe")
    record = store.get(breaker.path("probe"))
    expiry = {k for k, v in (record.data if record else {}).items() if k.startswith("expire")}
    collection = breaker.path("probe").split("/")[0]
    if not any(c == collection and f in expiry for c, f in ttl_fields):
        problems.append(f"no TTL policy on {collection}.{sorted(expiry)} (the circuit breaker's expiry)")
    return problems


def check_sources(stack: Stack) -> list[str]:
    """Each function builds from its own packaged folder, uploaded under a content-hash name."""
    from zapdoc.dev.commands import add_dev_commands

    problems: list[str] = []
    archive = stack.data.get("archive_file", {}).get("source")
    objects = stack.of_type("google_storage_bucket_object").get("source")
    if archive is None or objects is None:
        return ["data.archive_file.source / google_storage_bucket_object.source are missing"]
    if not re.search(
        r"data\.archive_file\.source\[each\.key\]\.output_(md5|sha|sha256|base64sha256)",
        str(attr(objects, "name")),
    ):
        problems.append("source object name does not carry the archive's content hash")
    if attr(archive, "source_dir") != "${local.source_dir}/${each.key}":
        problems.append("archive_file must zip <source_dir>/<function> as written by `zapdoc package`")
    parser = argparse.ArgumentParser()
    add_dev_commands(parser.add_subparsers(dest="command"))
    default_output = parser.parse_args(["package"]).output
    source_dir = Path(str(stack.evaluate(stack.locals.get("source_dir", "")))).resolve()
    if source_dir != (stack.directory.parent / default_output).resolve():
        problems.append(f"source_dir {source_dir} is not where `zapdoc package` writes ({default_output})")
    for key, fn in functions(stack).items():
        if fn.folder != key:
            problems.append(f"{key}: builds from the source of {fn.folder!r}")
    return problems


def check_scheduler(stack: Stack) -> list[str]:
    problems: list[str] = []
    jobs = stack.of_type("google_cloud_scheduler_job")
    sweep = functions(stack).get("sweep")
    roles = grants(stack)
    targets = []
    for name, body in jobs.items():
        http = blocks(body, "http_target")
        if not http:
            continue
        if pushed_function({"push_config": [{"push_endpoint": attr(http[0], "uri")}]}) == "sweep":
            targets.append(name)
            oidc = blocks(http[0], "oidc_token")
            sa = str(stack.evaluate(attr(oidc[0], "service_account_email"))) if oidc else ""
            if attr(http[0], "http_method") != "POST":
                problems.append(f"scheduler job {name}: sweep only answers POST")
            if not sweep or not any(
                g.role == "roles/run.invoker"
                and g.member == f"serviceAccount:{sa}"
                and g.target == sweep.name
                for g in roles
            ):
                problems.append(f"scheduler job {name}: its OIDC identity may not invoke sweep")
    if len(targets) != 1:
        problems.append("exactly one Cloud Scheduler job must run sweep")
    return problems


def queries_the_code_runs() -> list[Any]:
    """Every query of the listings and of a sweep pass, recorded on the in-memory store (the code paths
    that read in index order: GET /v1/jobs, GET /v1/api-keys, GET /v1/me's ledger, templates, sweep)."""
    from tests.pipeline_support import memory_world
    from zapdoc.adapters.memory import MemoryStore
    from zapdoc.ports.store import Query
    from zapdoc.services import jobs, sweep
    from zapdoc.services.api_keys import ApiKeys
    from zapdoc.services.templates_store import SavedTemplates

    seen: list[Query] = []

    class Recording(MemoryStore):
        def query(self, query: Query) -> list[Any]:
            seen.append(query)
            return super().query(query)

    world = memory_world(store=Recording())
    rt = world.rt
    jobs.list_jobs(rt, "probe", limit=5)
    keys = ApiKeys(rt.store, rt.clock)
    keys.page("probe", 5)
    keys.list("probe", include_revoked=False)
    jobs.ledger(rt).recent("probe", 5)
    SavedTemplates(rt.store, rt.clock).list("probe")
    sweep.sweep(rt)
    return seen


def _needed_index(query: Any) -> tuple[str, frozenset[str], tuple[tuple[str, str], ...]] | None:
    """The composite index ``query`` needs, as (collection id, equality fields, ordered fields), or
    None when Firestore's automatic single-field indexes serve it (one field; or equalities only)."""
    from zapdoc.ports.store import DOCUMENT_ID

    equal = frozenset(w.field for w in query.where if w.op in ("==", "in"))
    orders = [(o.field, "DESCENDING" if o.direction == "desc" else "ASCENDING") for o in query.order_by]
    if orders and orders[-1][0] == DOCUMENT_ID and len(orders) > 1 and orders[-1][1] == orders[-2][1]:
        orders.pop()  # the index's implicit document-id order runs in the last field's direction
    named = {f for f, _ in orders}
    for w in query.where:
        if w.op not in ("==", "in") and w.field not in named:
            orders.append((w.field, "ASCENDING"))
            named.add(w.field)
    equal = equal - named
    if not orders or len(equal) + len(orders) < 2:
        return None
    return query.collection.rsplit("/", 1)[-1], equal, tuple(orders)


def check_firestore_indexes(stack: Stack) -> list[str]:
    """Each ordered query the code runs has its composite index, and each index serves one."""
    declared: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for address, body, each in stack.expand("google_firestore_index"):
        content = dynamic_blocks(body, "fields")
        if each is None or len(content) != 1:
            return [f"{address}: expected fields from a dynamic block over each.value.fields"]
        if attr(body, "query_scope") != "COLLECTION":
            return [f"{address}: query_scope must be COLLECTION"]
        collection = str(stack.evaluate(attr(body, "collection"), each))
        fields = [(str(f), str(o)) for f, o in each[1]["fields"]]
        declared[address] = (collection, fields)
    problems: list[str] = []
    used: set[str] = set()
    for query in queries_the_code_runs():
        needed = _needed_index(query)
        if needed is None:
            continue
        collection, equal, orders = needed
        found = [
            address
            for address, (c, fields) in declared.items()
            if c == collection
            and {f for f, _ in fields[: len(equal)]} == equal
            and tuple(fields[len(equal) :]) == orders
        ]
        if not found:
            shape = ", ".join([*(f"{f} ==" for f in sorted(equal)), *(f"{f} {o}" for f, o in orders)])
            problem = f"no composite index for {collection}: {shape}"
            if problem not in problems:
                problems.append(problem)
        used.update(found)
    problems += [f"{a} serves no query the code runs (remove it)" for a in sorted(declared.keys() - used)]
    return problems


def check_outputs(stack: Stack) -> list[str]:
    wanted = {"api_url", "stripe_webhook_url", "uploads_bucket", "results_bucket"}
    return [f"output {name} is missing" for name in sorted(wanted - stack.outputs.keys())]


CHECKS: dict[str, Callable[[Stack], list[str]]] = {
    "function_set": check_function_set,
    "entry_points": check_entry_points,
    "settings": check_settings,
    "topics": check_topics,
    "subscriptions": check_subscriptions,
    "event_triggers": check_event_triggers,
    "iam": check_iam,
    "secrets": check_secrets,
    "storage": check_storage,
    "firestore": check_firestore,
    "firestore_indexes": check_firestore_indexes,
    "sources": check_sources,
    "scheduler": check_scheduler,
    "outputs": check_outputs,
}

# The operations checks (alerts, dashboard, budget, BigQuery analytics) live in their own module.
from tests.unit.terraform_ops_checks import OPS_CHECKS  # noqa: E402

CHECKS.update(OPS_CHECKS)


def all_problems(stack: Stack) -> list[str]:
    problems: list[str] = []
    for name, check in CHECKS.items():
        try:
            problems.extend(check(stack))
        except Exception as exc:  # a broken stack may break a check: that is a finding too
            problems.append(f"{name}: check could not run: {type(exc).__name__}: {exc}")
    return problems


__all__ = ["CHECKS", "all_problems", "functions", "grants"]
