from kpu_docs.cli.main import run

run()
