"""Supernets and stand-alone networks built from an `Arch` (registered by name)."""
from .mixnet import MIXNET_M_LAYERS, MIXNET_M_STAGE_ENDS, S2Supernet, S3Supernet, mixnet_m_feature_info
from .named import create_model, list_archs
from .registry import build_network, create_network, list_networks, register_network, supernet_class
from .s1 import S1_LAYERS, FeatureTap, S1Supernet, StandaloneNet
from .s4 import S4Standalone, S4Supernet
from .s5 import DartsNetworkCIFAR, count_darts_parameters
from .s5_supernet import S5Supernet

__all__ = ["create_model", "list_archs", "S1Supernet", "S2Supernet", "S3Supernet", "S4Supernet", "S5Supernet", "StandaloneNet", "S4Standalone",
           "DartsNetworkCIFAR", "count_darts_parameters",
           "build_network", "create_network", "supernet_class", "list_networks", "register_network", "S1_LAYERS",
           "MIXNET_M_LAYERS", "MIXNET_M_STAGE_ENDS", "FeatureTap", "mixnet_m_feature_info"]
