"""The local stack: emulators, the pipeline functions and webhooks on functions-framework, the SendGrid
(and Gemini) stand-ins, buckets, topics, push subscriptions and the finalize bridge, all on 127.0.0.1.

``LocalStack.start()`` brings it up and writes a state file so ``zapdoc dev down`` (another process) can
stop exactly what was started. Tests use the same class with already running emulators.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zapdoc.client.local_stack import STATE_FILE, load_state
from zapdoc.dev import emulators
from zapdoc.dev.emulators import HOST, free_port, http_ok, wait_until
from zapdoc.dev.paths import repo_root

FUNCTIONS: dict[str, str] = {
    "intake": "cloudevent",
    "extract": "cloudevent",
    "classify": "cloudevent",
    "assemble": "cloudevent",
    "webhooks": "cloudevent",
    "sweep": "http",
}


@dataclass
class StackOptions:
    state_dir: Path = Path(".zapdoc-dev")
    outbox: Path = Path(".outbox")
    project: str = "demo-zapdoc"
    # "gemini" / "openai" start that provider's stand-in and point the functions at it; "gemini,openai"
    # starts both and configures the fallback chain (ZAPDOC_LLM_PROVIDERS)
    provider: str = "offline"
    gemini_latency: float = 0.0
    standin_args: dict[str, list[str]] = field(
        default_factory=dict
    )  # e.g. {"gemini": ["--fail-status", "429"]}
    sweep_every: float = 60.0
    copies: int = 1  # deliver every storage event this many times (redelivery tests)
    pubsub_copies: int = 1  # push subscriptions per route: every message is delivered this many times
    skip_routes: tuple[str, ...] = ()  # e.g. ("document-results",): messages of that topic are dropped
    # "push": emulator push subscriptions (at most 2 requests in flight per subscription, measured);
    # "relay": pull subscriptions and a relay that pushes the same envelope with production-like fan-out.
    delivery: str = "push"
    threads: int = 16  # request threads per function server
    env: dict[str, str] = field(default_factory=dict)  # extra function settings
    api: bool = False  # also serve the public API (Auth emulator, upload front, api, stripe_webhook)
    firestore_host: str = ""  # reuse a running emulator instead of starting one
    pubsub_host: str = ""
    storage_url: str = ""
    ports: dict[str, int] = field(default_factory=dict)  # fixed ports (zapdoc dev up); else free ones
    checkout_deliveries: int = 1  # the Checkout stand-in sends each webhook event this many times


@dataclass
class LocalStack:
    options: StackOptions
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    client_env: dict[str, str] = field(default_factory=dict)
    relays: dict[str, str] = field(default_factory=dict)
    subscriptions: list[str] = field(default_factory=list)  # created by this stack (paths)
    _supervisor: threading.Event | None = None
    _supervisor_thread: threading.Thread | None = None

    @property
    def uploads_bucket(self) -> str:
        return f"{self.options.project}-uploads"

    @property
    def results_bucket(self) -> str:
        return f"{self.options.project}-results"

    # ---------------------------------------------------------------------------------- lifecycle

    def start(self) -> LocalStack:
        opts = self.options
        opts.state_dir = opts.state_dir.resolve()
        opts.outbox = opts.outbox.resolve()
        opts.state_dir.mkdir(parents=True, exist_ok=True)
        opts.outbox.mkdir(parents=True, exist_ok=True)
        try:
            self._start_emulators()
            self._start_standins()
            self._start_functions()
            self._create_resources()
            if opts.api:
                self._start_api()
            self._start_bridge()
            self.save_state()
        except BaseException:
            self.stop()
            raise
        return self

    def port(self, name: str) -> int:
        """The fixed port of ``name`` when the stack has fixed ports, else a free one."""
        return self.options.ports.get(name) or free_port()

    def _start_api(self) -> None:
        from zapdoc.dev.api_services import start_api_services

        api = start_api_services(
            self.options.state_dir / "api",
            self.function_env(),
            spawn=self._spawn,
            project=self.options.project,
            ports=self.options.ports,
            checkout_deliveries=self.options.checkout_deliveries,
        )
        self.processes.update(api.processes)
        self.urls.update(api.urls)
        self.client_env.update(api.client_env)

    def _log(self, name: str) -> Any:
        return (self.options.state_dir / f"{name}.log").open("ab")

    def _spawn(
        self, name: str, argv: list[str], env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        with self._log(name) as log:
            return emulators.start_in_session(
                argv, log, env=env, cwd=str(repo_root()), on_start=self._recorder(name)
            )

    def _recorder(self, name: str) -> Callable[[subprocess.Popen[bytes]], None]:
        """Records a process the moment it starts, so a Ctrl-C while it warms up stops it too."""

        def record(proc: subprocess.Popen[bytes]) -> None:
            self.processes[name] = proc

        return record

    def _start_emulators(self) -> None:
        opts = self.options
        logs = opts.state_dir
        if opts.firestore_host:
            fs_host = opts.firestore_host
        else:
            emu = emulators.start_firestore(
                port=opts.ports.get("firestore"), log_dir=logs, on_start=self._recorder("firestore")
            )
            fs_host = emu.address
        if opts.pubsub_host:
            ps_host = opts.pubsub_host
        else:
            emu = emulators.start_pubsub(
                project=opts.project,
                port=opts.ports.get("pubsub"),
                log_dir=logs,
                on_start=self._recorder("pubsub"),
            )
            ps_host = emu.address
        if opts.storage_url:
            storage = opts.storage_url
        else:
            emu = emulators.start_storage(
                port=opts.ports.get("storage"), log_dir=logs, on_start=self._recorder("storage")
            )
            storage = emu.url
        self.client_env = {
            "GOOGLE_CLOUD_PROJECT": opts.project,
            "FIRESTORE_EMULATOR_HOST": fs_host,
            "PUBSUB_EMULATOR_HOST": ps_host,
            "STORAGE_EMULATOR_HOST": storage,
            "ZAPDOC_UPLOADS_BUCKET": self.uploads_bucket,
            "ZAPDOC_RESULTS_BUCKET": self.results_bucket,
        }

    def _start_standins(self) -> None:
        port = self.port("sendgrid")
        self._spawn(
            "sendgrid",
            [
                sys.executable,
                "-m",
                "zapdoc.standins.sendgrid",
                "--port",
                str(port),
                "--outbox",
                str(self.options.outbox),
            ],
        )
        self.urls["sendgrid"] = f"http://{HOST}:{port}"
        self.ports["sendgrid"] = port
        wanted = {p.strip() for p in self.options.provider.split(",")}
        for name in ("gemini", "openai"):
            if name not in wanted:
                continue
            port = self.port(name)
            argv = [sys.executable, "-m", f"zapdoc.standins.{name}", "--port", str(port)]
            if name == "gemini":
                argv += ["--latency", str(self.options.gemini_latency)]
            argv += self.options.standin_args.get(name, [])
            self._spawn(name, argv)
            self.urls[name] = f"http://{HOST}:{port}"
            self.ports[name] = port
        for name in ("sendgrid", "gemini", "openai"):
            if name in self.urls:
                url = self.urls[name]
                wait_until(lambda u=url: _port_open(u), timeout=30, what=f"{name} stand-in")  # type: ignore[misc]

    def function_env(self) -> dict[str, str]:
        env = {
            **self.client_env,
            "ZAPDOC_SENDGRID_BASE_URL": self.urls["sendgrid"],
            "SENDGRID_API_KEY": "SG.local-stand-in",
            "ZAPDOC_MAIL_FROM": "ZapDoc <no-reply@zapdoc.local>",
            "THREADS": str(self.options.threads),
            "PYTHONUNBUFFERED": "1",
            "ZAPDOC_WEBHOOK_ALLOW_LOOPBACK": "1",  # receivers on 127.0.0.1 (refused in production)
        }
        if "," in self.options.provider:
            env["ZAPDOC_LLM_PROVIDERS"] = self.options.provider
        else:
            env["ZAPDOC_LLM_PROVIDER"] = self.options.provider
        if "gemini" in self.urls:
            env["ZAPDOC_GEMINI_BASE_URL"] = self.urls["gemini"]
            env["ZAPDOC_GCP_PROJECT"] = self.options.project
        if "openai" in self.urls:
            env["ZAPDOC_OPENAI_BASE_URL"] = self.urls["openai"] + "/v1"
        env.update(self.options.env)
        return env

    def _start_functions(self) -> None:
        for name in FUNCTIONS:
            self.ports[name] = self.port(name)
            self.start_function(name)
        for name in FUNCTIONS:
            url = self.urls[name]
            wait_until(lambda u=url: http_ok(u + "/"), timeout=60, what=f"function {name}")  # type: ignore[misc]

    def start_function(self, name: str, *, wait: bool = False) -> None:
        """(Re)start one function server on its port (crash tests restart a killed one)."""
        port = self.ports[name]
        # Crash tests run the functions under the test-only wrapper (it injects the crash hook).
        runner = "zapdoc.dev.crashpoints" if "ZAPDOC_CRASH_AT" in self.options.env else "functions_framework"
        argv = [
            sys.executable, "-m", runner,
            "--source", str(repo_root() / "functions" / name / "main.py"),
            "--target", name, "--signature-type", FUNCTIONS[name],
            "--host", HOST, "--port", str(port),
        ]  # fmt: skip
        self._spawn(f"fn-{name}", argv, self.function_env())
        self.urls[name] = f"http://{HOST}:{port}"
        if wait:
            wait_until(lambda: http_ok(self.urls[name] + "/"), timeout=60, what=f"function {name}")

    def _create_resources(self) -> None:
        from google.api_core import exceptions as gexc
        from google.auth.credentials import AnonymousCredentials
        from google.cloud.pubsub_v1 import PublisherClient, SubscriberClient
        from google.cloud.storage import Client

        with _environ(self.client_env):
            storage = Client(project=self.options.project, credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]
            for bucket in (self.uploads_bucket, self.results_bucket):
                with contextlib.suppress(gexc.Conflict):
                    storage.create_bucket(bucket)
            publisher, subscriber = PublisherClient(), SubscriberClient()
            project = self.options.project
            routes = {
                "documents": ["extract", "classify"],
                "document-results": ["assemble"],
                "zapdoc-webhooks": ["webhooks"],  # CloudSettings.webhooks_topic
            }
            for topic, targets in routes.items():
                topic_path = publisher.topic_path(project, topic)
                with contextlib.suppress(gexc.AlreadyExists):
                    publisher.create_topic(name=topic_path)
                if topic in self.options.skip_routes:
                    continue
                for target, copy in itertools.product(targets, range(self.options.pubsub_copies)):
                    sub_path = subscriber.subscription_path(project, f"{topic}-{target}-{copy}")
                    with contextlib.suppress(gexc.NotFound):
                        subscriber.delete_subscription(subscription=sub_path)
                    request: dict[str, Any] = {
                        "name": sub_path,
                        "topic": topic_path,
                        "ack_deadline_seconds": 600,
                    }
                    if self.options.delivery == "push":
                        request["push_config"] = {"push_endpoint": self.urls[target] + "/"}
                    else:
                        self.relays[sub_path] = self.urls[target] + "/"
                    subscriber.create_subscription(request=request)
                    self.subscriptions.append(sub_path)
            subscriber.close()

    def _start_bridge(self) -> None:
        argv = [
            sys.executable, "-m", "zapdoc.dev.bridge",
            "--storage", self.client_env["STORAGE_EMULATOR_HOST"], "--bucket", self.uploads_bucket,
            "--intake", self.urls["intake"] + "/", "--sweep", self.urls["sweep"] + "/",
            "--sweep-every", str(self.options.sweep_every), "--copies", str(self.options.copies),
        ]  # fmt: skip
        for subscription, url in self.relays.items():
            argv += ["--relay", f"{subscription}={url}"]
        if self.relays:  # as many pushes in flight as a function server has request threads
            argv += ["--relay-parallel", str(max(32, self.options.threads))]
        self._spawn("bridge", argv, {"PUBSUB_EMULATOR_HOST": self.client_env["PUBSUB_EMULATOR_HOST"]})

    def supervise(self, interval: float = 0.2) -> None:
        """Restart function servers that exit (as Cloud Functions replaces a crashed instance)."""
        stop = self._supervisor = threading.Event()

        def loop() -> None:
            while not stop.wait(interval):
                for name in FUNCTIONS:
                    proc = self.processes.get(f"fn-{name}")
                    if proc is not None and proc.poll() is not None and not stop.is_set():
                        self.start_function(name)

        self._supervisor_thread = threading.Thread(target=loop, name="stack-supervisor", daemon=True)
        self._supervisor_thread.start()

    def stop(self) -> None:
        """Stop everything this stack started (functions first, emulators last)."""
        if self._supervisor is not None:
            self._supervisor.set()
            if self._supervisor_thread is not None:
                self._supervisor_thread.join(timeout=5)
        self._delete_subscriptions()
        first = [p for n, p in self.processes.items() if n not in ("firestore", "pubsub", "storage")]
        last = [p for n, p in self.processes.items() if n in ("firestore", "pubsub", "storage")]
        for group in (first, last):  # all of a group at once: shutdowns overlap instead of adding up
            with ThreadPoolExecutor(max_workers=max(1, len(group))) as pool:
                list(pool.map(lambda p: emulators.stop_process_group(p, timeout=10), group))
        self.processes.clear()
        with contextlib.suppress(FileNotFoundError):
            (self.options.state_dir / STATE_FILE).unlink()

    def _delete_subscriptions(self) -> None:
        """On a shared Pub/Sub emulator (``pubsub_host``), delete this stack's subscriptions before its
        functions stop: left behind, each would push its undelivered messages to a dead port every
        second for the rest of the emulator's life (or to whatever server gets that port next)."""
        if not self.options.pubsub_host or not self.subscriptions:
            return
        from google.api_core import exceptions as gexc
        from google.cloud.pubsub_v1 import SubscriberClient

        with _environ(self.client_env):
            subscriber = SubscriberClient()
            try:
                for path in self.subscriptions:
                    with contextlib.suppress(gexc.GoogleAPICallError):
                        subscriber.delete_subscription(subscription=path, timeout=10)
            finally:
                subscriber.close()
        self.subscriptions.clear()

    def kill_function(self, name: str) -> None:
        proc = self.processes.pop(f"fn-{name}", None)
        if proc is not None:
            emulators.stop_process_group(proc, timeout=10)

    # ------------------------------------------------------------------------------------- state

    def save_state(self) -> None:
        state = {
            "pids": {name: proc.pid for name, proc in self.processes.items()},
            "urls": self.urls,
            "client_env": self.client_env,
            "outbox": str(self.options.outbox.resolve()),
            "project": self.options.project,
        }
        (self.options.state_dir / STATE_FILE).write_text(json.dumps(state, indent=2))


def stop_from_state(state_dir: Path) -> list[str]:
    """Stop the process groups recorded by ``zapdoc dev up``; returns the names stopped."""
    state = load_state(state_dir)
    if state is None:
        return []
    stopped = []
    for name, pid in state.get("pids", {}).items():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(int(pid), signal.SIGTERM)
            stopped.append(name)
    deadline = time.monotonic() + 10
    for pid in state.get("pids", {}).values():
        while time.monotonic() < deadline and _alive(int(pid)):
            time.sleep(0.1)
        if _alive(int(pid)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(int(pid), signal.SIGKILL)
    with contextlib.suppress(FileNotFoundError):
        (state_dir / STATE_FILE).unlink()
    return stopped


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours still answers kill(0): reap it if we can.
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


def _port_open(url: str) -> bool:
    import socket
    from urllib.parse import urlparse

    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or HOST, parsed.port or 80), timeout=0.5):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def _environ(values: dict[str, str]) -> Any:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
