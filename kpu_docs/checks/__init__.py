"""Checks: a reviewer's findings on a derived report (validate), the prose's claims against the data (prose), and what a revision changed (diff)."""
