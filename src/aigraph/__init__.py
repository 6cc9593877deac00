"""aigraph: an open knowledge graph of the CNC's 7 October 2025 day on responsible AI in the
animated-image sector, with per-fact provenance, SHACL shapes and a SPARQL endpoint."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("aigraph")
except PackageNotFoundError:  # running from a checkout that was not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
