"""Build the deployable source of every function: its ``main.py``, the production part of the ``zapdoc``
package and a ``requirements.txt``; optionally a reproducible zip (fixed timestamps, sorted entries) named
by content.

What ships is an allow-list (``SHIPPED``): the layers production runs. Anything else in the package (the
dev stack, the stand-ins, the integrators' client, the CLI, the in-memory store, a module added later)
stays out until it is named here; ``tests/unit/test_coldstart.py`` imports each packaged function in a
fresh process that can load nothing but the package copy, the standard library and the production
lockfile's distributions."""

from __future__ import annotations

import functools
import hashlib
import re
import shutil
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

from zapdoc.dev.paths import repo_root
from zapdoc.domain.errors import UsageError

SHIPPED: tuple[str, ...] = (
    "__init__.py",
    "py.typed",
    "logging.py",
    "settings.py",
    "bootstrap.py",
    "domain",
    "ports",
    "inputs",
    "extraction",
    "llm",
    "workbook.py",
    "mails.py",
    "services",
    # the adapters production wires, by file: the in-memory store (adapters/memory.py) serves the CLI and
    # the unit tests only, and a new adapter stays out until it is named here
    "adapters/__init__.py",
    "adapters/firebase_auth.py",
    "adapters/firestore.py",
    "adapters/gcs.py",
    "adapters/gemini.py",
    "adapters/openai_compat.py",
    "adapters/pubsub.py",
    "adapters/sendgrid.py",
    "adapters/signing.py",
    "adapters/stripe_gateway.py",
    "adapters/webhook_http.py",
    "api",
)
"""The parts of ``shared/zapdoc`` every deployed function ships (files and packages, by path)."""
SHIPPED_FOR: dict[str, tuple[str, ...]] = {"api": ("webapp",)}
"""Parts only one function ships: the built web app, served by ``api`` from its own origin."""
NEVER = ("__pycache__", "*.pyc")


def requirements(root: Path) -> list[str]:
    """Runtime requirements: the core dependencies plus the ``cloud`` extra of pyproject.toml."""
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    reqs = list(project.get("dependencies", []))
    reqs += list(project.get("optional-dependencies", {}).get("cloud", []))
    return reqs


WEB_APP_FUNCTION = "api"
"""The function that serves the built web app (``make web`` writes it to ``shared/zapdoc/webapp``)."""
FUNCTIONS_LOCK = Path("requirements") / "functions.lock"
"""The deployed functions install exactly these pins (hashes included): the lock of ``requirements``."""


def package_function(name: str, output: Path, root: Path | None = None) -> Path:
    """Write ``output/<name>/`` ready for ``gcloud functions deploy --source`` or Terraform."""
    root = root or repo_root()
    if name == WEB_APP_FUNCTION and not (root / "shared" / "zapdoc" / "webapp" / "index.html").is_file():
        raise UsageError("the web app is not built: run `make web` before packaging the api function")
    target = output / name
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copy2(root / "functions" / name / "main.py", target / "main.py")
    source, package = root / "shared" / "zapdoc", target / "zapdoc"
    package.mkdir()
    for part in (*SHIPPED, *SHIPPED_FOR.get(name, ())):
        (package / part).parent.mkdir(parents=True, exist_ok=True)
        if (source / part).is_dir():
            shutil.copytree(source / part, package / part, ignore=shutil.ignore_patterns(*NEVER))
        elif (source / part).is_file():
            shutil.copy2(source / part, package / part)
        else:
            raise UsageError(f"packaging lists shared/zapdoc/{part}, which does not exist")
    shutil.copy2(root / FUNCTIONS_LOCK, target / "requirements.txt")
    return target


def zip_directory(directory: Path) -> Path:
    """A reproducible zip of ``directory`` named ``<dir>-<sha256 prefix>.zip`` beside it."""
    files = sorted(p for p in directory.rglob("*") if p.is_file())
    tmp = directory.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            info = zipfile.ZipInfo(str(path.relative_to(directory)), date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED)
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()[:12]
    final = directory.parent / f"{directory.name}-{digest}.zip"
    tmp.replace(final)
    return final


def function_names(root: Path | None = None) -> list[str]:
    """Every function of the repository: each ``functions/<name>/main.py``."""
    base = (root or repo_root()) / "functions"
    return sorted(d.name for d in base.iterdir() if (d / "main.py").is_file())


def package_all(output: Path, *, make_zip: bool = False, root: Path | None = None) -> list[Path]:
    """Package every function (pipeline, API, webhooks); returns the directories (and zips) written."""
    paths: list[Path] = []
    for name in function_names(root):
        target = package_function(name, output, root)
        paths.append(target)
        if make_zip:
            for old in output.glob(f"{name}-*.zip"):
                old.unlink()
            paths.append(zip_directory(target))
    return paths


@functools.cache
def locked_top_levels(root: Path) -> tuple[str, ...]:
    """The top-level import names of the distributions pinned in ``requirements/functions.lock`` (as
    installed here: ``importlib.metadata`` maps distributions to the names they provide)."""
    text = (root / FUNCTIONS_LOCK).read_text()
    norm = re.compile(r"[-_.]+")
    pinned = re.finditer(r"^([A-Za-z0-9][\w.-]*)==", text, re.M)
    locked = {norm.sub("-", m.group(1)).lower() for m in pinned}
    return tuple(
        sorted(
            top
            for top, dists in metadata.packages_distributions().items()
            if any(norm.sub("-", d).lower() in locked for d in dists)
        )
    )


IMPORT_GATE = """
import importlib.abc, importlib.machinery, sys, sysconfig
ALLOWED = set(%r) | set(sys.stdlib_module_names) | {"main", "zapdoc"}
STDLIB = tuple({sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib")})
REFUSED = []

def _in_stdlib(top):  # private standard-library modules (_sysconfigdata_*, ...) are not in the name list
    spec = importlib.machinery.PathFinder.find_spec(top)
    origin = (spec.origin or "") if spec else ""
    return bool(origin) and origin.startswith(STDLIB) and "-packages" not in origin

class _Gate(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in ALLOWED or _in_stdlib(top):
            ALLOWED.add(top)
            return None
        REFUSED.append(name)
        raise ModuleNotFoundError(f"{name} is not in the production lockfile", name=name)

sys.meta_path.insert(0, _Gate())
"""


def import_gate(root: Path | None = None) -> str:
    """Python source that, run first in a fresh interpreter, lets it import only the standard library,
    ``main``/``zapdoc`` and the distributions of the production lockfile — what a deployed function has,
    even when this venv holds the dev tools too. Refused names collect in ``REFUSED``."""
    return IMPORT_GATE % (locked_top_levels(root or repo_root()),)
