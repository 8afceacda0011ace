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


def start_auth_emulator(state_dir: Path, spawn: Spawner, project: str) -> tuple[str, subprocess.Popen[bytes]]:
    """Start ``firebase emulators:start --only auth`` on free ports; returns (host:port, process)."""
    cli = firebase_cli()
    if cli is None:
        raise RuntimeError("firebase-tools not found: run scripts/install-firebase-emulator.sh")
    port = free_port()
    config = {
        "emulators": {
            "auth": {"host": HOST, "port": port},
            "hub": {"host": HOST, "port": free_port()},
            "logging": {"host": HOST, "port": free_port()},
            "ui": {"enabled": False},
        }
    }
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "firebase.json").write_text(json.dumps(config))
    argv = [cli, "emulators:start", "--only", "auth", "--project", project, "--config", "firebase.json"]
    proc = spawn("auth", argv, {})
    host = f"{HOST}:{port}"
    wait_until(
        lambda: http_ok(f"http://{host}/") or proc.poll() is not None, timeout=120, what="auth emulator"
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
) -> ApiServices:
    """Start the auth emulator (unless ``auth_host``), the upload front, and the two HTTP functions."""
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
        auth_host, proc = start_auth_emulator(state_dir, default_spawner(state_dir), project)
        services.processes["auth"] = proc
    services.urls["auth"] = f"http://{auth_host}"

    port = free_port()
    argv = [
        sys.executable, "-m", "zapdoc.api.upload_front", "--port", str(port), "--storage", storage,
        "--public-key", str(state_dir / "signing-key.pub.pem"),
    ]  # fmt: skip
    services.processes["upload-front"] = spawn("upload-front", argv, dict(function_env))
    services.urls["uploads"] = f"http://{HOST}:{port}"

    env = {
        **function_env,
        "FIREBASE_AUTH_EMULATOR_HOST": auth_host,
        "ZAPDOC_FIREBASE_PROJECT": project,
        "ZAPDOC_SIGNING_KEY_FILE": str(key_file),
        "ZAPDOC_STORAGE_PUBLIC_URL": services.urls["uploads"],
        "STRIPE_WEBHOOK_SECRET": LOCAL_WEBHOOK_SECRET,
        **dict(extra_env or {}),
    }
    for name in ("api", "stripe_webhook"):
        port = free_port()
        argv = [
            sys.executable, "-m", "functions_framework",
            "--source", str(repo_root() / "functions" / name / "main.py"),
            "--target", name, "--signature-type", "http", "--host", HOST, "--port", str(port),
        ]  # fmt: skip
        services.processes[f"fn-{name}"] = spawn(f"fn-{name}", argv, env)
        services.urls[name] = f"http://{HOST}:{port}"
    for name in ("uploads", "api", "stripe_webhook"):
        url = services.urls[name]
        wait_until(lambda u=url: http_ok(u + "/"), timeout=60, what=name)  # type: ignore[misc]
    services.client_env = {
        "ZAPDOC_API_URL": services.urls["api"],
        "FIREBASE_AUTH_EMULATOR_HOST": auth_host,
    }
    return services
