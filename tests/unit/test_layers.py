"""The package's layers: which part of backoffice may import which, and no import cycle.

Every import statement of backoffice/ is read with ast (those inside functions too: a lazy import
is still a dependency; those under ``if TYPE_CHECKING:`` are not, they never run). Two rules:

- no cycle among the modules of the package;
- a part imports only parts of a lower layer of LAYERS (a part is a top-level module or package
  of backoffice; inside one part its modules may import each other, without a cycle).

LAYERS is where the layers are written down: a new top-level module or package goes into it.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

from tests.conftest import ROOT

# Top first. A part may import the parts of any layer below its own; the parts of one layer are
# independent of each other.
LAYERS: list[list[str]] = [
    ["__main__"],
    ["cli"],  # the commands: parse, load the deployment, call the library, print
    ["web", "demo"],  # the supervisor UI; the demo (the sample bots over generated documents)
    ["bots", "install", "commandline", "report"],  # runners; init and doctor; what commands share; printing
    ["learning", "metrics"],  # layouts learned from corrections; Prometheus metrics of a queue
    ["config"],  # bots.yaml
    ["connectors"],  # sources and targets (imported lazily, by the kinds bots.yaml names)
    ["mail", "rules", "observer", "api"],  # reading mail; rule files; what a runner tells observers; Python bots' API
    ["documents", "queue"],  # reading documents; the work queue
    ["browser", "logs", "processes", "yamlfile", "paths"],
    ["errors"],
    [""],  # backoffice/__init__.py: the version
]

# Known exceptions, to be removed: (importer, imported) modules, each with who removes it. An
# import listed here is tolerated by both rules; one that no longer occurs fails the test, so that
# its line is deleted once the change that removes it is merged.
TEMPORARY: dict[tuple[str, str], str] = {
    # a worker process builds its own Runner from bots.yaml (a lazy import inside the worker);
    # the runner starts the workers. A runner factory below both would untie it (issue 19, next)
    ("bots.item_worker", "bots.runner"): "issue 19",
    # the queue stores learned layouts with learning.store's models (issue 19: the queue's interfaces)
    ("queue.base", "learning.store"): "issue 19",
    ("queue.sqlite", "learning.store"): "issue 19",
    ("queue.postgres", "learning.store"): "issue 19",
    # the correction desk corrects through the UI's actions, users and state (no owner yet; it could
    # move to web/, which it serves)
    ("learning.desk", "web"): "unassigned",
    # the ranker's training generates its invoices and scans with the demo's generators (no owner yet)
    ("documents.ranker.train", "demo"): "unassigned",
}

PACKAGE = ROOT / "backoffice"


@cache
def modules() -> dict[str, Path]:
    """Every module, by its name inside backoffice ('' for the package itself, 'cli' for cli/__init__.py)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _module_of(dotted: str) -> str | None:
    """The module a dotted name of backoffice is in ('backoffice.queue.base.Store' -> 'queue.base')."""
    if dotted != "backoffice" and not dotted.startswith("backoffice."):
        return None
    name = dotted.removeprefix("backoffice").removeprefix(".")
    while name not in modules():
        name = name.rpartition(".")[0]
    return name


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(name: str) -> set[str]:
    """The modules of backoffice that module ``name`` imports, anywhere but under TYPE_CHECKING."""
    path = modules()[name]
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit_one(other)
            else:
                visit_one(child)

    def visit_one(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.update(m for alias in node.names if (m := _module_of(alias.name)) is not None)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from ..y import z
                parent = [p for p in package[: len(package) - node.level + 1] if p]
                base = ".".join(["backoffice", *parent, *([base] if base else [])])
            for alias in node.names:  # from a package, a name may be a module of it
                module = _module_of(f"{base}.{alias.name}")
                if module is not None:
                    found.add(module)
        visit(node)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    found.discard(name)
    return found


@cache
def graph() -> dict[str, set[str]]:
    return {name: imports_of(name) for name in modules()}


def part_of(module: str) -> str:
    return module.split(".")[0] if module else ""


def layer_of(part: str) -> int:
    """The layer of a part (a part missing from LAYERS is said by the first test, and is top here)."""
    for index, layer in enumerate(LAYERS):
        if part in layer:
            return index
    return -1


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _tolerated(importer: str, imported: str) -> bool:
    return any(
        (importer == a or importer.startswith(a + ".")) and (imported == b or imported.startswith(b + "."))
        for a, b in TEMPORARY
    )


def test_every_part_of_the_package_has_a_layer():
    parts = {part_of(m) for m in modules()}
    written = [part for layer in LAYERS for part in layer]
    assert len(written) == len(set(written)), "a part is in two layers"
    assert sorted(parts - set(written)) == [], "put these in LAYERS"
    assert sorted(set(written) - parts) == [], "no such part of backoffice: take it out of LAYERS"


def test_no_import_cycle_among_the_modules():
    edges = {m: {i for i in imported if not _tolerated(m, i)} for m, imported in graph().items()}
    found = cycles(edges)
    assert found == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def test_each_part_imports_only_lower_layers():
    wrong = sorted(
        f"backoffice.{importer} imports backoffice.{imported}"
        for importer, imported_set in graph().items()
        for imported in imported_set
        if part_of(importer) != part_of(imported)
        and layer_of(part_of(imported)) <= layer_of(part_of(importer))
        and not _tolerated(importer, imported)
    )
    assert wrong == [], "imports against LAYERS (a lower layer may not import a higher one):\n" + "\n".join(wrong)


def test_the_temporary_exceptions_still_occur():
    """An exception whose import is gone is deleted from TEMPORARY."""
    edges = graph()
    gone = [
        f"{a} -> {b} ({who})"
        for (a, b), who in TEMPORARY.items()
        if not any(
            (m == a or m.startswith(a + ".")) and any(i == b or i.startswith(b + ".") for i in imported)
            for m, imported in edges.items()
        )
    ]
    assert gone == [], "no longer imported, delete from TEMPORARY: " + ", ".join(gone)


def test_the_reader_sees_lazy_relative_and_from_package_imports(tmp_path):
    """The reader itself: an import inside a function counts, one under TYPE_CHECKING does not,
    and ``from backoffice import documents`` is an import of the documents package."""
    assert "queue" in graph()["commandline"]  # imported inside open_queue()
    assert "config" in graph()["commandline"]  # imported inside deployment(), and under TYPE_CHECKING
    assert "documents.models" not in graph()["cli.extract"]  # only under TYPE_CHECKING
    assert "documents" in graph()["cli.extract"]  # from backoffice import documents
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
