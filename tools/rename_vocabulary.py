"""One vocabulary (issue 16, item 4): the renames docs/glossary.md decides, applied once by the integrator.

Run from the repository root, after every branch of the round is merged::

    .venv/bin/python tools/rename_vocabulary.py --check    # list what is still to rename (exit 1 if anything)
    .venv/bin/python tools/rename_vocabulary.py            # rename (git mv for modules), print the counts
    .venv/bin/ruff check --fix . && .venv/bin/ruff format .   # re-sort the imports the renames touched

Idempotent: a second run changes nothing and ``--check`` then exits 0. What it renames:

1. Sub-modules to the ``<kind>_<noun>.py`` scheme most of the code uses (``views_tree``, ``forms_policy``,
   ``selectors_analysis``): ``git mv`` of the file, its dotted path everywhere (imports, ``mock.patch`` strings,
   settings, docs), ``from kaohe.app import old`` imports and the ``old.`` uses of that module in the file,
   and ``app/old.py`` paths in docs and comments. Done here rather than on a branch because the importers are
   the views, services and selectors other helpers were rewriting at the same time.
2. Python identifiers, by token (``tokenize``): names, attributes and keyword arguments, never the text of
   string literals except a dotted ``kaohe.…`` path ending in a renamed name. Each rename has a scope (files)
   and may be dotted (``table.assessors`` renames only that attribute after that name).
3. Exact string literals (capability names), in code, templates and docs.

Never renamed: model and field names and database values (``AssessorDesk``, ``Indicator.assessor`` and its
``assessor__…`` lookups, ``Role`` values such as ``"assessor"``, ``PlanImport.Kind`` values, the ``"assessor"``
column role stored in ``PlanImport.options``, URL names); docs/glossary.md lists these legacy names.
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tokenize
from collections import Counter
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ("kaohe", "tests", "bench", "tools", "config")
TEXT_SUFFIXES = {".py", ".md", ".html", ".toml", ".cfg", ".ini", ".txt", ".yml", ".yaml", ".js"}
TEXT_NAMES = {"Makefile", "conftest.py", "manage.py", "pyproject.toml"}
SKIP_PARTS = {".venv", ".git", "node_modules", "migrations", "__pycache__", "var", "static"}
THIS_FILE = Path(__file__).resolve()

# -- 1. modules: old path → new path (relative to the repository root) ------------------------------------------
MODULES: tuple[tuple[str, str], ...] = (
    ("kaohe/core/calendar_models.py", "kaohe/core/models_calendar.py"),
    ("kaohe/core/calendar_services.py", "kaohe/core/services_calendar.py"),
    ("kaohe/core/notification_models.py", "kaohe/core/models_notification.py"),
    ("kaohe/plans/tree_services.py", "kaohe/plans/services_tree.py"),
    ("kaohe/scoring/adjustments.py", "kaohe/scoring/services_adjustments.py"),
    ("kaohe/scoring/adjustment_forms.py", "kaohe/scoring/forms_adjustments.py"),
    ("kaohe/scoring/adjustment_selectors.py", "kaohe/scoring/selectors_adjustments.py"),
    ("kaohe/reviews/rectification.py", "kaohe/reviews/services_rectification.py"),
    ("kaohe/reviews/rectification_selectors.py", "kaohe/reviews/selectors_rectification.py"),
)

# The kinds of the sub-module scheme: `<kind>_<noun>.py` (views_tree.py), never `<noun>_<kind>.py`.
KINDS = ("models", "services", "selectors", "views", "forms", "urls", "admin")


@dataclass(frozen=True)
class Rename:
    old: str  # an identifier, or "name.attribute" (only the attribute after that name is renamed)
    new: str
    files: tuple[str, ...] = ()  # globs relative to the root; empty = every code file
    why: str = ""
    text: bool = False  # distinctive enough to rename inside strings too (docstrings, code run in a subprocess)


ALL_PY = ()
CASEFILES = ("kaohe/inspections/casefiles/*.py", "kaohe/inspections/casefiles/*/*.py", "tests/*.py", "bench/*.py")
EXCEL_DESK_TABLE = ("kaohe/plans/excel/types.py", "kaohe/plans/excel/registers.py", "kaohe/plans/excel/parse.py")

# -- 2. identifiers --------------------------------------------------------------------------------------------
IDENTIFIERS: tuple[Rename, ...] = (
    # 考核主体 = desk (model AssessorDesk keeps its name; Indicator.assessor is a field)
    Rename("AssessorRow", "DeskRow", ALL_PY, "考核主体联系表 row", text=True),
    Rename("AssessorTable", "DeskTable", ALL_PY, "考核主体联系表", text=True),
    Rename("parse_assessor_workbook", "parse_desk_workbook", ALL_PY, text=True),
    Rename("read_assessors", "read_desks", ALL_PY, text=True),
    Rename("normalise_assessor", "normalise_desk", ALL_PY, text=True),
    Rename("_analyse_assessors", "_analyse_desks", ("kaohe/plans/*.py",)),
    Rename("_write_assessors", "_write_desks", ("kaohe/plans/*.py",)),
    Rename("_assessors", "_desks", ("kaohe/plans/excel/parse.py",)),
    Rename("assessors", "desks", EXCEL_DESK_TABLE, "DeskTable.desks and its locals"),
    Rename("table.assessors", "table.desks", ALL_PY, "DeskTable.desks, read elsewhere"),
    Rename("assessors.assessors", "assessors.desks", ("kaohe/plans/tests/*.py",)),
    Rename("build_assessors", "build_desks", ("tools/*.py",), text=True),
    Rename("ASSESSOR", "DESK", ALL_PY, "Role.DESK (the value stays 'assessor')"),
    Rename("ASSESSORS", "DESKS", ALL_PY, "PlanImport.Kind.DESKS (the value stays 'assessors')"),
    # 评查 = case review (casefiles); "review" alone means 复核
    Rename("review_save", "case_review_save", CASEFILES),
    Rename("review_return", "case_review_return", CASEFILES),
    Rename("review_conflict", "case_review_conflict", CASEFILES),
    Rename("review_rows", "case_review_rows", CASEFILES),
    Rename("review_setting_save", "case_review_setting_save", CASEFILES),
    Rename("_review_context", "_case_review_context", CASEFILES),
    Rename("review", "case_review", ("kaohe/inspections/casefiles/views.py",), "the 评查 page's view"),
    Rename("views.review", "views.case_review", ("kaohe/inspections/casefiles/urls.py",)),
    Rename("reviewer_todos", "case_reviewer_todos", ALL_PY, text=True),
)

# -- 3. exact string literals (and the same text in templates and docs) ----------------------------------------
# a desk reading a unit's evidence = check (not review): its capability and the page flag
STRINGS: tuple[tuple[str, str], ...] = (
    ("evidence:review", "evidence:check"),
    ("can_review_evidence", "can_check_evidence"),
)


# ---------------------------------------------------------------------------------------------------------------
def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def text_files() -> list[Path]:
    found: list[Path] = []
    for path in [*ROOT.glob("*"), *(p for d in (*CODE_DIRS, "docs", "templates") for p in (ROOT / d).rglob("*"))]:
        if not path.is_file() or path.resolve() == THIS_FILE:
            continue
        parts = set(path.relative_to(ROOT).parts)
        if parts & SKIP_PARTS:
            continue
        if path.suffix in TEXT_SUFFIXES or path.name in TEXT_NAMES:
            found.append(path)
    return sorted(set(found))


def py_files() -> list[Path]:
    return [p for p in text_files() if p.suffix == ".py"]


def in_scope(path: Path, globs: tuple[str, ...]) -> bool:
    return not globs or any(fnmatch(rel(path), pattern) for pattern in globs)


def module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


# -- token-level renaming -------------------------------------------------------------------------------------------
def _offsets(source: str) -> list[int]:
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _fstring_exprs(token: str) -> list[tuple[int, int]]:
    """Spans of the ``{…}`` expressions of an f-string token (Python 3.11 keeps f-strings as one token)."""
    prefix = re.match(r"[A-Za-z]*", token)
    if not prefix or "f" not in prefix.group().lower():
        return []
    spans, depth, start, i = [], 0, 0, len(prefix.group())
    while i < len(token):
        ch = token[i]
        if ch == "{" and depth == 0 and token[i : i + 2] == "{{":
            i += 2
            continue
        if ch == "{":
            if depth == 0:
                start = i + 1
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, i))
        i += 1
    return spans


def _all_strings(tokens: list[tokenize.TokenInfo]) -> set[int]:
    """Indexes of the string tokens of ``__all__ = [...]`` (names there are identifiers too)."""
    found: set[int] = set()
    for index, tok in enumerate(tokens[:-2]):
        if tok.string == "__all__" and tokens[index + 1].string in ("=", "+="):
            depth = 0
            for j in range(index + 2, len(tokens)):
                text = tokens[j].string
                depth += text in "([{" and text != "" and tokens[j].type == tokenize.OP
                depth -= text in ")]}" and text != "" and tokens[j].type == tokenize.OP
                if tokens[j].type == tokenize.STRING:
                    found.add(j)
                if depth == 0 and j > index + 2:
                    break
    return found


def rename_tokens(source: str, old: str, new: str, *, text: bool = False) -> tuple[str, int]:
    """Rename identifier ``old`` (or the attribute of ``a.b``) in Python source; string texts stay unless ``text``."""
    *qualifier, name = old.split(".")
    new_name = new.split(".")[-1]
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return source, 0
    starts = _offsets(source)
    edits: list[tuple[int, int, str]] = []
    significant = [t for t in tokens if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)]
    exported = _all_strings(significant)
    in_text = re.compile(r"(?<!\w)" + re.escape(name) + r"\b") if text and not qualifier else None
    for index, tok in enumerate(significant):
        if index in exported and not qualifier and tok.string[1:-1] == name:
            begin = starts[tok.start[0] - 1] + tok.start[1] + 1
            edits.append((begin, begin + len(name), new_name))
            continue
        if tok.type == tokenize.NAME and tok.string == name:
            if qualifier and (
                index < 2 or significant[index - 1].string != "." or significant[index - 2].string != qualifier[-1]
            ):
                continue
            begin = starts[tok.start[0] - 1] + tok.start[1]
            edits.append((begin, begin + len(name), new_name))
        elif tok.type == tokenize.STRING and in_text:
            begin = starts[tok.start[0] - 1] + tok.start[1]
            edits.extend((begin + m.start(), begin + m.end(), new_name) for m in in_text.finditer(tok.string))
        elif tok.type == tokenize.STRING:
            begin = starts[tok.start[0] - 1] + tok.start[1]
            pattern = (r"\b" + re.escape(".".join(qualifier)) + r"\." if qualifier else r"(?<![\w.])") + re.escape(name)
            for a, b in _fstring_exprs(tok.string):
                for m in re.finditer(pattern + r"\b", tok.string[a:b]):
                    edits.append((begin + a + m.end() - len(name), begin + a + m.end(), new_name))
            # a dotted path to a renamed name: "kaohe.plans.excel.parse.read_assessors"
            for m in re.finditer(r"\bkaohe(?:\.\w+)+\." + re.escape(name) + r"\b", tok.string):
                if not qualifier:
                    edits.append((begin + m.end() - len(name), begin + m.end(), new_name))
    for begin, end, replacement in sorted(set(edits), reverse=True):
        source = source[:begin] + replacement + source[end:]
    return source, len(set(edits))


# -- module renames ---------------------------------------------------------------------------------------------
def module_edits(source: str, path: Path, old: str, new: str) -> tuple[str, int]:
    """Rewrite references to module ``old`` (a file path) as ``new`` in one file's text."""
    old_mod, new_mod = module_name(old), module_name(new)
    package, old_leaf = old_mod.rsplit(".", 1)
    new_leaf = new_mod.rsplit(".", 1)[1]
    count = 0
    # dotted paths (imports, mock.patch strings, docs)
    source, n = re.subn(r"\b" + re.escape(old_mod) + r"\b(?!\.py)", new_mod, source)
    count += n
    # file paths in docs and comments: kaohe/scoring/adjustments.py, scoring/adjustments.py
    app_path = old.removeprefix("kaohe/").removesuffix(".py")
    new_app_path = new.removeprefix("kaohe/").removesuffix(".py")

    def fix_path(m: re.Match[str]) -> str:
        return str(m.group(1) or "") + new_app_path + ".py"

    source, n = re.subn(r"(?<![\w/])(kaohe/)?" + re.escape(app_path) + r"\.py\b", fix_path, source)
    count += n
    if path.suffix != ".py":
        return source, count
    # from kaohe.app import a, old, b  /  from kaohe.app import old as alias
    imported_bare = False
    pattern = re.compile(r"^(\s*from\s+" + re.escape(package) + r"\s+import\s+)(\([^)]*\)|[^\n]*)", re.MULTILINE)

    def fix_import(m: re.Match[str]) -> str:
        nonlocal imported_bare, count
        names = m.group(2)
        if not re.search(r"(?<![\w.])" + re.escape(old_leaf) + r"\b", names):
            return m.group(0)
        if not re.search(r"(?<![\w.])" + re.escape(old_leaf) + r"\s+as\s+\w+", names):
            imported_bare = True
        count += 1
        return m.group(1) + re.sub(r"(?<![\w.])" + re.escape(old_leaf) + r"\b", new_leaf, names)

    source = pattern.sub(fix_import, source)
    if imported_bare:
        # the module's uses in this file: `old.name` (not `x.old`)
        renamed, n = _rename_module_uses(source, old_leaf, new_leaf)
        source, count = renamed, count + n
    return source, count


