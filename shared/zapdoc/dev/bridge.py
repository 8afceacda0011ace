"""The local stand-in for Eventarc and Cloud Scheduler.

gcp-storage-emulator emits no events, so the bridge polls the uploads bucket and POSTs the same
``google.cloud.storage.object.v1.finalized`` CloudEvent Eventarc would to the intake function, retrying
until it is accepted (as Eventarc does with retries enabled). It can also call the sweep on a timer.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from zapdoc.domain.clock import utcnow

log = logging.getLogger("zapdoc.dev.bridge")


def finalized_event(bucket: str, obj: dict[str, Any]) -> dict[str, Any]:
    """The structured-mode CloudEvent Eventarc delivers for a finalized object."""
    now = utcnow().isoformat().replace("+00:00", "Z")
    return {
        "specversion": "1.0",
        "id": uuid.uuid4().hex,  # a fresh id per delivery, like real duplicate storage events
        "source": f"//storage.googleapis.com/projects/_/buckets/{bucket}",
        "type": "google.cloud.storage.object.v1.finalized",
        "subject": f"objects/{obj['name']}",
        "time": obj.get("updated") or now,
        "datacontenttype": "application/json",
        "data": {
            "bucket": bucket,
            "name": obj["name"],
            "generation": str(obj.get("generation", "")),
            "metageneration": str(obj.get("metageneration", "1")),
            "contentType": obj.get("contentType", ""),
            "size": str(obj.get("size", "")),
            "timeCreated": obj.get("timeCreated", now),
            "updated": obj.get("updated", now),
        },
    }


def post_json(
    url: str, payload: dict[str, Any], *, content_type: str = "application/json", timeout: float = 120
) -> int:
    """POST and return the HTTP status (0 when the server could not be reached)."""
    request = urllib.request.Request(  # noqa: S310 (loopback URLs of the local stack)
        url, data=json.dumps(payload).encode(), headers={"Content-Type": content_type}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:  # noqa: S310
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


class FinalizeBridge:
    """Poll a bucket on the storage emulator; deliver one finalize event per new object generation."""

    def __init__(
        self, storage_url: str, bucket: str, intake_url: str, *, interval: float = 0.1, copies: int = 1
    ) -> None:
        self.storage_url = storage_url.rstrip("/")
        self.bucket = bucket
        self.intake_url = intake_url
        self.interval = interval
        self.copies = copies
        self.delivered: list[dict[str, Any]] = []
        self._seen: set[tuple[str, str]] = set()
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="bridge")
        self._lock = threading.Lock()

    def list_objects(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        token = ""
        while True:
            query = urllib.parse.urlencode({"pageToken": token} if token else {})
            url = f"{self.storage_url}/storage/v1/b/{urllib.parse.quote(self.bucket)}/o?{query}"
            try:
                with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310
                    page = json.loads(resp.read())
            except (OSError, ValueError):
                return items
            items.extend(page.get("items") or [])
            token = page.get("nextPageToken") or ""
            if not token:
                return items

    def poll_once(self) -> int:
        """Schedule delivery of every object generation not seen before; returns how many."""
        new = 0
        for obj in self.list_objects():
            key = (str(obj["name"]), str(obj.get("generation", "")))
            with self._lock:
                if key in self._seen:
                    continue
                self._seen.add(key)
            new += 1
            for _ in range(self.copies):
                self._pool.submit(self._deliver, obj)
        return new

    def _deliver(self, obj: dict[str, Any]) -> None:
        delay = 0.5
        while True:
            event = finalized_event(self.bucket, obj)
            status = post_json(self.intake_url, event, content_type="application/cloudevents+json")
            if 200 <= status < 300:
                with self._lock:
                    self.delivered.append(event)
                return
            log.warning("intake answered %s for %s; retrying in %.1fs", status, obj["name"], delay)
            time.sleep(delay)
            delay = min(delay * 2, 10)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.poll_once()
            stop.wait(self.interval)
        self._pool.shutdown(wait=False, cancel_futures=True)


def push_envelope(subscription: str, message: Any) -> dict[str, Any]:
    """The JSON body Pub/Sub push sends for a pulled ``PubsubMessage``."""
    published = message.publish_time
    return {
        "message": {
            "data": base64.b64encode(message.data).decode("ascii"),
            "attributes": dict(message.attributes),
            "messageId": message.message_id,
            "publishTime": published.isoformat().replace("+00:00", "Z") if published else "",
        },
        "subscription": subscription,
    }


class PushRelay:
    """Pull from subscriptions and push each message to a function as Pub/Sub push would: ack on 2xx,
    otherwise nack after a short backoff so it is redelivered. Up to ``parallel`` pushes in flight per
    subscription. (Synchronous pull: the emulator's streaming pull trickles messages out slowly.)"""

    def __init__(self, routes: dict[str, str], *, parallel: int = 32, backoff: float = 1.0) -> None:
        self.routes = routes
        self.parallel = parallel
        self.backoff = backoff
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        from google.cloud.pubsub_v1 import SubscriberClient

        subscriber = SubscriberClient()
        for subscription, url in self.routes.items():
            thread = threading.Thread(
                target=self._loop,
                args=(subscriber, subscription, url),
                name=f"relay-{subscription}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def _loop(self, subscriber: Any, subscription: str, url: str) -> None:
        from google.api_core import exceptions as gexc

        slots = threading.BoundedSemaphore(self.parallel)
        pool = ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="relay")

        def forward(received: Any) -> None:
            try:
                status = post_json(url, push_envelope(subscription, received.message), timeout=600)
                if 200 <= status < 300:
                    subscriber.acknowledge(
                        request={"subscription": subscription, "ack_ids": [received.ack_id]}
                    )
                else:
                    self._stop.wait(self.backoff)
                    subscriber.modify_ack_deadline(
                        request={
                            "subscription": subscription,
                            "ack_ids": [received.ack_id],
                            "ack_deadline_seconds": 0,
                        }
                    )
            except gexc.GoogleAPICallError as exc:
                log.warning("relay could not settle a message of %s: %s", subscription, exc)
            finally:
                slots.release()

        while not self._stop.is_set():
            slots.acquire()
            free = 1
            while free < self.parallel and slots.acquire(blocking=False):
                free += 1
            try:
                response = subscriber.pull(
                    request={"subscription": subscription, "max_messages": free}, timeout=5
                )
                received = list(response.received_messages)
            except (gexc.GoogleAPICallError, gexc.RetryError) as exc:
                if not isinstance(exc, gexc.DeadlineExceeded):
                    log.debug("pull failed on %s: %s", subscription, exc)
                received = []
            for _ in range(free - len(received)):
                slots.release()
            for item in received:
                pool.submit(forward, item)
            if not received:
                self._stop.wait(0.05)
        pool.shutdown(wait=False, cancel_futures=True)

    def stop(self) -> None:
        self._stop.set()


def sweep_timer(url: str, every: float, stop: threading.Event) -> None:
    """Call the sweep function every ``every`` seconds, like Cloud Scheduler."""
    while not stop.wait(every):
        status = post_json(url, {})
        if status != 200:
            log.warning("sweep answered %s", status)


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Storage finalize bridge and sweep timer for the local stack"
    )
    parser.add_argument("--storage", required=True, help="storage emulator URL")
    parser.add_argument("--bucket", required=True)
    parser.add_argument("--intake", required=True, help="intake function URL")
    parser.add_argument("--sweep", help="sweep function URL")
    parser.add_argument("--sweep-every", type=float, default=60.0)
    parser.add_argument("--copies", type=int, default=1, help="deliver every event this many times")
    parser.add_argument(
        "--relay", action="append", default=[], metavar="SUBSCRIPTION=URL", help="push a pull subscription"
    )
    parser.add_argument(
        "--relay-parallel", type=int, default=32, help="pushes in flight per relayed subscription"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if args.sweep:
        threading.Thread(target=sweep_timer, args=(args.sweep, args.sweep_every, stop), daemon=True).start()
    relay = PushRelay(dict(r.split("=", 1) for r in args.relay), parallel=max(1, args.relay_parallel))
    if args.relay:
        relay.start()
    try:
        FinalizeBridge(args.storage, args.bucket, args.intake, copies=args.copies).run(stop)
    except KeyboardInterrupt:
        stop.set()
    relay.stop()


if __name__ == "__main__":
    main()
