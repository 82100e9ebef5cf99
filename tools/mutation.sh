#!/usr/bin/env bash
# Mutation testing over kpu_docs/formatting.py and kpu_docs/figures/derive.py (config: [tool.mutmut] in
# pyproject.toml). Needs `pip install mutmut` (extra `mutation`). Run from the repository root:
#   tools/mutation.sh            # run (resumes where it stopped), then list the survivors
#   mutmut show <name>           # the diff of one surviving mutant
# Record each survivor in tests/README.md: killed by a new test, or why it is equivalent.
set -euo pipefail
cd "$(dirname "$0")/.."
mutmut run --max-children "${JOBS:-2}" "$@"
mutmut results