def _rename_module_uses(source: str, old: str, new: str) -> tuple[str, int]:
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type != tokenize.NL]
    starts = _offsets(source)
    edits = []
    for i, tok in enumerate(tokens):
        if (
            tok.type == tokenize.NAME
            and tok.string == old
            and i + 1 < len(tokens)
            and tokens[i + 1].string == "."
            and (i == 0 or tokens[i - 1].string != ".")
        ):
            begin = starts[tok.start[0] - 1] + tok.start[1]
            edits.append(begin)
    for begin in sorted(edits, reverse=True):
        source = source[:begin] + new + source[begin + len(old) :]
    return source, len(edits)


def string_edits(source: str, path: Path, old: str, new: str) -> tuple[str, int]:
    return re.subn(r"(?<![\w:])" + re.escape(old) + r"(?![\w:])", new, source)


# -- run ------------------------------------------------------------------------------------------------------------
def outliers() -> list[str]:
    """Sub-modules named `<noun>_<kind>.py` (the scheme is `<kind>_<noun>.py`)."""
    found = []
    for path in sorted((ROOT / "kaohe").rglob("*.py")):
        if {"tests", "migrations"} & set(path.relative_to(ROOT).parts):
            continue
        stem = path.stem
        if any(stem.endswith("_" + kind) for kind in KINDS) and not any(stem.startswith(kind + "_") for kind in KINDS):
            found.append(rel(path))
    return found


