"""mixpath-bench: multi-path one-shot NAS (MixPath) supernets, search, ranking and transfer."""
__version__ = "0.1.0"
