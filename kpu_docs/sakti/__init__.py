"""SAKTI: read what offices download from SAKTI and import its figures into an input.

Reading: ``files`` + ``sheet_xml`` (the file, within bounds) → ``header`` (columns from
labels) → ``rows`` (noise, the grand total, figures; ``cells`` reads one value) → ``glp039`` /
``placement`` (full codes and parents) → ``checks`` (reconcile, cross-checks), into an
``export.Export``; ``read.read_export`` runs them. Importing:
``importer.run_import`` plans the edit (``plan``, ``additions``), edits the YAML as text
(``yaml_text``, ``source_block``) and writes it with backups (``writing``).
"""

from .cells import money
from .export import AKUN, KEGIATAN, KOMPONEN, KRO, LABELS, PROGRAM, RO, Export, Row, Source
from .read import read_export

__all__ = [
    "read_export",
    "money",
    "Export",
    "Row",
    "Source",
    "LABELS",
    "PROGRAM",
    "KEGIATAN",
    "KRO",
    "RO",
    "KOMPONEN",
    "AKUN",
]
