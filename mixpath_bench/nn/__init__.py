"""Building blocks: Shadow Batch Norm, candidate operations, multi-path layers (torch)."""
from .multipath import ChoiceBlock, MultiPathLayer, PathSumBlock
from .ops import (GroupedKernelDepthwise, InvertedBottleneck, MixedKernelBottleneck, NB101Node, SqueezeExcite,
                  conv_bn_act)
from .shadow_bn import ShadowBatchNorm

__all__ = ["ShadowBatchNorm", "MultiPathLayer", "PathSumBlock", "ChoiceBlock", "InvertedBottleneck",
           "MixedKernelBottleneck", "GroupedKernelDepthwise", "NB101Node", "SqueezeExcite", "conv_bn_act"]
