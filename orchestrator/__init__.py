"""Framegraph: live video analytics on demand."""
