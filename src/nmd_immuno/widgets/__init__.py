"""ipywidgets front ends, one module per tool.

Layout and wiring only: every decision is made in the package, so the same call works from a test.
"""
