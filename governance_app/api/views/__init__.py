"""Governance API views, one module per area; urls.py names every path explicitly."""
