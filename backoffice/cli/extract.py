"""``backoffice extract``: read documents and print their fields, alone or as a bot would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from backoffice.commandline import ERR_LINE, JsonOption, deployment, emit_json, err, open_queue, out, refusals
from backoffice.errors import BackofficeError

if TYPE_CHECKING:
    from backoffice.documents.models import Document


def extract(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Files to read: PDF, scan image, XML e-invoice, CSV/XLSX, e-mail, HTML or text.", exists=False
        ),
    ],
    kind: Annotated[
        str,
        typer.Option(
            help="Document kind: auto, invoice, timesheet, order, or a plugin kind by entry point name "
            "(group backoffice.extractors) or dotted path package.module:attribute."
        ),
    ] = "auto",
    ignore_embedded: Annotated[
        bool,
        typer.Option(
            "--ignore-embedded",
            help="Read the printed pages even when a PDF embeds an e-invoice (Factur-X, ZUGFeRD, XRechnung, Order-X).",
        ),
    ] = False,
    templates: Annotated[
        Optional[Path], typer.Option(help="A folder of templates (invoice2data YAML/JSON format) to try first.")
    ] = None,
    bot: Annotated[
        Optional[str],
        typer.Option("--bot", help="Read as this bot of bots.yaml would: its kind, templates and learned layouts."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Read documents and print their fields with page, box, confidence and method."""
    if bot is not None:
        return extract_as_bot(bot, files, as_json)
    from backoffice import documents
    from backoffice.documents import registry
    from backoffice.documents.templates import load_templates

    try:  # an unknown kind is said once, naming the known ones, before any file is read
        registry.get(kind)
    except ValueError as exc:
        if as_json:
            emit_json({"error": f"--kind: {exc}", "code": "unknown-kind"})
        else:
            err.print(f"--kind: {exc}", **ERR_LINE)
        raise typer.Exit(1) from None
    loaded = load_templates(templates) if templates else None

    def read(path: Path) -> list[tuple[Document, dict[str, Any]]]:
        found = documents.extract_all(path, kind=kind, ignore_embedded=ignore_embedded, templates=loaded)
        return [(document, {}) for document in found]

    read_each(files, read, as_json)


def extract_as_bot(bot_name: str, files: list[Path], as_json: bool) -> None:
    """``backoffice extract --bot NAME``: read files as that bot would (its kind, its templates,
    then the learned layouts of its queue)."""
    from backoffice import documents
    from backoffice.paths import inside
    from backoffice.documents.templates import load_templates
    from backoffice.learning.hooks import read_learned

    config = deployment(check_paths=False)
    with refusals():
        try:
            bot = config.bot(bot_name)
        except KeyError:
            raise BackofficeError(f"bot {bot_name} is not in {config.path.name}") from None
    templates = load_templates(inside(config.config_dir, bot.templates)) if bot.templates else None
    store = open_queue(config)

    def read(path: Path) -> list[tuple[Document, dict[str, Any]]]:
        document = documents.extract(path, kind=bot.extractor, templates=templates)
        return [(document, {"learned": read_learned(store, path, document)})]

    read_each(files, read, as_json)


def read_each(files: list[Path], read: Callable[[Path], list[tuple[Document, dict[str, Any]]]], as_json: bool) -> None:
    """Read every file with ``read`` (its Documents, each with further JSON keys) and print each
    Document, or answer one JSON for all; a file that cannot be read is said, and exits 1."""
    from backoffice.report import print_document

    results, failed = [], False
    for path in files:
        try:
            if not path.is_file():
                raise BackofficeError(f"{path}: no such file")
            for document, extra in read(path):
                results.append({"file": str(path), **document.to_dict(), **extra})
                if not as_json:
                    print_document(out, path, document)
        except (BackofficeError, ValueError) as exc:
            failed = True
            code = getattr(exc, "code", "error")
            results.append({"file": str(path), "error": str(exc), "code": code})
            if not as_json:
                err.print(str(exc), **ERR_LINE)
    if as_json:
        emit_json(results[0] if len(results) == 1 else results)
    if failed:
        raise typer.Exit(1)