def run(*, write: bool) -> Counter[str]:
    counts: Counter[str] = Counter()
    files = text_files()
    if write:
        for old, new in MODULES:
            if (ROOT / old).exists() and not (ROOT / new).exists():
                subprocess.run(["git", "mv", old, new], cwd=ROOT, check=True)
                counts[f"module {old} → {new} (git mv)"] += 1
        files = text_files()
    else:
        for old, new in MODULES:
            if (ROOT / old).exists():
                counts[f"module {old} → {new} (file still there)"] += 1
    for path in files:
        try:
            source = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        original = source
        for old, new in MODULES:
            source, n = module_edits(source, path, old, new)
            if n:
                counts[f"module {module_name(old)} → {module_name(new)}: {rel(path)}"] += n
        if path.suffix == ".py" and "migrations" not in path.parts:
            for r in IDENTIFIERS:
                if in_scope(path, r.files):
                    source, n = rename_tokens(source, r.old, r.new, text=r.text)
                    if n:
                        counts[f"{r.old} → {r.new}: {rel(path)}"] += n
        for old, new in STRINGS:
            source, n = string_edits(source, path, old, new)
            if n:
                counts[f'"{old}" → "{new}": {rel(path)}'] += n
        if write and source != original:
            path.write_text(source, encoding="utf-8")
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="list what is still to rename; exit 1 if anything")
    parser.add_argument("--verbose", action="store_true", help="one line per file")
    args = parser.parse_args()
    counts = run(write=not args.check)
    by_rename: Counter[str] = Counter()
    for key, n in counts.items():
        by_rename[key.split(": ")[0]] += n
    for key, n in sorted((counts if args.verbose else by_rename).items()):
        print(f"{n:5}  {key}")
    total = sum(counts.values())
    files = len({key.split(": ", 1)[1] for key in counts if ": " in key})
    verb = "to change" if args.check else "changed"
    print(f"{total} occurrences {verb} in {files} files")
    left = outliers() if args.check else []
    for path in left:
        print(f"outlier: {path} is named <noun>_<kind>.py; the scheme is <kind>_<noun>.py")
    if not args.check and total:
        print("now: .venv/bin/ruff check --fix . && .venv/bin/ruff format .  (imports to re-sort)")
    return 1 if args.check and (total or left) else 0


if __name__ == "__main__":
    sys.exit(main())
