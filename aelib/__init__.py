"""aelib: the small library behind the executable companion to the lecture on autoencoders.

Each module holds one idea of the lecture; a chapter teaches the idea in the
open, and later chapters import it from here. Importing aelib has no side
effect: a chapter seeds and chooses its device in its first cell.
"""
from .device import get_device, set_seed
from .models import Autoencoder
from .train import History, evaluate, fit
from . import data, deep, losses, models, noise, show, train

__all__ = ["get_device", "set_seed", "Autoencoder", "fit", "evaluate", "History",
           "data", "deep", "losses", "models", "noise", "show", "train"]
__version__ = "0.1.0"
