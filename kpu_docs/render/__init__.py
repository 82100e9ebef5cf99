"""Rendering: the Word report (render.docx) and the Excel annex and check file (render.xlsx)."""
