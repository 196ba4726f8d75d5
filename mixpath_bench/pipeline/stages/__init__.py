"""The experiment's stages, registered in pipeline order by importing their modules."""
from . import truth, supernets, ranking, search, darts, table2, analysis, msweep  # noqa: F401  (pipeline order)
