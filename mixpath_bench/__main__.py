"""``python -m mixpath_bench TOOL [ARGS ...]``: the shipped tools without a checkout (see `launcher`)."""
from .launcher import main

main()
