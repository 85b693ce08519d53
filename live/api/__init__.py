"""The HTTP edge: thin routes, each declaring who may call it, over the domain services."""
