"""`UserError`: a mistake a user can fix (bad path, config key, architecture, corrupt file).

Command-line tools print its message as one line and exit with status 2 instead of a traceback.
"""


class UserError(Exception):
    """A mistake the user can fix; the message says what is wrong and what to do."""


class ConfigError(UserError, ValueError):
    """A config key or value that nothing can use."""


class DatasetError(UserError, FileNotFoundError):
    """A missing or malformed dataset folder or file."""


class CheckpointError(UserError, ValueError):
    """A missing, corrupt or incompatible checkpoint."""


class MissingDependencyError(UserError, ImportError):
    """An optional dependency that the requested feature needs."""
