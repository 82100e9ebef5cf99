"""Figures: every total, sisa, ratio and count computed once from the leaves up (derive), the report's outline (sections), indicators, spending by type, and Indonesian number formatting."""
