"""Reporting: what people are shown of the sales, read from the aggregates — the figures shared
by every screen, the dashboards' reports, the settlement, the downloads, the retailers'
shortlists and the producers' lists of single orders."""
