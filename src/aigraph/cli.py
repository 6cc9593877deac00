"""The ``aigraph`` command: thin wrappers around plain functions.

Exit codes (the same for every command):

- ``0``: done (``validate``: the data conforms; warnings do not count);
- ``1``: the data does not conform (``validate``, and ``build``, which refuses to write data
  that does not validate);
- ``2``: could not run: bad arguments, unreadable or unparsable input, an unknown query, a
  bad parameter value, a malformed query, an output that cannot be written (a full disk), the
  network unreachable (``link``); also an internal error (a bug: its traceback is printed),
  which must not read as "does not conform".
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from aigraph import __version__
from aigraph.catalogue import (
    CatalogueError,
    CatalogueQuery,
    ParameterError,
    data_languages,
    load_catalogue,
    parse_query_file,
    unknown_entity,
)
from aigraph.dataset import DataLoadError, load_dataset
from aigraph.namespaces import CANONICAL_BASE
from aigraph.project import Project
from aigraph.source import SourceTextError

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2


class UsageError(Exception):
    """A problem with what the user asked for (exit code 2)."""


def _print(data: str | bytes) -> None:
    if isinstance(data, bytes):
        sys.stdout.buffer.write(data)
    else:
        sys.stdout.write(data)
    sys.stdout.flush()


# --- validate -----------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    from aigraph.validate import render_json, render_text, render_turtle, validate_project

    paths = [Path(p) for p in args.paths] or None
    report, results = validate_project(Project.default(), paths)
    if args.format == "json":
        _print(render_json(report))
    elif args.format == "turtle":
        _print(render_turtle(results))
    else:
        _print(render_text(report, verbose=args.verbose))
    return EXIT_OK if report.conforms else EXIT_INVALID


# --- build ----------------------------------------------------------------------------------


def cmd_build(args: argparse.Namespace) -> int:
    from aigraph.build import build
    from aigraph.dataset import derive, load_source_dataset, rebase
    from aigraph.validate import render_text, validate_dataset

    project = Project.default()
    ds = load_source_dataset(project)
    derive(ds, project.rules_dir)
    if not args.no_validate:
        report, _ = validate_dataset(ds, project)
        if not report.conforms:
            sys.stderr.write(render_text(report))
            sys.stderr.write("aigraph build: nothing written, the data does not conform.\n")
            return EXIT_INVALID
    out = Path(args.out)
    built = build(rebase(ds, args.base), out, args.base, project)
    for f in built:
        print(f"{f.sha256[:16]}  {f.size:>9,} B  {out / f.name}")
    print(f"{out / 'MANIFEST.sha256'} (check with: cd {out} && sha256sum -c MANIFEST.sha256)")
    return EXIT_OK


# --- export ---------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    """One of the build's files (or the six CSV tables and their metadata), to stdout or to
    --out."""
    from aigraph.build import EXPORT_FORMATS, render_all, write_atomic

    names = EXPORT_FORMATS[args.format]
    if len(names) > 1 and (args.out is None or args.out == "-"):
        raise UsageError(f"--format {args.format} writes {len(names)} files: give --out FOLDER")
    outputs = render_all(load_dataset(base=args.base), args.base, Project.default())
    if args.out is None or args.out == "-":
        _print(outputs[names[0]][1])
        return EXIT_OK
    out = Path(args.out)
    for name in names:
        target = out / name if len(names) > 1 else out
        write_atomic(target, outputs[name][1])
        sys.stderr.write(f"{target}\n")
    return EXIT_OK


# --- link -----------------------------------------------------------------------------------


def cmd_link(args: argparse.Namespace) -> int:
    """Reconcile against Wikidata (writes a review file), apply a reviewed file, or report."""
    from aigraph.engine import Engine

    project = Project.default()
    links_file = Path(args.links) if args.links else project.data_dir / "links.trig"
    if args.status:
        from aigraph.linking.review import link_status

        dataset = _with_links(project, links_file)
        status = link_status(Engine.from_dataset(dataset).store)  # type: ignore[arg-type]
        _print(_render_status(status, args.format))
        return EXIT_OK
    if args.apply:
        from aigraph.linking.review import ReviewError, accepted_links

        try:
            links = accepted_links(Path(args.apply))
        except ReviewError as exc:
            raise UsageError(str(exc)) from None
        return _write_links(project, links_file, links)
    return _reconcile(args, project, links_file)


def _data_files(project: Project, links_file: Path) -> list[Path]:
    """The project's data files with `links_file` in place of data/links.trig."""
    default = (project.data_dir / "links.trig").resolve()
    return [*(p for p in project.data_files() if p.resolve() != default), links_file]


