"""`zapdoc package`: each function's deployable source holds its entry point, the package, requirements."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from zapdoc.dev.packaging import SHIPPED, function_names, package_all, package_function
from zapdoc.dev.stack import FUNCTIONS
from zapdoc.domain.errors import UsageError


def test_each_function_is_packaged_with_the_shared_package_and_requirements(tmp_path: Path) -> None:
    # WHEN every function is packaged, zipped twice
    first = package_all(tmp_path / "a", make_zip=True)
    second = package_all(tmp_path / "b", make_zip=True)
    # THEN each directory has main.py, the zapdoc package (without local-only parts) and requirements
    for name in FUNCTIONS:
        target = tmp_path / "a" / name
        assert (target / "main.py").read_text().count(f"def {name}(") == 1
        assert (target / "zapdoc" / "services" / "intake.py").is_file()
        assert not (target / "zapdoc" / "dev").exists() and not (target / "zapdoc" / "standins").exists()
        assert not (target / "zapdoc" / "client").exists() and not (target / "zapdoc" / "cli.py").exists()
        assert (target / "zapdoc" / "webapp").exists() == (name == "api")
        reqs = (target / "requirements.txt").read_text()
        assert "functions-framework" in reqs and "google-cloud-firestore" in reqs and "pypdf" in reqs
    # AND the zips are reproducible (same content, same name)
    zips_a = sorted(p.name for p in first if p.suffix == ".zip")
    zips_b = sorted(p.name for p in second if p.suffix == ".zip")
    assert zips_a == zips_b and len(zips_a) == len(function_names()) >= len(FUNCTIONS)
    with zipfile.ZipFile(next(p for p in first if p.suffix == ".zip")) as zf:
        assert "main.py" in zf.namelist()


def test_packaged_function_imports_without_the_repository_on_the_path(tmp_path: Path) -> None:
    [target] = [p for p in package_all(tmp_path) if p.name == "assemble"]
    code = (
        "import main, zapdoc, sys; assert zapdoc.__file__.startswith(sys.path[0]); "
        "print(main.assemble.__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(target)!r}); {code}"],
        capture_output=True,
        text=True,
        cwd=target,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "assemble"


def test_the_api_is_packaged_with_the_built_web_app_or_not_at_all(tmp_path: Path) -> None:
    # GIVEN a repository whose web app was never built (no `make web`)
    root = tmp_path / "repo"
    (root / "functions" / "api").mkdir(parents=True)
    (root / "functions" / "api" / "main.py").write_text("def api(request): ...\n")
    (root / "shared" / "zapdoc").mkdir(parents=True)
    for part in SHIPPED:  # the allow-listed parts, empty
        path = root / "shared" / "zapdoc" / part
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch() if "." in part else path.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = []\n')
    (root / "requirements").mkdir()
    (root / "requirements" / "functions.lock").write_text("# make lock\n")  # what functions install
    # THEN packaging the api refuses with the command that fixes it, instead of shipping a blank page
    with pytest.raises(UsageError, match="make web"):
        package_function("api", tmp_path / "out", root)
    # AND once built, the packaged api carries the page and its assets
    (root / "shared" / "zapdoc" / "webapp").mkdir()
    (root / "shared" / "zapdoc" / "webapp" / "index.html").write_text("<!doctype html>")
    target = package_function("api", tmp_path / "out", root)
    assert (target / "zapdoc" / "webapp" / "index.html").read_text() == "<!doctype html>"
