"""The one error a misconfigured process stops with, shared by the settings and the clinic profile."""


class ConfigurationError(ValueError):
    """A configuration file or variable is missing or malformed; the message says how to fix it."""
