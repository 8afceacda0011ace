"""collect(): command-line paths -> documents, named as the user typed them, read one file at a time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.badinputs import bad_input_suite, good_pdf, nested_zip, png_as_pdf, zip_of
from zapdoc.domain.documents import Rejected, Source
from zapdoc.domain.errors import UsageError
from zapdoc.inputs.archive import Limits
from zapdoc.inputs.collect import collect
from zapdoc.inputs.pdf import inspect_pdf
from zapdoc.inputs.sandbox import BoundedPool, TaskFailed, failure_as_input_error


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder ``docs`` (cwd is its parent) with nested folders, a zip, hidden files and OS junk."""
    monkeypatch.chdir(tmp_path)
    docs = tmp_path / "docs"
    (docs / "2024" / "march").mkdir(parents=True)
    (docs / ".git").mkdir()
    pdf = good_pdf()[1]
    (docs / "b.pdf").write_bytes(pdf)
    (docs / "a.pdf").write_bytes(pdf)
    (docs / "2024" / "march" / "x.pdf").write_bytes(pdf)
    (docs / "2024" / "bundle.zip").write_bytes(zip_of("bundle.zip", [("in/z.pdf", pdf)])[1])
    (docs / "photo.pdf").write_bytes(png_as_pdf()[1])
    (docs / ".hidden.pdf").write_bytes(pdf)
    (docs / ".git" / "config.pdf").write_bytes(pdf)
    (docs / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    return docs


def test_a_folder_is_walked_recursively_sorted_with_names_as_given(tree: Path) -> None:
    # GIVEN the relative path "docs" WHEN collected
    items = list(collect(["docs"]))
    # THEN every non-hidden file, sorted like `find | sort`, named relative as given; zip entries inside
    assert [i.name for i in items] == [
        "docs/2024/bundle.zip/in/z.pdf",
        "docs/2024/march/x.pdf",
        "docs/a.pdf",
        "docs/b.pdf",
        "docs/photo.pdf",
    ]
    # AND the PNG renamed .pdf is a rejection, the rest are sources
    assert [type(i) for i in items] == [Source, Source, Source, Source, Rejected]


def test_files_keep_the_path_the_user_typed(tree: Path) -> None:
    items = list(collect(["docs/b.pdf", Path("docs") / "2024" / "march" / "x.pdf"]))
    assert [i.name for i in items] == ["docs/b.pdf", "docs/2024/march/x.pdf"]


def test_absolute_paths_stay_absolute(tree: Path) -> None:
    [item] = collect([tree / "a.pdf"])
    assert item.name == str(tree / "a.pdf")


def test_a_missing_path_is_a_usage_error_naming_it_before_anything_is_read(tree: Path) -> None:
    # GIVEN one good path and one typo WHEN collect is called THEN it fails at once, naming the typo
    with pytest.raises(UsageError, match=r"'docs/nope\.pdf'"):
        collect(["docs/a.pdf", "docs/nope.pdf"])


def test_files_are_read_lazily_one_at_a_time(tree: Path) -> None:
    # GIVEN two files, the first already taken from the iterator
    items = collect(["docs/a.pdf", "docs/b.pdf"])
    assert next(items).name == "docs/a.pdf"
    # WHEN the second disappears before it is reached
    (tree / "b.pdf").unlink()
    # THEN it is read only now, so its failure is a row, not a crash
    second = next(items)
    assert isinstance(second, Rejected)
    assert second.name == "docs/b.pdf"
    assert "could not be read" in second.reason


def test_a_file_over_the_limit_is_rejected_without_being_read(tree: Path) -> None:
    [item] = collect(["docs/a.pdf"], Limits(max_file_bytes=100))
    assert isinstance(item, Rejected)
    assert "over the 100 bytes limit" in item.reason


def test_a_named_pipe_is_rejected_not_read(tmp_path: Path) -> None:
    # GIVEN a FIFO (reading it would block forever) WHEN collected THEN a rejection
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    [item] = collect([fifo])
    assert isinstance(item, Rejected)
    assert "not a regular file" in item.reason


def test_symlinked_folders_are_not_followed(tree: Path) -> None:
    # GIVEN a symlink inside docs pointing back at docs (a loop)
    (tree / "loop").symlink_to(tree, target_is_directory=True)
    # WHEN collected THEN the walk ends and nothing is listed twice
    names = [i.name for i in collect(["docs"])]
    assert len(names) == len(set(names)) == 5


def test_nested_zip_in_a_folder_is_a_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    name, data = nested_zip()
    Path(name).write_bytes(data)
    items = {i.name: i for i in collect([name])}
    assert isinstance(items["outer.zip/inner.zip"], Rejected)
    assert isinstance(items["outer.zip/ok.pdf"], Source)


def test_bad_input_suite_gives_one_clear_row_per_bad_document_and_keeps_the_good_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN every hostile input of the acceptance suite in one folder
    monkeypatch.chdir(tmp_path)
    Path("inbox").mkdir()
    cases = bad_input_suite()
    for case in cases:
        (Path("inbox") / case.file).write_bytes(case.data)
    # WHEN collected and inspected in a bounded pool, as the CLI does
    items = list(collect(["inbox"]))
    sources = [i for i in items if isinstance(i, Source)]
    with BoundedPool(2, timeout=30, memory_mb=1024) as pool:
        inspected = dict(zip([s.name for s in sources], pool.map(inspect_pdf, sources), strict=True))
    errors = {i.name: i.reason for i in items if isinstance(i, Rejected)}
    pages: dict[str, int] = {}
    for name, out in inspected.items():
        if isinstance(out, TaskFailed):
            errors[name] = str(failure_as_input_error(out))
        else:
            pages[name] = out.page_count
    # THEN each bad document is an error row whose reason says why, and every good one came through
    expected_errors = {f"inbox/{n}": words for case in cases for n, words in case.errors.items()}
    expected_ok = {f"inbox/{n}": count for case in cases for n, count in case.ok.items()}
    assert set(errors) == set(expected_errors)
    for name, words in expected_errors.items():
        assert words in errors[name], name
    assert pages == expected_ok
