"""The command line: a thin parser over the pipeline (main), progress and safe terminal text."""

from kpu_docs.cli.main import run

__all__ = ["run"]
