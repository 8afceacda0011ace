"""The API side of the local stack: the Firebase Auth emulator, the verifying upload front, and the
``api`` and ``stripe_webhook`` functions on functions-framework, all on 127.0.0.1.

``zapdoc dev up`` (``zapdoc.dev.stack``) calls ``start_api_services`` after its own functions are up,
passing its function environment and its spawner, then add the returned processes, URLs and client
environment to its own (so ``zapdoc dev down`` stops them too); tests call it the same way.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from zapdoc.adapters.signing import ephemeral_key_info, public_key_pem
from zapdoc.dev.emulators import HOST, free_port, http_ok, wait_until
from zapdoc.dev.paths import repo_root

# Local stack only (loopback, test events); production reads STRIPE_WEBHOOK_SECRET from its secret store.
LOCAL_WEBHOOK_SECRET = "whsec_local_zapdoc_dev"  # noqa: S105
Spawner = Callable[[str, list[str], dict[str, str]], "subprocess.Popen[bytes]"]


@dataclass
class ApiServices:
    urls: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    client_env: dict[str, str] = field(default_factory=dict)


def firebase_cli() -> str | None:
    """The firebase CLI installed by scripts/install-firebase-emulator.sh, or one on PATH."""
    local = repo_root() / ".tools/firebase-tools/node_modules/.bin/firebase"
    return str(local) if local.exists() else shutil.which("firebase")


def default_spawner(log_dir: Path) -> Spawner:
    def spawn(name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log_dir.mkdir(parents=True, exist_ok=True)
        with (log_dir / f"{name}.log").open("ab") as log:
            return subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env={**os.environ, **env},
                cwd=str(log_dir),
            )

    return spawn


def start_auth_emulator(
    state_dir: Path, spawn: Spawner, project: str, ports: Mapping[str, int] | None = None
) -> tuple[str, subprocess.Popen[bytes]]:
    """Start ``firebase emulators:start --only auth`` (fixed ``ports`` or free ones); (host:port, process)."""
    cli = firebase_cli()
    if cli is None:
        raise RuntimeError("firebase-tools not found: run scripts/install-firebase-emulator.sh")
    ports = ports or {}
    port = ports.get("auth") or free_port()
    config = {
        "emulators": {
            "auth": {"host": HOST, "port": port},
            "hub": {"host": HOST, "port": ports.get("auth-hub") or free_port()},
            "logging": {"host": HOST, "port": ports.get("auth-logging") or free_port()},
            "ui": {"enabled": False},
        }
    }
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "firebase.json").write_text(json.dumps(config))
    argv = [cli, "emulators:start", "--only", "auth", "--project", project, "--config", "firebase.json"]
    proc = spawn("auth", argv, {})
    host = f"{HOST}:{port}"
    wait_until(
        lambda: http_ok(f"http://{host}/") or proc.poll() is not None, timeout=300, what="auth emulator"
    )
    if proc.poll() is not None:
        raise RuntimeError(f"the Firebase Auth emulator exited; see {state_dir / 'auth.log'}")
    return host, proc


def start_api_services(
    state_dir: Path,
    function_env: Mapping[str, str],
    *,
    spawn: Spawner | None = None,
    project: str = "demo-zapdoc",
    auth_host: str = "",
    extra_env: Mapping[str, str] | None = None,
    ports: Mapping[str, int] | None = None,
    checkout_deliveries: int = 1,
    cors_origins: tuple[str, ...] = (),
) -> ApiServices:
    """Start the auth emulator (unless ``auth_host``), the storage front, the ``api`` function (which
    also serves the web app), ``stripe_webhook`` and the Checkout stand-in.

    ``cors_origins``: other origins allowed to call the API and the buckets (the web app's own origin,
    the API's, always is)."""
    ports = dict(ports or {})
    port_of = {
        name: ports.get(name) or free_port() for name in ("api", "stripe_webhook", "uploads", "checkout")
    }
    api_url = f"http://{HOST}:{port_of['api']}"
    extra = dict(extra_env or {})
    setting = {**function_env, **extra}.get("ZAPDOC_ALLOWED_ORIGINS", "")
    allowed = [o for o in setting.split(",") if o.strip()] + list(cors_origins)
    origins = [api_url, *dict.fromkeys(o.strip().rstrip("/") for o in allowed)]
    state_dir = state_dir.resolve()
    spawn = spawn or default_spawner(state_dir)
    services = ApiServices()
    storage = function_env["STORAGE_EMULATOR_HOST"]
    key = ephemeral_key_info()
    key_file = state_dir / "signing-key.json"
    state_dir.mkdir(parents=True, exist_ok=True)
    key_file.write_text(json.dumps(key))
    key_file.chmod(0o600)
    (state_dir / "signing-key.pub.pem").write_bytes(public_key_pem(key))
    if not auth_host:
        # Its own working directory: firebase-tools writes its debug logs next to firebase.json.
        auth_host, proc = start_auth_emulator(state_dir, default_spawner(state_dir), project, ports)
        services.processes["auth"] = proc
    services.urls["auth"] = f"http://{auth_host}"

    argv = [
        sys.executable, "-m", "zapdoc.dev.upload_front", "--port", str(port_of["uploads"]),
        "--storage", storage, "--public-key", str(state_dir / "signing-key.pub.pem"),
    ]  # fmt: skip
    for origin in origins:  # the buckets' CORS rule (terraform: google_storage_bucket.cors)
        argv += ["--cors-origin", origin]
    services.processes["upload-front"] = spawn("upload-front", argv, dict(function_env))
    services.urls["uploads"] = f"http://{HOST}:{port_of['uploads']}"
    services.urls["stripe_webhook"] = f"http://{HOST}:{port_of['stripe_webhook']}"
    services.urls["checkout"] = f"http://{HOST}:{port_of['checkout']}"
    argv = [
        sys.executable, "-m", "zapdoc.standins.checkout", "--port", str(port_of["checkout"]),
        "--webhook", services.urls["stripe_webhook"] + "/", "--secret", LOCAL_WEBHOOK_SECRET,
        "--deliveries", str(checkout_deliveries),
    ]  # fmt: skip
    services.processes["checkout"] = spawn("checkout", argv, dict(function_env))

    env = {
        **function_env,
        "FIREBASE_AUTH_EMULATOR_HOST": auth_host,
        "ZAPDOC_AUTH_EMULATOR": "1",  # explicit, local only (the deployed api refuses to start with it)
        "ZAPDOC_FIREBASE_PROJECT": project,
        "ZAPDOC_SIGNING_KEY_FILE": str(key_file),
        "ZAPDOC_STORAGE_PUBLIC_URL": services.urls["uploads"],
        "STRIPE_WEBHOOK_SECRET": LOCAL_WEBHOOK_SECRET,
        # Checkout through the real stripe SDK, pointed at the local stand-in; back to the web app.
        "STRIPE_SECRET_KEY": "sk_test_local_standin",
        "ZAPDOC_STRIPE_API_BASE": services.urls["checkout"],
        "ZAPDOC_PUBLIC_URL": api_url,
        "ZAPDOC_CHECKOUT_SUCCESS_URL": f"{api_url}/#/credits?checkout=success",
        "ZAPDOC_CHECKOUT_CANCEL_URL": f"{api_url}/#/credits?checkout=cancelled",
        **extra,
        "ZAPDOC_ALLOWED_ORIGINS": ",".join(origins),
    }
    for name in ("api", "stripe_webhook"):
        port = port_of[name]
        argv = [
            sys.executable, "-m", "functions_framework",
            "--source", str(repo_root() / "functions" / name / "main.py"),
            "--target", name, "--signature-type", "http", "--host", HOST, "--port", str(port),
        ]  # fmt: skip
        services.processes[f"fn-{name}"] = spawn(f"fn-{name}", argv, env)
        services.urls[name] = f"http://{HOST}:{port}"
    for name in ("uploads", "api", "stripe_webhook", "checkout"):
        url = services.urls[name]
        wait_until(lambda u=url: http_ok(u + "/"), timeout=60, what=name)  # type: ignore[misc]
    services.urls["web"] = services.urls["api"] + "/"
    services.client_env = {
        "ZAPDOC_API_URL": services.urls["api"],
        "FIREBASE_AUTH_EMULATOR_HOST": auth_host,
    }
    return services
