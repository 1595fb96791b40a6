"""scarplan: decision support for atrophic acne scar treatment."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("scarplan")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
