import gc

gc.disable()  # start-up: the command's imports make no garbage (see cli.main.run, which turns it back on)

from kpu_docs.cli.main import run  # noqa: E402

run()
