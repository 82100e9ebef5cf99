"""Publishing: the pipeline per input (build), worker processes, reproducible zips, LibreOffice PDFs, and the all-or-nothing publish of outputs."""
