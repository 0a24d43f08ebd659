"""Publish the public record of CA answers to Mozilla's CA Communications."""

__version__ = "0.1.0"
