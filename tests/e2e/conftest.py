"""A local stack per test on the session's emulators (its own project id, so no data is shared)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from zapdoc.dev.emulators import Emulator
from zapdoc.dev.stack import LocalStack, StackOptions

StackFactory = Callable[..., LocalStack]


@pytest.fixture
def make_stack(
    firestore_emulator: Emulator, pubsub_emulator: Emulator, storage_emulator: Emulator, tmp_path: Path
) -> Iterator[StackFactory]:
    """Start a stack with options; every stack started is stopped after the test."""
    stacks: list[LocalStack] = []

    def make(**options: object) -> LocalStack:
        opts = StackOptions(
            state_dir=tmp_path / f"state-{len(stacks)}",
            outbox=tmp_path / f"outbox-{len(stacks)}",
            project=f"demo-{uuid.uuid4().hex[:10]}",
            firestore_host=firestore_emulator.address,
            pubsub_host=pubsub_emulator.address,
            storage_url=storage_emulator.url,
            sweep_every=3600.0,
            threads=8,
            **options,  # type: ignore[arg-type]
        )
        stack = LocalStack(opts)
        stacks.append(stack)
        return stack.start()

    yield make
    for stack in stacks:
        stack.stop()
