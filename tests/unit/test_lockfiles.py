"""The lockfiles pin every dependency pyproject.toml declares, with hashes, and the deployed functions
install exactly the functions lock."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCKS = {"base": (), "functions": ("cloud",), "stack": ("stack", "cloud"), "dev": ("dev", "cloud")}


def pins(lock: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of a ``uv pip compile --generate-hashes`` lockfile."""
    found: dict[str, tuple[str, int]] = {}
    name = ""
    for line in lock.read_text().splitlines():
        if m := re.match(r"^([A-Za-z0-9_.\-\[\]]+)==([^ ;\\]+)", line):
            name = canonicalize_name(m.group(1).split("[")[0])
            found[name] = (m.group(2), 0)
        elif "--hash=sha256:" in line and name:
            version, hashes = found[name]
            found[name] = (version, hashes + 1)
    return found


def declared(extras: tuple[str, ...]) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in extras:
        reqs += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return [r for r in reqs if canonicalize_name(r.name) != "zapdoc"]


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_every_declared_dependency_is_pinned_within_its_range_with_hashes(lock: str) -> None:
    # GIVEN a lockfile and the requirements pyproject.toml declares for it
    path = ROOT / "requirements" / f"{lock}.lock"
    pinned = pins(path)
    assert "make lock" in path.read_text()[:300]  # the header names the command that regenerates it
    # THEN each requirement has a pin inside its range, and every pin carries hashes
    for req in declared(LOCKS[lock]):
        name = canonicalize_name(req.name)
        assert name in pinned, f"{req} is not in {lock}.lock: run `make lock`"
        assert req.specifier.contains(pinned[name][0], prereleases=True), (
            f"{lock}.lock pins {name}=={pinned[name][0]}, outside {req.specifier}: run `make lock`"
        )
    assert pinned and all(hashes > 0 for _version, hashes in pinned.values())


def test_the_functions_lock_is_what_each_function_deploys(tmp_path: Path) -> None:
    from zapdoc.dev.packaging import package_function

    target = package_function("intake", tmp_path)
    assert (target / "requirements.txt").read_text() == (ROOT / "requirements/functions.lock").read_text()


def test_pins_reads_names_versions_and_hashes(tmp_path: Path) -> None:
    # the parser itself: a lock missing a hash or a package is seen as such
    lock = tmp_path / "x.lock"
    lock.write_text("a-b==1.0 \\\n    --hash=sha256:00\n    # via x\nc==2.0\n")
    assert pins(lock) == {"a-b": ("1.0", 1), "c": ("2.0", 0)}