def _with_links(project: Project, links_file: Path) -> object:
    from aigraph.dataset import derive, load_source_dataset, parse_into
    from aigraph.validate import _WithoutData

    ds = load_source_dataset(_WithoutData(project.root))
    for path in _data_files(project, links_file):
        if path.exists():
            parse_into(ds, path)
    derive(ds, project.rules_dir)
    return ds


def _reconcile(args: argparse.Namespace, project: Project, links_file: Path) -> int:
    from aigraph.build import write_atomic
    from aigraph.engine import Engine
    from aigraph.linking.review import (
        above_threshold,
        candidates_for,
        review_rows,
        subjects,
        wikidata_linked,
        write_review,
    )
    from aigraph.linking.wikidata import ClientSettings, WikidataClient, WikidataUnavailableError

    store = Engine.from_dataset(_with_links(project, links_file)).store  # type: ignore[arg-type]
    kinds = args.kind or ("person", "organisation", "topic")
    todo = subjects(store, kinds, args.entity)
    if args.entity and len(todo) < len(set(args.entity)):
        known = {s.iri for s in todo}
        raise UsageError(f"not a person, organisation or topic: {sorted(set(args.entity) - known)}")
    if not args.entity:
        # an entity that already names its Wikidata item is not asked about again (its
        # candidates would only repeat it, or, above a threshold, add a second item); name it
        # with --entity to check it anyway
        linked = wikidata_linked(store)
        skipped = sorted(s.name for s in todo if s.iri in linked)
        todo = [s for s in todo if s.iri not in linked]
        if skipped:
            sys.stderr.write(
                f"aigraph link: {len(skipped)} already linked to Wikidata, not asked again "
                f"({', '.join(skipped)}; --entity IRI asks anyway)\n"
            )
    settings = ClientSettings(
        api_url=args.api,
        min_interval=args.rate,
        timeout=args.timeout,
        cache_dir=None if args.no_cache else Path(args.cache_dir),
    )
    found = []
    with WikidataClient(settings) as client:
        try:
            for number, subject in enumerate(todo, start=1):
                sys.stderr.write(f"[{number}/{len(todo)}] {subject.kind} {subject.name}\n")
                found.extend(candidates_for(client, subject, args.candidates))
        except WikidataUnavailableError as exc:
            sys.stderr.write(f"aigraph link: {exc}\n")
            return EXIT_ERROR
        asked = client.requests_made
    review = Path(args.review)
    write_atomic(review, write_review(review_rows(found)))
    sys.stderr.write(
        f"aigraph link: {len(found)} candidate(s) for {len(todo)} entities "
        f"({asked} request(s), the rest from the cache) in {review}; "
        "mark the right rows 'accept' in the decision column, then "
        f"`aigraph link --apply {review}`\n"
    )
    if args.threshold is not None:
        return _write_links(project, links_file, above_threshold(found, args.threshold))
    return EXIT_OK


def _write_links(project: Project, links_file: Path, links: list[Any]) -> int:
    """Add links to a copy of the links file, validate the data with it, and only then
    replace the file: a link that breaks a rule is never written."""
    import shutil
    import tempfile

    from aigraph.linking.review import add_links
    from aigraph.validate import render_text, validate_project

    with tempfile.TemporaryDirectory() as tmp:
        candidate = Path(tmp) / links_file.name
        if links_file.exists():
            shutil.copyfile(links_file, candidate)
        added = add_links(candidate, links)
        files = [*_data_files(project, links_file)[:-1], candidate]
        report, _ = validate_project(project, files)
        if not report.conforms:
            sys.stderr.write(render_text(report))
            sys.stderr.write("aigraph link: nothing written, the links do not validate.\n")
            return EXIT_INVALID
        from aigraph.build import write_atomic

        write_atomic(links_file, candidate.read_bytes())
    sys.stderr.write(f"aigraph link: {added} new link(s) in {links_file}\n")
    return EXIT_OK


