"""The HTTP server: SPARQL 1.1 Protocol endpoint, Graph Store Protocol, Service Description
and VoID, as a FastAPI application built by :func:`aigraph.server.app.create_app`."""
