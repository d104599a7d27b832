"""`python -m orchestrator` is `framegraph`."""

from orchestrator.cli.main import main

main()
