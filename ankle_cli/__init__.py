"""Command-line interface: ``ankle-screen``."""
