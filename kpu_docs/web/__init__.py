"""``kpu-docs serve``: a local web page to edit, check, import, build and download (Flask)."""
