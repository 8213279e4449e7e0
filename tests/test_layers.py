"""The apps depend on each other one way only (docs/architecture.md, "The apps").

Read from the source with `ast`, not from what happens to be imported when the tests
run: every .py outside migrations/, imports at module level and inside functions alike
(management commands, template tags and AppConfig.ready() included). Names resolved at
run time ({% load %}, URL names, "app.Model" strings, task paths) are not imports.
"""

from __future__ import annotations

import ast
from collections import defaultdict, deque
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps

import undersigned

PACKAGE = Path(undersigned.__file__).parent
REPOSITORY = PACKAGE.parent
APPS = sorted(
    config.name.removeprefix("undersigned.")
    for config in apps.get_app_configs()
    if config.name.startswith("undersigned.") and config.name != "undersigned.lib"
)
# Only these may import the serving layer (besides its own modules, and the tests).
WEB_ENTRY_POINTS = {"wsgi.py", "settings.py", "urls.py"}


def python_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def imports(path: Path) -> Iterator[tuple[str, int]]:
    """Each module `path` imports, with its line: relative imports made absolute, and
    `from undersigned import signatures` read as undersigned.signatures."""
    package = ".".join(path.relative_to(REPOSITORY).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            if "." in base:
                yield base, node.lineno
            else:  # `from undersigned import web`: the names are the modules
                for alias in node.names:
                    yield f"{base}.{alias.name}", node.lineno


def top_package(module: str) -> str | None:
    """ "signatures" for undersigned.signatures.models; None outside undersigned."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "undersigned" else None


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(REPOSITORY)}:{line}"


def app_imports() -> dict[tuple[str, str], set[str]]:
    """(importer, imported) → where, for every import of one app by another."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for app in APPS:
        for path in python_files(PACKAGE / app):
            for module, line in imports(path):
                imported = top_package(module)
                if imported in APPS and imported != app:
                    found[(app, imported)].add(f"{where(path, line)} {module}")
    return found


def test_no_two_apps_import_each_other():
    found = app_imports()
    pairs = sorted({tuple(sorted(edge)) for edge in found if edge[::-1] in found})
    report = [
        f"{a} ↔ {b}:\n  " + "\n  ".join(sorted(found[(a, b)] | found[(b, a)])) for a, b in pairs
    ]
    assert not pairs, "apps that import each other:\n" + "\n".join(report)


def shortest_loop(start: str, needs: dict[str, set[str]]) -> list[str] | None:
    """The shortest chain of imports from `start` back to it, if there is one."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        app = queue.popleft()
        for next_app in sorted(needs[app]):
            if next_app == start:
                chain = [app]
                while chain[-1] != start:
                    chain.append(came_from[chain[-1]])
                return [*reversed(chain), start]
            if next_app not in came_from:
                came_from[next_app] = app
                queue.append(next_app)
    return None


def test_no_app_imports_itself_through_others():
    """a → b → c → a tangles them as much as a pair does."""
    needs: dict[str, set[str]] = defaultdict(set)
    for importer, imported in app_imports():
        needs[importer].add(imported)
    loops = [loop for app in APPS if (loop := shortest_loop(app, needs))]
    assert not loops, "import loops between apps:\n" + "\n".join(map(" → ".join, loops))


def test_lib_imports_no_app():
    wrong = [
        f"{where(path, line)} {module}"
        for path in python_files(PACKAGE / "lib")
        for module, line in imports(path)
        if top_package(module) in [*APPS, "web"]
    ]
    assert not wrong, "lib/ is a leaf, but imports:\n" + "\n".join(wrong)


def test_only_the_entry_points_import_the_serving_layer():
    web = PACKAGE / "web"
    sources = [*python_files(PACKAGE), *python_files(REPOSITORY / "bench")]
    wrong = [
        f"{where(path, line)} {module}"
        for path in sources
        if web not in path.parents
        and not (path.parent == PACKAGE and path.name in WEB_ENTRY_POINTS)
        for module, line in imports(path)
        if top_package(module) == "web"
    ]
    assert not wrong, "undersigned.web is imported by:\n" + "\n".join(wrong)


def test_the_checks_see_the_imports_they_look_for():
    """The reading above would pass on anything if it found no imports at all."""
    found = app_imports()
    assert ("signatures", "petitions") in found and ("moderation", "signatures") in found
    urls = dict(imports(PACKAGE / "urls.py"))
    assert "undersigned.web" in urls
    assert len(APPS) >= 13
