"""The experiment pipeline and the jobs behind the tools: search, ranking, ground truth, DARTS, SBN
analysis, the staged end-to-end experiment (`Experiment`), its report and plots, and the speed
benchmark.  It sits on top of the measures in `mixpath_bench.bench`."""
