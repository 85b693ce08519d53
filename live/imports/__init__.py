"""Bulk import of producers' spreadsheets (CSV, XLSX): suppliers, products, creators, sessions
and run-of-show, all or nothing, every bad row reported with its line number."""
