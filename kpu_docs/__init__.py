"""kpu-docs: the Laporan Tahunan of a KPU office (Word) and its annex (Excel) from one YAML input.

Pipeline: ``load`` → ``derive`` → ``validate`` → render (``report_docx``, ``annex``) → ``outputs``.
"""

__version__ = "0.1.0"
