"""The outer layer: FastAPI app, authentication dependencies, web pages and the CLI."""
