"""aigraph: an open knowledge graph of the CNC's 7 October 2025 day on responsible AI in the
animated-image sector, with per-fact provenance, SHACL shapes and a SPARQL endpoint."""

# The one place the version is written: pyproject.toml reads it from here
# ([tool.setuptools.dynamic]). Reading it back from the installed metadata instead
# (importlib.metadata) cost 35 ms in every process, the server's and each query worker's.
__version__ = "0.1.0"

__all__ = ["__version__"]
