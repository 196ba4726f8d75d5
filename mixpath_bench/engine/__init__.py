"""MMEngine glue: the classifier model, configs, checkpoints, runners (BN calibration comes later)."""
from .calibrate import calibrate_bn
from .checkpoint import load_checkpoint_file, model_state, trusting
from .config import check_keys, load_config
from .evaluate import build_supernet, checkpoint_model_config
from .lock import WorkDirBusy, lock_work_dir
from .model import MixPathClassifier, TopOneAccuracy
from .runner import build_runner, prepare_config
from .setup import register_all_modules

__all__ = ["calibrate_bn", "MixPathClassifier", "TopOneAccuracy", "load_checkpoint_file", "model_state", "trusting",
           "check_keys", "load_config", "build_supernet", "checkpoint_model_config", "WorkDirBusy", "lock_work_dir",
           "build_runner", "prepare_config", "register_all_modules"]