def _render_status(status: dict[str, dict[str, object]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(status, ensure_ascii=False, indent=2) + "\n"
    lines = []
    for kind, row in status.items():
        authorities = ", ".join(f"{k} {v}" for k, v in row["by_authority"].items()) or "none"  # type: ignore[attr-defined]
        linked = f"{row['linked']:>3} of {row['entities']:>3} linked"
        lines.append(f"{kind:<13} {linked}  (authorities: {authorities})")
        for entity in row["links"]:  # type: ignore[attr-defined]
            for link in entity["links"]:
                evidence = ", ".join(link["evidence"]) or "no evidence"
                confidence = "" if link["confidence"] is None else f" {link['confidence']:g}"
                lines.append(
                    f"    {entity['name']}: {link['authority']} {link['target']}"
                    f"  ({link['method'] or '?'}{confidence}; {evidence})"
                )
        unlinked = [u["name"] for u in row["unlinked"]]  # type: ignore[attr-defined]
        if unlinked:
            lines.append("    not linked: " + ", ".join(unlinked))
    return "\n".join(lines) + "\n"


# --- query ----------------------------------------------------------------------------------


def _parse_params(pairs: Sequence[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--param takes NAME=VALUE, got {pair!r}")
        params[key] = value
    return params


def cmd_query(args: argparse.Namespace) -> int:
    from aigraph.engine import Engine
    from aigraph.lint import cross_products
    from aigraph.results import render_results

    project = Project.default()
    catalogue = load_catalogue(project.queries_dir)
    if args.list:
        for q in catalogue.values():
            usage = " ".join(f"[{p.name}={p.default or '…'}]" for p in q.parameters)
            print(f"{q.name:<24} {q.title['en']} {usage}".rstrip())
        return EXIT_OK
    if not args.query:
        raise UsageError("give a catalogue query name or a .rq file (or --list)")
    entry: CatalogueQuery | None
    if args.query in catalogue:
        entry = catalogue[args.query]
    elif Path(args.query).is_file():
        entry = parse_query_file(Path(args.query)) if _has_header(Path(args.query)) else None
        text = Path(args.query).read_text(encoding="utf-8")
    else:
        from aigraph.search import did_you_mean, meant

        names = ", ".join(catalogue)
        raise UsageError(
            f"no query named {args.query!r} and no such file"
            f"{did_you_mean(meant(args.query, catalogue))} "
            f"(catalogue: {names})"
        )
    params = _parse_params(args.param)
    if entry is not None:
        from aigraph.validate import expand

        # an IRI as the table writes it (`person:lou-fauroux`) is read back as that IRI
        for p in entry.parameters:
            if p.type == "iri" and p.name in params:
                params[p.name] = expand(params[p.name]) or params[p.name]
        text = entry.text
        substitutions = entry.bindings(params)  # a malformed value is said before loading
    elif params:
        raise UsageError("--param needs a catalogue query (a header with '# param:' lines)")
    else:
        substitutions = {}
    if entry is None:  # a query of one's own: the editor's advice, before it runs
        for found in cross_products(text):
            print(f"aigraph: advice: {found.message()}", file=sys.stderr)
    engine = Engine.from_dataset(load_dataset(project))
    if entry is not None:
        if any(p.type == "language" and p.name in params for p in entry.parameters):
            substitutions = entry.bindings(params, data_languages(engine.store))
        # before running, where the server asks once an answer is empty: every catalogue
        # query's IRI parameter is the entity it is about, so an IRI the data lacks empties it
        unknown = unknown_entity(entry, params, engine.mentions)
        if unknown is not None:
            raise unknown
    try:
        results = engine.query(text, substitutions)
    except SyntaxError as exc:
        from aigraph.namespaces import known_prefixes
        from aigraph.parse_errors import explain

        said = explain(text, str(exc), known_prefixes())
        raise UsageError(f"the query does not parse: {said}") from exc
    if isinstance(results, ox.QueryTriples):
        from aigraph.namespaces import known_prefixes
        from aigraph.serialize import serialize_graph

        media = {"table": "text/turtle", "turtle": "text/turtle"}.get(args.format, args.format)
        media = {"ntriples": "application/n-triples"}.get(media, media)
        if media not in ("text/turtle", "application/n-triples"):
            raise UsageError("a CONSTRUCT/DESCRIBE answer is RDF: use --format turtle or ntriples")
        # as the endpoint writes it: each subject's triples one block, the prefixes it uses
        prefixes = known_prefixes()
        _print(serialize_graph(list(results), media, prefixes))
        return EXIT_OK
    if args.format in ("turtle", "ntriples"):
        raise UsageError("a SELECT/ASK answer is a results table: use table, csv, tsv, json or xml")
    from aigraph.sniff import projection

    # `SELECT *`: the columns in the query's order, as the endpoint gives them (Oxigraph
    # sorts them by name: `?o ?p ?s`)
    _print(render_results(results, args.format, star_order=projection(text)))
    return EXIT_OK


def _has_header(path: Path) -> bool:
    try:
        parse_query_file(path)
    except CatalogueError:
        return False
    return True


# --- stats ----------------------------------------------------------------------------------


def cmd_stats(args: argparse.Namespace) -> int:
    from aigraph.dataset import derive, load_source_dataset
    from aigraph.engine import Engine
    from aigraph.stats import collect_stats
    from aigraph.validate import validate_dataset

    project = Project.default()
    ds = load_source_dataset(project)
    derive(ds, project.rules_dir)
    stats = collect_stats(Engine.from_dataset(ds))
    if not args.no_validate:
        report, _ = validate_dataset(ds, project)
        stats.violations, stats.warnings = len(report.violations), len(report.warnings)
    if args.format == "json":
        _print(json.dumps(stats.__dict__, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    lines = [
        f"{'triples (union, distinct)':<30} {stats.triples:>7,}",
        f"{'named graphs':<30} {stats.named_graphs:>7,}",
    ]
    lines += [f"{label:<30} {n:>7,}" for label, n in stats.counts.items()]
    if stats.violations is not None:
        verdict = "conforms" if stats.violations == 0 else "does NOT conform"
        lines.append(
            f"{'shapes':<30} {verdict}: {stats.violations} violation(s), "
            f"{stats.warnings} warning(s)"
        )
    _print("\n".join(lines) + "\n")
    return EXIT_OK


# --- docs -----------------------------------------------------------------------------------


def cmd_docs(args: argparse.Namespace) -> int:
    from aigraph.docgen import update

    changed = update(Project.default())
    print("\n".join(f"{path}: updated" for path in changed) or "docs/: already current")
    return EXIT_OK


# --- serve ----------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    from aigraph.server.run import serve

    return serve(args)


# --- parser ---------------------------------------------------------------------------------


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aigraph",
        description="The knowledge graph of the CNC's 7 October 2025 day on responsible AI "
        "in the animated-image sector: validate, build, query and serve it.",
        epilog="Exit codes: 0 done, 1 the data does not conform, 2 could not run.",
    )
    parser.add_argument("--version", action="version", version=f"aigraph {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check the data against the shapes and the source text")
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="data files to validate instead of the bundled data/*.trig",
    )
    p.add_argument(
        "--format",
        choices=("text", "json", "turtle"),
        default="text",
        help="text for people (default); json; turtle = the SHACL results graph",
    )
    p.add_argument("--verbose", action="store_true", help="list every warning's nodes")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", help="validate, then write the dataset files and a manifest")
    p.add_argument("--out", default="build", help="output folder (default: build)")
    p.add_argument(
        "--base", default=CANONICAL_BASE, help=f"base IRI of the data (default: {CANONICAL_BASE})"
    )
    p.add_argument("--no-validate", action="store_true", help="write even if validation fails")
    p.set_defaults(func=cmd_build)

    from aigraph.build import EXPORT_FORMATS

    p = sub.add_parser("export", help="write one dump (or the CSV tables) of the dataset")
    p.add_argument("--format", required=True, choices=sorted(EXPORT_FORMATS))
    p.add_argument(
        "--out", default=None, help="file to write (folder for csv); default: standard output"
    )
    p.add_argument(
        "--base", default=CANONICAL_BASE, help=f"base IRI of the data (default: {CANONICAL_BASE})"
    )
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "link", help="reconcile with Wikidata (review file), apply a review, or report links"
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--status", action="store_true", help="report which entities are linked")
    mode.add_argument(
        "--apply", metavar="REVIEW", help="turn a review file's accepted rows into links"
    )
    p.add_argument("--format", choices=("table", "json"), default="table", help="for --status")
    p.add_argument(
        "--kind", action="append", choices=("person", "organisation", "topic"), help="repeatable"
    )
    p.add_argument("--entity", action="append", default=[], help="an entity IRI (repeatable)")
    p.add_argument("--review", default="link-review.csv", help="review file to write")
    p.add_argument("--candidates", type=int, default=3, help="candidates per entity (default 3)")
    p.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="also link, without review, each best candidate scoring at least this (0-1)",
    )
    p.add_argument("--links", default=None, help="links file (default data/links.trig)")
    p.add_argument("--api", default="https://www.wikidata.org/w/api.php", help="Wikidata API")
    p.add_argument("--rate", type=float, default=1.0, help="seconds between requests (default 1)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per request (default 10)")
    p.add_argument("--cache-dir", default=".cache/wikidata", help="where answers are kept")
    p.add_argument("--no-cache", action="store_true", help="ask again, keep nothing")
    p.set_defaults(func=cmd_link)

    p = sub.add_parser("query", help="run a catalogue query (or a .rq file) on the graph")
    p.add_argument("query", nargs="?", help="catalogue name (see --list) or path to a .rq file")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter of a catalogue query (repeatable)",
    )
    p.add_argument(
        "--format",
        default="table",
        choices=("table", "csv", "tsv", "json", "xml", "turtle", "ntriples"),
        help="table (default) or a SPARQL results format; turtle/ntriples for "
        "CONSTRUCT and DESCRIBE",
    )
    p.add_argument("--list", action="store_true", help="list the catalogue")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("stats", help="counts per class, links, and shapes conformance")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--no-validate", action="store_true", help="skip the shapes (faster)")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser(
        "docs",
        help="regenerate the generated parts of the documentation (model diagram, settings table,"
        " the README's validation report)",
    )
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("serve", help="start the SPARQL endpoint and Linked Data server")
    p.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default 8000)")
    p.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="FILE",
        help="serve these RDF files (repeatable)",
    )
    p.add_argument(
        "--graph",
        action="append",
        default=[],
        metavar="IRI=FILE",
        help="load a file into the named graph IRI (repeatable)",
    )
    p.add_argument(
        "--no-bundled",
        action="store_true",
        help="with --data: serve only the given files, not the bundled graph",
    )
    p.add_argument("--base-iri", default=None, help="base IRI of the served data")
    p.add_argument(
        "--backend",
        choices=("memory", "disk", "remote"),
        default=None,
        help="where the data lives (default: memory)",
    )
    p.add_argument("--store-path", default=None, help="folder of the on-disk store")
    p.add_argument("--workers", type=int, default=None, help="query worker processes")
    p.add_argument("--query-timeout", type=float, default=None, help="seconds a query may run")
    p.add_argument(
        "--access-log", action="store_true", help="a line per request on standard output"
    )
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (UsageError, ParameterError, CatalogueError) as exc:
        sys.stderr.write(f"aigraph {args.command}: {exc}\n")
        return EXIT_ERROR
    except (DataLoadError, SourceTextError) as exc:
        sys.stderr.write(f"aigraph {args.command}: could not read the data: {exc}\n")
        return EXIT_ERROR
    except BrokenPipeError:  # `aigraph query … | head`
        return EXIT_OK
    except OSError as exc:  # a full disk, a folder that cannot be written: said plainly
        where = f" {exc.filename}" if exc.filename else ""
        sys.stderr.write(
            f"aigraph {args.command}: could not write{where}: {exc.strerror or exc}; "
            "files written before are unchanged (each is replaced only once complete)\n"
        )
        return EXIT_ERROR
    except Exception:  # a bug: the exit code must not read as "does not conform" (1)
        traceback.print_exc()
        sys.stderr.write(f"aigraph {args.command}: internal error (above): please report it\n")
        return EXIT_ERROR
