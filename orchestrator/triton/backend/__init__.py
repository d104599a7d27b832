"""Triton backend sources that the embedded server installs into its backends directory."""
