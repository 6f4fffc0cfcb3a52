"""The clinic assistant's own Python package: settings, NLU components, NLG, launcher."""
