"""MMEngine glue: the classifier model, configs, checkpoints, runners (BN calibration comes later)."""
from .calibrate import calibrate_bn
from .checkpoint import is_own_checkpoint, load_checkpoint_file, mark_work_dir, model_state
from .config import check_keys, load_config
from .evaluate import build_supernet, checkpoint_model_config
from .model import MixPathClassifier, TopOneAccuracy
from .runner import build_runner, prepare_config

__all__ = ["calibrate_bn", "MixPathClassifier", "TopOneAccuracy", "is_own_checkpoint", "load_checkpoint_file", "mark_work_dir", "model_state",
           "check_keys", "load_config", "build_supernet", "checkpoint_model_config", "build_runner", "prepare_config"]
