"""The orders app's API shapes."""
