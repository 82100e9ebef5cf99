"""The Excel annex (annex, annex_blocks) and the office's check file (check_file)."""
