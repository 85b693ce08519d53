"""Catalog: suppliers, products (quality checks, certificates), retailers, creators."""
