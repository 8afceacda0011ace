"""docs/deploy.md and terraform.tfvars.example describe exactly the variables and outputs that exist."""

from __future__ import annotations

import re

import pytest

from tests.unit.terraform_hcl import REPO, TERRAFORM_DIR, Stack, load_stack

DOC = REPO / "docs" / "deploy.md"


@pytest.fixture(scope="module")
def stack() -> Stack:
    return load_stack()


def table_rows(markdown: str, heading: str) -> dict[str, list[str]]:
    """First-column names (in backticks) of the table under ``## heading`` -> the other cells."""
    section = re.split(rf"^## {re.escape(heading)}\s*$", markdown, flags=re.MULTILINE)
    assert len(section) == 2, f"docs/deploy.md has no '## {heading}' section"
    body = re.split(r"^## ", section[1], flags=re.MULTILINE)[0]
    rows: dict[str, list[str]] = {}
    for line in body.splitlines():
        if m := re.match(r"^\|\s*`([^`]+)`\s*\|(.*)\|\s*$", line):
            rows[m.group(1)] = [c.strip() for c in m.group(2).split("|")]
    return rows


def test_variables_table_matches_variables_tf(stack: Stack) -> None:
    # GIVEN the variables table of the guide WHEN compared with variables.tf
    rows = table_rows(DOC.read_text(), "Variables")
    # THEN the same names, and "required" exactly for the variables without a default
    assert set(rows) == set(stack.variables)
    for name, cells in rows.items():
        required = "default" not in stack.variables[name]
        assert (cells[0] == "required") == required, f"{name}: default column says {cells[0]!r}"


def test_outputs_table_matches_outputs_tf(stack: Stack) -> None:
    rows = table_rows(DOC.read_text(), "Outputs")
    assert set(rows) == set(stack.outputs)


def test_every_variable_and_output_is_mentioned(stack: Stack) -> None:
    text = DOC.read_text()
    missing = [n for n in [*stack.variables, *stack.outputs] if f"`{n}`" not in text]
    assert missing == []


def test_tfvars_example_sets_every_required_variable_and_nothing_unknown(stack: Stack) -> None:
    example = (TERRAFORM_DIR / "terraform.tfvars.example").read_text()
    assigned = set(re.findall(r"^([a-z_]+)\s*=", example, flags=re.MULTILINE))
    commented = set(re.findall(r"^#\s*([a-z_]+)\s*=", example, flags=re.MULTILINE))
    required = {n for n, body in stack.variables.items() if "default" not in body}
    assert required <= assigned
    assert (assigned | commented) <= set(stack.variables)


def test_environment_names_in_the_guide_exist_in_the_code() -> None:
    # GIVEN every ZAPDOC_* name the guide tells the reader to set or read
    names = set(re.findall(r"\bZAPDOC_[A-Z0-9_]+\b", DOC.read_text()))
    code = "\n".join(p.read_text() for p in (REPO / "shared" / "zapdoc").rglob("*.py"))
    # THEN the code knows each of them (a renamed variable would leave the guide lying)
    assert names
    assert sorted(n for n in names if n not in code) == []


def test_cloud_build_passes_every_required_variable_to_terraform(stack: Stack) -> None:
    # GIVEN the variables without a default (a plan without them stops and asks)
    required = {name for name, body in stack.variables.items() if "default" not in body}
    # WHEN the plan step of cloudbuild.yaml sets TF_VAR_* from substitutions
    build = (REPO / "cloudbuild.yaml").read_text()
    passed = set(re.findall(r"TF_VAR_([a-z0-9_]+)=", build))
    # THEN every required variable is passed (project_id and region come from the build itself)
    assert required <= passed, f"cloudbuild.yaml does not pass {sorted(required - passed)}"
    # AND each substitution it reads is declared with a default under `substitutions:`
    declared = set(re.findall(r"^  (_[A-Z0-9_]+):", build, flags=re.MULTILINE))
    used = set(re.findall(r"\$\{(_[A-Z0-9_]+)\}", build))
    assert used <= declared, f"undeclared substitutions {sorted(used - declared)}"
