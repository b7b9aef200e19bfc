"""Insight into a glossary: check summaries, SARIF, the health report, unlinked mentions."""
