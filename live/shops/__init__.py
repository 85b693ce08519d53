"""Shops: the platform accounts a campaign sells through, their pushes, detail fetches and
backfill polls (docs/platforms.md)."""
